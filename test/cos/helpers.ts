import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { cosEncodePath, signMore, signOnce } from '../../src/auth/cos-v4.js';
import type { ConfigInput } from '../../src/server/config.js';
import { CosClient, type CosResult } from '../../src/sdk/cos/client.js';
import { buildForm, type FormField } from '../../src/sdk/cos/form.js';
import { rawRequest, type RawResponse } from '../helpers/raw.js';
import { ACCESS_KEY, SECRET_KEY, bucketName, startTestServer, type TestServer } from '../helpers/server.js';

export const APPID = '1250000000';
export const CRED = { appid: APPID, secretId: ACCESS_KEY, secretKey: SECRET_KEY };

export interface CosTestServer extends TestServer {
  cos: CosClient;
  bucket: string;
  /** A raw COS API request (no client in between). */
  api(path: string, opts?: ApiRequest): Promise<RawResponse & { json: CosResult }>;
  /** The API URL path of a cos path in the test bucket. */
  apiPath(cosPath: string, bucket?: string): string;
}

export interface ApiRequest {
  method?: string;
  sign?: string | null;
  query?: string;
  headers?: Record<string, string>;
  json?: unknown;
  form?: FormField[];
  body?: Buffer | string;
  bucket?: string;
}

/** A test server with a bucket (made through S3) and a COS client on it. */
export async function startCosServer(overrides: ConfigInput = {}, clientOpts: { sliceThreshold?: number } = {}): Promise<CosTestServer> {
  const t = await startTestServer(overrides);
  const bucket = bucketName('cos');
  await t.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const appid = overrides.appid ?? APPID;
  const cos = new CosClient({ appid, secretId: ACCESS_KEY, secretKey: SECRET_KEY, endpoint: t.url, sliceThreshold: clientOpts.sliceThreshold });
  const apiPath = (cosPath: string, b = bucket) => `/files/v2/${appid}/${b}${cosEncodePath(cosPath)}`;
  return {
    ...t,
    cos,
    bucket,
    apiPath,
    async api(path, o = {}) {
      const headers: Record<string, string> = { ...(o.headers ?? {}) };
      if (o.sign !== null) headers.authorization = o.sign ?? signMore({ ...CRED, appid }, o.bucket ?? bucket, decodeURIComponent(path.replace(/^\/files\/v2\/\d+\/[^/]+/, '')) || '/', 600);
      let body = o.body;
      if (o.json !== undefined) {
        headers['content-type'] ??= 'application/json';
        body = JSON.stringify(o.json);
      } else if (o.form) {
        const f = buildForm(o.form);
        headers['content-type'] ??= f.contentType;
        body = f.body;
      }
      if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
      const r = await rawRequest(t.url + path + (o.query ? '?' + o.query : ''), { method: o.method ?? 'POST', headers, body });
      let json: CosResult;
      try {
        json = JSON.parse(r.body.toString()) as CosResult;
      } catch {
        json = { code: NaN, message: r.body.toString() };
      }
      return { ...r, json };
    },
  };
}

export { signMore, signOnce };

/** Deterministic test bytes. */
export function bytes(n: number, seed = 1): Buffer {
  const b = Buffer.alloc(n);
  let x = seed * 2654435761;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

export function assertOk(r: CosResult, what = 'request'): CosResult {
  if (r.code !== 0) throw new Error(`${what} failed: ${r.code} ${r.message}`);
  return r;
}
