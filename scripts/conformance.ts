// npm run conformance [-- pytest args, e.g. -k listv2]
// Runs ceph/s3-tests (s3tests/functional/test_s3.py) against a fresh server started from the
// TypeScript sources, prints passed / failed / errors / skipped per pytest mark and in total,
// and writes a JSON record (per case: outcome, marks, first line of the failure) under
// conformance/results/. A tool for measuring interoperability, not part of CI: a full run takes minutes.
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

process.env.AWS_SDK_JS_SUPPRESS_NODE_VERSION_WARNING = '1';
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ACCESS_KEY = 'STRATUSCONFORMANCE01';
const SECRET_KEY = 'stratus-conformance-secret-key-000000001';

type Outcome = 'passed' | 'failed' | 'error' | 'skipped';
interface Case {
  id: string;
  name: string;
  marks: string[];
  outcome: Outcome;
  message: string | null;
  duration: number;
}

/** ../shared/clients next to the repository; from a git worktree, next to the main checkout. */
function clientsDir(): string {
  const candidates = [process.env.STRATUS_CLIENTS, path.resolve(root, '../shared/clients')];
  const common = spawnSync('git', ['rev-parse', '--path-format=absolute', '--git-common-dir'], { cwd: root, encoding: 'utf8' });
  if (common.status === 0) candidates.push(path.resolve(common.stdout.trim(), '../../shared/clients'));
  const found = candidates.find((c) => c && existsSync(path.join(c, 's3-tests', 's3tests', 'functional', 'test_s3.py')));
  if (!found) throw new Error(`s3-tests not found (looked in ${candidates.filter(Boolean).join(', ')}); set STRATUS_CLIENTS`);
  return found;
}

/** CLIENTS_PYTHON and PYTHONPATH from the environment, else from the clients' setup.sh. */
function pythonEnv(clients: string): { python: string; pythonPath: string } {
  if (process.env.CLIENTS_PYTHON) return { python: process.env.CLIENTS_PYTHON, pythonPath: process.env.PYTHONPATH ?? '' };
  const r = spawnSync('bash', ['-c', `eval "$(${JSON.stringify(path.join(clients, 'setup.sh'))})" && printf '%s\\n%s' "$CLIENTS_PYTHON" "$PYTHONPATH"`], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`setup.sh failed: ${r.stderr}`);
  const [python, pythonPath] = r.stdout.split('\n');
  return { python, pythonPath: pythonPath ?? '' };
}

/** Starts `stratus server` from the sources on an ephemeral port; resolves with its URL. */
async function startServer(dataDir: string, logFile: string): Promise<{ child: ChildProcess; url: string }> {
  const log = await fs.open(logFile, 'w');
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(root, 'src/cli/main.ts'), 'server', '--data', dataDir, '--address', '127.0.0.1:0',
      '--access-key', ACCESS_KEY, '--secret-key', SECRET_KEY, '--no-fsync', '--log-level', 'warn',
      '--lifecycle-day-seconds', String(LC_DAY_SECONDS), '--log-flush-seconds', '1'],
    { cwd: root, stdio: ['ignore', 'pipe', log.fd] },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /listening on (\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`server exited with ${code} before listening; see ${logFile}`)));
  });
  child.stdout!.resume();
  child.on('exit', (code, signal) => {
    if (!stopping) console.error(`\n!! server exited (${code ?? signal}) during the run; see ${logFile}\n`);
  });
  await log.close();
  return { child, url };
}
let stopping = false;

// Lifecycle cases: one lifecycle day lasts LC_DAY_SECONDS (the server's debug clock, RGW's
// rgw_lc_debug_interval), and two storage classes besides STANDARD to transition through.
const LC_DAY_SECONDS = 3;
const LIFECYCLE_CONFIG = `lc_debug_interval = ${LC_DAY_SECONDS}\nstorage_classes = STANDARD_IA, GLACIER_IR\n`;

/** The accounts s3-tests needs besides the main (root) one, made through `stratus admin account add` with fixed keys. */
const ACCOUNTS = {
  alt: { accessKey: 'STRATUSCONFORMANCEALT', secretKey: 'stratus-conformance-alt-secret-00000001', email: 'alt@stratus.example' },
  tenant: { accessKey: 'STRATUSCONFORMANCETNT', secretKey: 'stratus-conformance-tenant-secret-0001', email: 'tenant@stratus.example' },
  'iam-root': { accessKey: 'STRATUSCONFORMANCEIAM1', secretKey: 'stratus-conformance-iam-root-secret-01', email: 'iam-root@stratus.example' },
  'iam-alt-root': { accessKey: 'STRATUSCONFORMANCEIAM2', secretKey: 'stratus-conformance-iam-alt-secret-001', email: 'iam-alt-root@stratus.example' },
} as const;
type AccountName = keyof typeof ACCOUNTS;

