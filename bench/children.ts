/**
 * The two servers under test, each in its own child process so the load
 * generator's CPU is not counted against either: Stratus (bin/stratus.js) and
 * the bare baseline (bench/baseline-server.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface Child {
  name: string;
  url: string;
  pid: number;
  proc: ChildProcess;
  /** The last lines the child wrote (stdout and stderr), for error reports. */
  tail(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process has exited. */
  stop(graceMs?: number): Promise<void>;
}

const LISTENING = /listening on (http:\/\/\S+)/;

/** Spawns `node <args>` and waits for its "... listening on http://..." line. */
export function spawnServer(name: string, nodeArgs: string[], timeoutMs = 30_000): Promise<Child> {
  const proc = spawn(process.execPath, nodeArgs, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    for (const l of chunk.toString('utf8').split('\n')) if (l.trim()) lines.push(l);
    if (lines.length > 40) lines.splice(0, lines.length - 40);
  };
  let exited = proc.exitCode !== null;
  const exitedP = new Promise<void>((r) => proc.once('exit', () => ((exited = true), r())));
  const tail = () => lines.join('\n');
  const stop = async (graceMs = 15_000) => {
    if (exited) return;
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
    await exitedP;
    clearTimeout(timer);
  };
  return new Promise<Child>((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`${name} did not start within ${timeoutMs} ms:\n${tail()}`));
    }, timeoutMs);
    const onOut = (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const m = LISTENING.exec(buffered);
      if (m) {
        clearTimeout(timer);
        buffered = '';
        proc.stdout!.off('data', onOut);
        resolve({ name, url: m[1]!, pid: proc.pid!, proc, tail, stop });
      }
    };
    proc.stdout!.on('data', keep);
    proc.stderr!.on('data', keep);
    proc.stdout!.on('data', onOut);
    proc.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code ?? signal}) before listening:\n${tail()}`));
    });
    proc.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

export interface StratusChildOptions {
  dataDir: string;
  accessKey: string;
  secretKey: string;
  fsync: boolean;
  /** Directory for a V8 CPU profile of the whole server run (written at exit). */
  cpuProfDir?: string;
  /** Gateway processes (`--workers`); default 1. */
  workers?: number;
  /** A config file for what has no flag (the PostgreSQL schema). */
  configFile?: string;
  /** Metadata store URL (postgres://...). */
  meta?: string;
  /** More `stratus server` flags (e.g. --blob). */
  extraArgs?: string[];
}

export function spawnStratus(o: StratusChildOptions): Promise<Child> {
  const args = [
    ...(o.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${o.cpuProfDir}`] : []),
    'bin/stratus.js',
    'server',
    '--data',
    o.dataDir,
    '--address',
    '127.0.0.1:0',
    '--log-level',
    'warn',
    '--access-key',
    o.accessKey,
    '--secret-key',
    o.secretKey,
    ...(o.fsync ? [] : ['--no-fsync']),
    ...(o.workers && o.workers > 1 ? ['--workers', String(o.workers)] : []),
    ...(o.meta ? ['--meta', o.meta] : []),
    ...(o.configFile ? ['--config', o.configFile] : []),
    ...(o.extraArgs ?? []),
  ];
  return spawnServer(o.workers && o.workers > 1 ? `stratus x${o.workers}` : 'stratus', args);
}

export function spawnBaseline(o: { dir: string; fsync: boolean; smallSize: number; cpuProfDir?: string }): Promise<Child> {
  const args = [...(o.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${o.cpuProfDir}`] : []), '--import', 'tsx', 'bench/baseline-server.ts', '--dir', o.dir, '--small-size', String(o.smallSize), ...(o.fsync ? ['--fsync'] : [])];
  return spawnServer('baseline', args);
}
