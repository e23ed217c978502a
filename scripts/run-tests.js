#!/usr/bin/env node
// Runs every test file under test/ with node's test runner (TypeScript through tsx).
// Node 20's runner does not expand globs itself, so the files are listed here.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function find(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...find(p));
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const only = process.argv.slice(2);
const files = only.length ? only : find('test');
// The suite must test what it claims: the native CRC64 addon and PostgreSQL (STRATUS_TEST_PG,
// default postgres://127.0.0.1:5432/test) are required, so a missing one fails the run instead of
// turning its tests into skips. A developer without PostgreSQL opts out with STRATUS_REQUIRE_PG=0.
const r = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec', ...files],
  { stdio: 'inherit', env: { ...process.env, AWS_SDK_JS_SUPPRESS_NODE_VERSION_WARNING: '1', STRATUS_REQUIRE_NATIVE_CRC64: '1', STRATUS_REQUIRE_PG: process.env.STRATUS_REQUIRE_PG ?? '1', STRATUS_DEBUG_TX: '1' } },
);
process.exit(r.status ?? 1);