/** The environment `stratus admin` runs in: the server's root keys, no profile file. */
function operatorEnv(url: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, STRATUS_CONFIG_FILE: path.join(os.tmpdir(), 'stratus-conformance-no-config.json'), STRATUS_ENDPOINT: url, STRATUS_ACCESS_KEY: ACCESS_KEY, STRATUS_SECRET_KEY: SECRET_KEY };
  delete env.STRATUS_PROFILE;
  return env;
}

/** Runs `stratus admin account add` against the server as its operator; resolves with the new account's canonical id. */
function addAccount(url: string, name: AccountName): string {
  const a = ACCOUNTS[name];
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', path.join(root, 'src/cli/main.ts'), 'admin', 'account', 'add', name, '--access-key', a.accessKey, '--secret-key', a.secretKey, '--email', a.email, '--json'],
    { cwd: root, encoding: 'utf8', env: operatorEnv(url) },
  );
  if (r.status !== 0) throw new Error(`stratus admin account add ${name} failed (${r.status}): ${r.stderr || r.stdout}`);
  return (JSON.parse(r.stdout) as { account: { id: string } }).account.id;
}

function config(host: string, port: number, main: { id: string; name: string }, ids: Record<AccountName, string>): string {
  const keys = (name: AccountName) => `access_key = ${ACCOUNTS[name].accessKey}\nsecret_key = ${ACCOUNTS[name].secretKey}\n`;
  const section = (name: AccountName) => `[s3 ${name}]\ndisplay_name = ${name}\nuser_id = ${ids[name]}\nemail = ${ACCOUNTS[name].email}\n${keys(name)}`;
  const mainKeys = `access_key = ${ACCESS_KEY}\nsecret_key = ${SECRET_KEY}\n`;
  return [
    `[DEFAULT]\nhost = ${host}\nport = ${port}\nis_secure = False\nssl_verify = False\n`,
    `[fixtures]\nbucket prefix = stratus-{random}-\niam name prefix = s3-tests-\niam path prefix = /s3-tests/\n`,
    `[s3 main]\ndisplay_name = ${main.name}\nuser_id = ${main.id}\nemail = root@stratus.example\n${mainKeys}api_name = default\n` + LIFECYCLE_CONFIG,
    section('alt'),
    section('tenant') + 'tenant = stratus\n',
    // [iam] is the main account's root (it may use IAM); [iam root] and [iam alt root] are accounts of their own.
    `[iam]\ndisplay_name = ${main.name}\nuser_id = ${main.id}\nemail = root@stratus.example\n${mainKeys}`,
    `[iam root]\nuser_id = ${ids['iam-root']}\nemail = ${ACCOUNTS['iam-root'].email}\n${keys('iam-root')}`,
    `[iam alt root]\nuser_id = ${ids['iam-alt-root']}\nemail = ${ACCOUNTS['iam-alt-root'].email}\n${keys('iam-alt-root')}`,
  ].join('\n');
}

function table(cases: Case[]): string {
  const groups = new Map<string, Record<Outcome, number>>();
  const add = (key: string, o: Outcome) => {
    const g = groups.get(key) ?? { passed: 0, failed: 0, error: 0, skipped: 0 };
    g[o]++;
    groups.set(key, g);
  };
  for (const c of cases) {
    for (const m of c.marks.length ? c.marks : ['(no mark)']) add(m, c.outcome);
  }
  const total = { passed: 0, failed: 0, error: 0, skipped: 0 };
  for (const c of cases) total[c.outcome]++;
  const row = (k: string, g: Record<Outcome, number>) =>
    `${k.padEnd(34)}${String(g.passed).padStart(7)}${String(g.failed).padStart(7)}${String(g.error).padStart(7)}${String(g.skipped).padStart(8)}${String(g.passed + g.failed + g.error + g.skipped).padStart(7)}`;
  const lines = [`${'mark'.padEnd(34)}${'passed'.padStart(7)}${'failed'.padStart(7)}${'errors'.padStart(7)}${'skipped'.padStart(8)}${'total'.padStart(7)}`];
  for (const k of [...groups.keys()].sort()) lines.push(row(k, groups.get(k)!));
  lines.push('-'.repeat(70), row('TOTAL', total));
  return lines.join('\n');
}

