import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { FATAL_EXIT_CODE, FATAL_MARKER } from '../../src/server/fatal.js';
import { KEY_FLAGS, spawnServer } from '../helpers/process.js';

// A server running as a child process that hits an unhandled rejection or an
// uncaught exception must fail the test run, as it does for in-process
// servers (node's test runner fails a file on either).

const HERE = path.dirname(fileURLToPath(import.meta.url));
const FIXTURE = path.join(HERE, 'fixtures', 'fatal-on-signal.mjs');
const preload = { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${FIXTURE}`.trim() };
const dirs: string[] = [];
const tempDir = async () => {
  const d = await fs.mkdtemp(path.join(os.tmpdir(), 'stratus-fatal-'));
  dirs.push(d);
  return d;
};
after(async () => {
  for (const d of dirs) await fs.rm(d, { recursive: true, force: true });
});

describe('a child server dying of an unhandled error', () => {
  for (const kind of ['rejection', 'exception']) {
    it(`unhandled ${kind}: exits ${FATAL_EXIT_CODE} with the marker, and the helper reports it`, async () => {
      let report!: (out: string) => void;
      const reported = new Promise<string>((r) => (report = r));
      const p = await spawnServer(await tempDir(), KEY_FLAGS, { ...preload, STRATUS_TEST_FATAL: kind }, { onFatal: report });
      p.child.kill('SIGUSR2');
      assert.equal(await p.exited, FATAL_EXIT_CODE);
      const out = await reported;
      const what = kind === 'rejection' ? 'unhandled rejection' : 'uncaught exception';
      assert.ok(out.includes(`${FATAL_MARKER} ${what}`), out);
      assert.ok(out.includes(`injected ${what}`), out);
      await assert.rejects(p.stop(), /exited with 70/);
    });
  }

  it('fails a test run that did not expect it', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'nested.test.ts');
    await fs.writeFile(
      file,
      `import { it } from 'node:test';
       import { spawnServer, KEY_FLAGS } from ${JSON.stringify(path.join(HERE, '..', 'helpers', 'process.ts'))};
       it('serves, while its server dies', async () => {
         const p = await spawnServer(${JSON.stringify(path.join(dir, 'data'))}, KEY_FLAGS, ${JSON.stringify(preload)});
         p.child.kill('SIGUSR2');
         await p.exited;
         await new Promise((r) => setTimeout(r, 300));
       });`,
    );
    // A run of its own, not a subtest of this one (the runner marks its children through NODE_TEST_CONTEXT).
    const env = { ...process.env };
    delete env.NODE_TEST_CONTEXT;
    const run = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', file], { cwd: path.join(HERE, '..', '..'), env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    run.stdout.on('data', (c: Buffer) => (out += c.toString()));
    run.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const code = await new Promise<number | null>((r) => run.on('close', r));
    assert.notEqual(code, 0, out);
    assert.match(out, /died of an unhandled error/);
    assert.match(out, /injected unhandled rejection/);
  });
});
