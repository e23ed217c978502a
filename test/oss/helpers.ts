import OSS from 'ali-oss';
import http from 'node:http';
import { ossResource, signOssV1, stringToSignOssV1 } from '../../src/auth/oss-v1.js';
import type { RawResponse } from '../helpers/raw.js';
import { ACCESS_KEY, SECRET_KEY, type TestServer } from '../helpers/server.js';

export const REGION = 'oss-cn-hangzhou';

/**
 * An ali-oss client pointed at the server by IP address, as the issue asks.
 * ali-oss then sends the key alone in the path and the bucket in
 * `Host: <bucket>.<region>.aliyuncs.com`.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function ossClient(srv: TestServer, opts: Record<string, unknown> = {}): any {
  return new OSS({
    accessKeyId: ACCESS_KEY,
    accessKeySecret: SECRET_KEY,
    endpoint: `http://127.0.0.1:${srv.port}`,
    region: REGION,
    timeout: 30_000,
    ...opts,
  });
}

/** The error an ali-oss call rejects with. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function ossError(p: Promise<unknown>): Promise<any> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected the call to fail');
}

/** Deterministic bytes (no Math.random: failures must reproduce). */
export function pattern(size: number, seed = 1): Buffer {
  const b = Buffer.alloc(size);
  let x = seed * 2654435761;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

/** Bitwise CRC-64/ECMA-182 as OSS defines it (reflected, init and xorout all ones): an independent reference. */
export function crc64Reference(data: Buffer): string {
  const poly = 0xc96c5795d7870f42n;
  let crc = 0xffffffffffffffffn;
  for (const byte of data) {
    crc ^= BigInt(byte);
    for (let i = 0; i < 8; i++) crc = crc & 1n ? (crc >> 1n) ^ poly : crc >> 1n;
  }
  return (crc ^ 0xffffffffffffffffn).toString();
}

/** A raw request to the server (no client library), with an optional Host override. */
export function rawOss(
  srv: TestServer,
  path: string,
  opts: { method?: string; headers?: Record<string, string>; body?: Buffer | string; headersOnly?: boolean } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: srv.port, path, method: opts.method ?? 'GET', headers: opts.headers, agent: false }, (res) => {
      if (opts.headersOnly) {
        res.on('error', () => undefined);
        res.destroy();
        resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.alloc(0) });
        return;
      }
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** A V1-signed raw request, path style (`/bucket/key`), signing with `secret`. */
export function signedV1(
  srv: TestServer,
  method: string,
  bucket: string,
  key: string | undefined,
  opts: { query?: string; headers?: Record<string, string>; body?: Buffer | string; secret?: string; accessKey?: string; headersOnly?: boolean } = {},
): Promise<RawResponse> {
  const headers: Record<string, string> = { date: new Date().toUTCString(), ...(opts.headers ?? {}) };
  const sts = stringToSignOssV1({ method, headers, resource: ossResource(bucket, key), rawQuery: opts.query ?? '', date: headers.date! });
  headers.authorization = `OSS ${opts.accessKey ?? ACCESS_KEY}:${signOssV1(opts.secret ?? SECRET_KEY, sts)}`;
  const path = `/${bucket}/${key ? encodeURIComponent(key).replace(/%2F/g, '/') : ''}${opts.query ? '?' + opts.query : ''}`;
  return rawOss(srv, path, { method, headers, body: opts.body, headersOnly: opts.headersOnly });
}

/** The text of an XML element in a body (first occurrence). */
export function field(body: Buffer | string, name: string): string | undefined {
  const m = new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(body.toString());
  return m?.[1];
}
