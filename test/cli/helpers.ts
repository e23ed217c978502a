/** Runs the `stratus` CLI as a subprocess against a test server, with its own config file and state directory. */
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ACCESS_KEY, SECRET_KEY } from '../helpers/server.js';

export const BIN = fileURLToPath(new URL('../../bin/stratus.js', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliEnv {
  dir: string;
  configFile: string;
  env: NodeJS.ProcessEnv;
}

/** Writes a config file with the given profiles (endpoints and the test keys filled in). */
export async function cliEnv(dir: string, profiles: Record<string, { dialect: string; endpoint: string; [k: string]: unknown }>, extra: Record<string, unknown> = {}): Promise<CliEnv> {
  const configFile = path.join(dir, 'config.json');
  const withKeys = Object.fromEntries(Object.entries(profiles).map(([n, p]) => [n, { accessKey: ACCESS_KEY, secretKey: SECRET_KEY, ...p }]));
  await fs.writeFile(configFile, JSON.stringify({ profiles: withKeys, ...extra }, null, 2));
  const env: NodeJS.ProcessEnv = { ...process.env, STRATUS_CONFIG_FILE: configFile, STRATUS_STATE_DIR: path.join(dir, 'state') };
  for (const k of ['STRATUS_PROFILE', 'STRATUS_ENDPOINT', 'STRATUS_ACCESS_KEY', 'STRATUS_SECRET_KEY', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']) delete env[k];
  return { dir, configFile, env };
}

export function stratus(e: CliEnv, args: string[], o: { input?: string | Buffer; env?: NodeJS.ProcessEnv; uid?: number; gid?: number; cwd?: string } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...e.env, ...(o.env ?? {}) },
      cwd: o.cwd ?? e.dir,
      stdio: ['pipe', 'pipe', 'pipe'],
      uid: o.uid,
      gid: o.gid,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(o.input ?? '');
  });
}

/** Runs and parses --json output. */
export async function stratusJson<T = any>(e: CliEnv, args: string[], o: Parameters<typeof stratus>[2] = {}): Promise<{ r: CliResult; json: T }> {
  const r = await stratus(e, [...args, '--json'], o);
  let json: T;
  try {
    json = JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`not JSON (exit ${r.code}): ${r.stdout}\n${r.stderr}`);
  }
  return { r, json };
}

/** Every file under a directory with its bytes, by relative path. */
export async function readTree(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  async function go(d: string, rel: string) {
    for (const e of await fs.readdir(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await go(p, r);
      else out[r] = (await fs.readFile(p)).toString('base64');
    }
  }
  await go(dir, '');
  return out;
}