async function main() {
  const extra = process.argv.slice(2);
  const clients = clientsDir();
  const suite = path.join(clients, 's3-tests');
  const { python, pythonPath } = pythonEnv(clients);
  // The code under test is what the server loads now, so the commit is read before it starts.
  const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).stdout.trim();
  const dirty = spawnSync('git', ['status', '--porcelain', '--', 'src', 'bin', 'package.json'], { cwd: root, encoding: 'utf8' }).stdout.trim() !== '';
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'stratus-conformance-'));
  const serverLog = path.join(tmp, 'server.log');
  const { child, url } = await startServer(path.join(tmp, 'data'), serverLog);
  const stopServer = () => {
    stopping = true;
    if (child.exitCode === null) child.kill('SIGTERM');
  };
  process.on('SIGINT', () => {
    stopServer();
    process.exit(130);
  });
  try {
    const { hostname, port } = new URL(url);
    const s3 = new S3Client({ endpoint: url, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY } });
    const owner = (await s3.send(new ListBucketsCommand({}))).Owner;
    s3.destroy();
    if (!owner?.ID) throw new Error('ListBuckets returned no Owner ID');
    const confFile = path.join(tmp, 's3tests.conf');
    const ids = Object.fromEntries((Object.keys(ACCOUNTS) as AccountName[]).map((n) => [n, addAccount(url, n)])) as Record<AccountName, string>;
    await fs.writeFile(confFile, config(hostname, Number(port), { id: owner.ID, name: owner.DisplayName || 'stratus-root' }, ids));

    const recordFile = path.join(tmp, 'cases.jsonl');
    const junit = path.join(tmp, 'junit.xml');
    console.log(`server ${url} (log ${serverLog}); running s3-tests from ${suite}`);
    const started = new Date();
    const pytest = spawn(
      python,
      ['-m', 'pytest', '-p', 'no:cacheprovider', '-p', 'pytest_timeout', '-p', 'stratus_record', 's3tests/functional/test_s3.py',
        '--timeout=60', '-o', 'addopts=', `--junitxml=${junit}`, '-q', '--tb=line', ...extra],
      {
        cwd: suite,
        stdio: 'inherit',
        env: {
          ...process.env,
          S3TEST_CONF: confFile,
          STRATUS_RECORD: recordFile,
          PYTHONPATH: [path.join(root, 'conformance'), pythonPath].filter(Boolean).join(':'),
          PYTHONDONTWRITEBYTECODE: '1', // the suite's folder is read-only
        },
      },
    );
    const code = await new Promise<number>((resolve) => pytest.on('exit', (c) => resolve(c ?? 1)));
    const cases: Case[] = existsSync(recordFile)
      ? (await fs.readFile(recordFile, 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as Case)
      : [];
    const summary = { passed: 0, failed: 0, error: 0, skipped: 0, total: cases.length };
    for (const c of cases) summary[c.outcome]++;
    console.log(`\n${table(cases)}\n`);

    const resultsDir = path.join(root, 'conformance', 'results');
    await fs.mkdir(resultsDir, { recursive: true });
    const stamp = started.toISOString().replace(/[:.]/g, '-');
    const record = {
      started: started.toISOString(),
      finished: new Date().toISOString(),
      commit: commit + (dirty ? '+dirty' : ''),
      args: extra,
      pytestExit: code,
      summary,
      cases: cases.map(({ id, marks, outcome, message, duration }) => ({ id, marks, outcome, message, duration: Math.round(duration * 1000) / 1000 })),
    };
    const out = path.join(resultsDir, `${stamp}.json`);
    await fs.writeFile(out, JSON.stringify(record, null, 1) + '\n');
    await fs.copyFile(junit, path.join(resultsDir, `${stamp}.junit.xml`)).catch(() => undefined);
    console.log(`passed ${summary.passed}, failed ${summary.failed}, errors ${summary.error}, skipped ${summary.skipped}, total ${summary.total}`);
    console.log(`record: ${path.relative(process.cwd(), out)}`);
    stopServer();
    await new Promise((resolve) => (child.exitCode !== null ? resolve(undefined) : child.once('exit', resolve)));
    // The server's warnings and errors are kept with the record; the rest of the run is removed.
    if ((await fs.stat(serverLog)).size > 0) await fs.copyFile(serverLog, path.join(resultsDir, `${stamp}.server.log`));
    await fs.rm(tmp, { recursive: true, force: true });
    process.exitCode = code === 0 || code === 1 ? 0 : code;
  } catch (e) {
    stopServer();
    throw e;
  }
}

main().catch((e: unknown) => {
  console.error(`conformance: ${(e as Error).message}`);
  process.exit(2);
});
