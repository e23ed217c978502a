#!/usr/bin/env node
// npm run test:interop: the interoperability tests through SDKs Stratus did not write (boto3,
// oss2, esdk-obs-python, qcloud_cos), in test/interop, against a fresh server.
//
// Starts `stratus server` from the TypeScript sources on an ephemeral port over a temporary data
// directory (no region configured, a fixed COS appid), runs pytest with the server's address and
// keys in STRATUS_ENDPOINT / STRATUS_PORT / STRATUS_ACCESS_KEY / STRATUS_SECRET_KEY / STRATUS_APPID,
// and exits with pytest's status, or 1 when the server logged an uncaught exception, an unhandled
// rejection or an error, or died. Extra arguments go to pytest (e.g. `-k oss2`, `-x`); when one
// names test files (`test/interop/test_obs_expiry.py`, or `file.py::test`), only those run.
//
// The server runs with one-second lifecycle days and a one-second access-log flush, so the tests of
// background work (lifecycle, x-obs-expires, access logs) see it happen within seconds.
//
// The clients come from `../shared/clients` (the nearest `shared/clients` beside the repository or
// one of its parents; CLIENTS_DIR overrides): when CLIENTS_PYTHON is not set, its setup.sh runs
// first. That folder is read-only in CI: Python writes no bytecode and pytest no cache, and its
// temporary files go under this run's own temporary directory.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ACCESS_KEY = 'STRATUSINTEROPKEY001';
const SECRET_KEY = 'stratus-interop-secret-key-000000000001';
const APPID = '1250000123';
const START_TIMEOUT_MS = 60_000;

function log(msg) {
  process.stderr.write(`[interop] ${msg}\n`);
}

/** The clients folder: CLIENTS_DIR, else `shared/clients` beside the repository or beside one of its parents. */
function clientsDir() {
  if (process.env.CLIENTS_DIR) return resolve(process.env.CLIENTS_DIR);
  for (let dir = root; ; dir = dirname(dir)) {
    const candidate = join(dirname(dir), 'shared', 'clients');
    if (existsSync(join(candidate, 'setup.sh'))) return candidate;
    if (dirname(dir) === dir) break;
  }
  throw new Error(`no shared/clients folder found beside ${root} or its parents (set CLIENTS_DIR or CLIENTS_PYTHON)`);
}

/** CLIENTS_PYTHON and PYTHONPATH: from the environment, else from the clients' setup.sh (`export NAME=value` lines). */
function pythonEnv() {
  if (process.env.CLIENTS_PYTHON) return { CLIENTS_PYTHON: process.env.CLIENTS_PYTHON, PYTHONPATH: process.env.PYTHONPATH ?? '' };
  const setup = join(clientsDir(), 'setup.sh');
  log(`setting up the clients: ${setup}`);
  const r = spawnSync('bash', [setup], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) throw new Error(`${setup} failed (exit ${r.status})`);
  const env = {};
  for (const line of r.stdout.split('\n')) {
    const m = /^export ([A-Z_]+)=(.*)$/.exec(line.trim());
    if (!m) continue;
    // setup.sh appends `${PYTHONPATH:+:$PYTHONPATH}` for the shell to expand.
    const existing = process.env[m[1]];
    env[m[1]] = m[2].replace(/\$\{[A-Z_]+:\+:\$[A-Z_]+\}/, existing ? `:${existing}` : '');
  }
  if (!env.CLIENTS_PYTHON) throw new Error(`${setup} printed no CLIENTS_PYTHON`);
  return env;
}

/** The server's environment: ours without STRATUS_* settings, so only the flags below configure it. */
function serverEnv() {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('STRATUS_')) env[k] = v;
  return env;
}

// Lines that mean the server failed even if every test passed: Node's report of an uncaught
// exception or unhandled rejection, and error-level log lines (an error the dialects did not map: a 500).
const FATAL = /uncaught|unhandled ?(promise )?rejection|triggerUncaughtException/i;
function serverProblems(output) {
  const problems = [];
  for (const line of output.split('\n')) {
    if (!line.trim()) continue;
    let entry;
    try {
      entry = JSON.parse(line);
    } catch {
      entry = undefined;
    }
    if (entry && typeof entry === 'object' && typeof entry.level === 'number') {
      if (entry.level >= 50) problems.push(line);
    } else if (FATAL.test(line)) problems.push(line);
  }
  return problems;
}

