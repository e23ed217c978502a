/**
 * Valid signed requests for the fuzz tests, one builder per scheme, so a
 * mutated body (or query) still reaches its parser: SigV4 (payload hash of
 * the body as sent), SigV2, OSS V1 / V4 (the server's region, us-east-1) and OBS,
 * all path style on 127.0.0.1.
 */
import { createHash } from 'node:crypto';
import { signObsRequest } from '../../src/auth/obs.js';
import { signRequestOssV1 } from '../../src/auth/oss-v1.js';
import { signRequestOssV4 } from '../../src/auth/oss-v4.js';
import { signRequestV2 } from '../../src/auth/sigv2.js';
import { signRequestV4 } from '../../src/auth/sigv4.js';
import { ACCESS_KEY, SECRET_KEY } from '../helpers/server.js';
import type { WireRequest } from './fuzz.js';

export const CREDENTIALS = { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY };
export type Scheme = 'v4' | 'v2' | 'oss1' | 'oss4' | 'obs';

export const md5b64 = (b: Buffer) => createHash('md5').update(b).digest('base64');
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** base64 CRC-32 of the data (x-amz-checksum-crc32, and the aws-chunked trailer). */
export function crc32b64(data: Buffer): string {
  let c = ~0;
  for (const b of data) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  const out = Buffer.alloc(4);
  out.writeUInt32BE(~c >>> 0);
  return out.toString('base64');
}

export interface Unsigned {
  method: string;
  bucket?: string;
  key?: string;
  /** Raw query, without '?'. */
  query?: string;
  headers?: Record<string, string>;
  body?: Buffer;
  /** Add Content-MD5 of the body (operations that require an integrity header). */
  md5?: boolean;
}

/** The request target: /bucket/key?query, the key encoded as the SDKs do. */
export function targetOf(u: Unsigned): string {
  const key = u.key === undefined ? '' : encodeURIComponent(u.key).replace(/%2F/g, '/');
  const p = u.bucket ? `/${u.bucket}${u.key !== undefined ? '/' + key : ''}` : '/';
  return p + (u.query ? '?' + u.query : '');
}

/** Signs `u` with `scheme` for a server on `port`. */
export function signed(port: number, scheme: Scheme, u: Unsigned): WireRequest {
  const body = u.body ?? Buffer.alloc(0);
  const target = targetOf(u);
  const url = new URL(`http://127.0.0.1:${port}${target}`);
  const headers: Record<string, string> = { host: url.host, ...(u.headers ?? {}) };
  if (u.md5) headers['content-md5'] = md5b64(body);
  switch (scheme) {
    case 'v4':
      signRequestV4({ method: u.method, url, headers, payloadHash: sha256(body), credentials: CREDENTIALS, region: 'us-east-1' });
      break;
    case 'v2':
      signRequestV2({ method: u.method, url, headers, credentials: CREDENTIALS });
      break;
    case 'oss1':
      signRequestOssV1({ method: u.method, bucket: u.bucket, key: u.key, rawQuery: u.query ?? '', headers, credentials: CREDENTIALS });
      break;
    case 'oss4':
      signRequestOssV4({ method: u.method, bucket: u.bucket, key: u.key, rawQuery: u.query ?? '', headers, credentials: CREDENTIALS, region: 'us-east-1' });
      break;
    case 'obs':
      signObsRequest({ method: u.method, url, headers, credentials: CREDENTIALS, family: 'obs' });
      break;
  }
  return { method: u.method, target, headers, body };
}
