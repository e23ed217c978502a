import http from 'node:http';
import { signRequestV4 } from '../../src/auth/sigv4.js';
import { ACCESS_KEY, SECRET_KEY } from './server.js';

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** Sends one request as given, with no client library in between. */
export function rawRequest(url: string, opts: { method?: string; headers?: Record<string, string>; body?: Buffer | string } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: opts.method ?? 'GET', headers: opts.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** A SigV4-signed raw request (payload hash given, or UNSIGNED-PAYLOAD). */
export function signedRequest(
  base: string,
  pathAndQuery: string,
  opts: { method?: string; headers?: Record<string, string>; body?: Buffer | string; payloadHash?: string; secret?: string; accessKey?: string; date?: Date } = {},
): Promise<RawResponse> {
  const url = new URL(pathAndQuery, base);
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  signRequestV4({
    method: opts.method ?? 'GET',
    url,
    headers,
    payloadHash: opts.payloadHash,
    credentials: { accessKeyId: opts.accessKey ?? ACCESS_KEY, secretAccessKey: opts.secret ?? SECRET_KEY },
    region: 'us-east-1',
    service: 's3',
    date: opts.date,
  });
  return rawRequest(url.toString(), { method: opts.method, headers, body: opts.body });
}

/** The text of an XML element in a body (first occurrence). */
export function xmlField(body: Buffer | string, name: string): string | undefined {
  const m = new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(body.toString());
  return m?.[1];
}
