import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ACCESS_KEY, SECRET_KEY } from './server.js';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  port: number;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code (or the signal's name) once the process has ended. */
  exited: Promise<number | string>;
}

/** Runs `stratus server` as a child process on an ephemeral port and waits until it listens. */
export async function spawnServer(dataDir: string, extraArgs: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<ServerProcess> {
  const args = [path.join(ROOT, 'bin', 'stratus.js'), 'server', '--data', dataDir, '--address', '127.0.0.1:0', '--log-level', 'warn', ...extraArgs];
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (c: Buffer) => {
      out += c.toString();
      const m = /Stratus listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    exited.then((code) => reject(new Error(`server exited (${code}) before listening:\n${out}`)));
  });
  // A served request proves the start-up code (signal handlers included) has run to its end.
  const health = await fetch(`${url}/health`);
  if (health.status !== 200) throw new Error(`health check answered ${health.status}`);
  return { child, url, port: Number(new URL(url).port), output: () => out, exited };
}

/** The standard credentials as command-line flags. */
export const KEY_FLAGS = ['--access-key', ACCESS_KEY, '--secret-key', SECRET_KEY];
