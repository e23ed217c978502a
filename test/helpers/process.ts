import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FATAL_EXIT_CODE, FATAL_MARKER } from '../../src/server/fatal.js';
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
  /** SIGTERM, then fails unless the process exits cleanly (status 0, no fatal error). */
  stop(): Promise<void>;
}

export interface SpawnOptions {
  /**
   * Called when the server dies of an unhandled error (uncaught exception or
   * unhandled rejection). Without it such a death is thrown, uncaught, in the
   * test process, so the test run fails even if no request noticed.
   */
  onFatal?: (output: string) => void;
}

/** Runs `stratus server` as a child process on an ephemeral port and waits until it listens. */
export async function spawnServer(dataDir: string, extraArgs: string[] = [], env: NodeJS.ProcessEnv = {}, opts: SpawnOptions = {}): Promise<ServerProcess> {
  const args = [path.join(ROOT, 'bin', 'stratus.js'), 'server', '--data', dataDir, '--address', '127.0.0.1:0', '--log-level', 'warn', ...extraArgs];
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let listening = false;
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  const fatal = (code: number | string) => code === FATAL_EXIT_CODE || out.includes(FATAL_MARKER);
  // Output may still be in the pipes when 'exit' fires: judge once they are closed.
  child.on('close', (code, signal) => {
    if (!listening || !fatal(code ?? signal ?? '')) return;
    if (opts.onFatal) opts.onFatal(out);
    else
      process.nextTick(() => {
        throw new Error(`the server process (pid ${child.pid}) died of an unhandled error:\n${out}`);
      });
  });
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (c: Buffer) => {
      out += c.toString();
      const m = /Stratus listening on (https?:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    exited.then((code) => reject(new Error(`server exited (${code}) before listening:\n${out}`)));
  });
  listening = true;
  // A served request proves the start-up code (signal handlers included) has run to its end.
  const health = await fetch(`${url}/health`);
  if (health.status !== 200) throw new Error(`health check answered ${health.status}`);
  return {
    child,
    url,
    port: Number(new URL(url).port),
    output: () => out,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const code = await exited;
      if (code !== 0 || fatal(code)) throw new Error(`the server process exited with ${code}:\n${out}`);
    },
  };
}

/** The standard credentials as command-line flags. */
export const KEY_FLAGS = ['--access-key', ACCESS_KEY, '--secret-key', SECRET_KEY];