async function main() {
  const py = pythonEnv();
  const tmp = mkdtempSync(join(os.tmpdir(), 'stratus-interop-'));
  const dataDir = join(tmp, 'data');
  let output = '';
  const server = spawn(
    process.execPath,
    ['--import', 'tsx', join(root, 'src', 'cli', 'main.ts'), 'server',
      '--data', dataDir, '--address', '127.0.0.1:0', '--access-key', ACCESS_KEY, '--secret-key', SECRET_KEY,
      '--appid', APPID, '--no-fsync', '--log-level', 'warn', '--lifecycle-day-seconds', '1', '--log-flush-seconds', '1'],
    { cwd: root, env: serverEnv(), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  server.stdout.on('data', (c) => (output += c.toString()));
  server.stderr.on('data', (c) => {
    output += c.toString();
    process.stderr.write(c);
  });
  let exit;
  const exited = new Promise((r) =>
    server.on('exit', (code, signal) => {
      exit = code ?? signal;
      r(exit);
    }),
  );
  let pytest;
  try {
    const url = await new Promise((res, rej) => {
      const timer = setTimeout(() => rej(new Error(`server did not start within ${START_TIMEOUT_MS} ms:\n${output}`)), START_TIMEOUT_MS);
      const poll = () => {
        const m = /Stratus listening on (http:\/\/\S+)/.exec(output);
        if (m) {
          clearTimeout(timer);
          res(m[1]);
        }
      };
      server.stdout.on('data', poll);
      exited.then((code) => {
        clearTimeout(timer);
        rej(new Error(`server exited (${code}) before listening:\n${output}`));
      });
    });
    const port = new URL(url).port;
    log(`server at ${url} (data ${dataDir})`);

    const extra = process.argv.slice(2);
    const namesFiles = extra.some((a) => /^test\/interop\/|\.py(::|$)/.test(a));
    const args = ['-m', 'pytest', '-p', 'no:cacheprovider', '-q', ...(namesFiles ? [] : ['test/interop']), '-p', 'pytest_timeout', '--timeout=300', '-W', 'ignore::DeprecationWarning', '--basetemp', join(tmp, 'pytest'), ...extra];
    pytest = spawn(py.CLIENTS_PYTHON, args, {
      cwd: root,
      stdio: 'inherit',
      env: {
        ...process.env,
        ...py,
        PYTHONDONTWRITEBYTECODE: '1',
        STRATUS_ENDPOINT: `http://127.0.0.1:${port}`,
        STRATUS_PORT: port,
        STRATUS_ACCESS_KEY: ACCESS_KEY,
        STRATUS_SECRET_KEY: SECRET_KEY,
        STRATUS_APPID: APPID,
      },
    });
    const pytestDone = new Promise((r) => {
      pytest.on('exit', (code, signal) => r(code ?? (signal ? 128 : 1)));
      pytest.on('error', (e) => {
        log(`FAIL: cannot run ${py.CLIENTS_PYTHON}: ${e.message}`);
        r(1);
      });
    });
    // An interrupted run stops pytest; the server is stopped below.
    process.once('SIGINT', () => pytest.kill('SIGINT'));
    process.once('SIGTERM', () => pytest.kill('SIGTERM'));
    // A server that dies mid-run ends the run: every later test would only fail to connect.
    const first = await Promise.race([pytestDone.then((code) => ({ code })), exited.then(() => ({ died: true }))]);
    if (first.died) {
      pytest.kill('SIGTERM');
      await pytestDone;
      log(`FAIL: the server died during the run (exit ${exit})`);
      return 1;
    }
    let status = first.code;
    server.kill('SIGTERM');
    await exited;
    const problems = serverProblems(output);
    if (problems.length) {
      log(`FAIL: the server logged ${problems.length} error(s):\n${problems.join('\n')}`);
      status = status || 1;
    }
    if (exit !== 0) {
      log(`FAIL: the server did not shut down cleanly (exit ${exit})`);
      status = status || 1;
    }
    return status;
  } finally {
    if (exit === undefined) {
      server.kill('SIGKILL');
      await exited;
    }
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (e) => {
    log(`FAIL: ${e.message}`);
    process.exit(1);
  },
);
