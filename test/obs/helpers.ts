import ObsClient from 'esdk-obs-nodejs';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { LookupFunction } from 'node:net';
import { ACCESS_KEY, SECRET_KEY, startTestServer, type TestServer } from '../helpers/server.js';

/**
 * How the tests drive esdk-obs-nodejs (unmodified):
 * - 'v2': `signature: 'v2'` against `http://127.0.0.1:PORT`, path style. With
 *   an IP endpoint the SDK forces path style, and path style forces the
 *   AWS-compatible signature even when `signature: 'obs'` is asked for
 *   (utils.js initFactory), so against an IP the SDK always speaks 'v2'.
 * - 'obs': the OBS signature needs virtual-hosted addressing, so the client
 *   uses `http://obs.stratus.test:PORT` with an http agent whose DNS lookup
 *   answers 127.0.0.1 for every name (client configuration only). The SDK
 *   then also runs its signature negotiation (HEAD ?apiversion) first.
 */
export type ObsMode = 'obs' | 'v2';
export const OBS_MODES: ObsMode[] = ['obs', 'v2'];
export const OBS_DOMAIN = 'obs.stratus.test';

const toLoopback: LookupFunction = (_host, opts, cb) => {
  if (typeof opts === 'object' && opts.all) (cb as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address: '127.0.0.1', family: 4 }]);
  else cb(null, '127.0.0.1', 4);
};

export function startObsServer(): Promise<TestServer> {
  return startTestServer({ domains: ['localhost', OBS_DOMAIN] });
}

export async function obsClient(t: TestServer, mode: ObsMode, extra: Record<string, unknown> = {}): Promise<ObsClient> {
  const endpoint =
    mode === 'obs'
      ? { server: `http://${OBS_DOMAIN}:${t.port}`, signature: 'obs', http_agent: new http.Agent({ lookup: toLoopback }) }
      : { server: `http://127.0.0.1:${t.port}`, signature: 'v2' };
  const c = new ObsClient({ access_key_id: ACCESS_KEY, secret_access_key: SECRET_KEY, max_retry_count: 0, timeout: 60, ...endpoint, ...extra });
  // The constructor finishes its set-up a tick later.
  await new Promise((r) => setImmediate(r));
  return c;
}

/** The result of a call that must succeed. */
export async function ok<T = any>(p: Promise<ObsClient.Result>): Promise<T> {
  const r = await p;
  assert.ok(r.CommonMsg.Status < 300, `expected success, got ${r.CommonMsg.Status} ${r.CommonMsg.Code}: ${r.CommonMsg.Message}`);
  return r.InterfaceResult as T;
}

/** The common message of a call that must fail. */
export async function fails(p: Promise<ObsClient.Result>, status: number, code?: string): Promise<ObsClient.CommonMsg> {
  const r = await p;
  assert.equal(r.CommonMsg.Status, status, `expected ${status} ${code ?? ''}, got ${r.CommonMsg.Status} ${r.CommonMsg.Code}: ${r.CommonMsg.Message}`);
  if (code !== undefined) assert.equal(r.CommonMsg.Code, code);
  return r.CommonMsg;
}

/** Reads an SDK stream body (SaveAsStream) whole. */
export async function readAll(s: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of s) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
