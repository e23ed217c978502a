import assert from 'node:assert/strict';
import http from 'node:http';
import { signRequestV4 } from '../../src/auth/sigv4.js';
import { ACCESS_KEY, SECRET_KEY } from './server.js';

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export interface RawOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
  /** Connect here instead of the URL's host (e.g. a virtual host name that does not resolve); the Host header stays the URL's. */
  connectTo?: { host: string; port: number };
}

/** Sends one request as given, with no client library in between. */
export function rawRequest(url: string, opts: RawOptions = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    const options: http.RequestOptions = { method: opts.method ?? 'GET', headers };
    if (opts.connectTo) {
      options.host = opts.connectTo.host;
      options.hostname = opts.connectTo.host;
      options.port = opts.connectTo.port;
      if (!Object.keys(headers).some((k) => k.toLowerCase() === 'host')) headers.host = u.host;
    }
    const req = http.request(url, options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

export interface SignedOptions extends RawOptions {
  /** Hex sha256 of the body, or UNSIGNED-PAYLOAD (the default). */
  payloadHash?: string;
  secret?: string;
  accessKey?: string;
  date?: Date;
}

/** A SigV4-signed raw request (payload hash given, or UNSIGNED-PAYLOAD). The URL's host is the one signed. */
export function signedRequest(base: string, pathAndQuery: string, opts: SignedOptions = {}): Promise<RawResponse> {
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
  return rawRequest(url.toString(), { method: opts.method, headers, body: opts.body, connectTo: opts.connectTo });
}

/** The text of an XML element in a body (first occurrence). */
export function xmlField(body: Buffer | string, name: string): string | undefined {
  const m = new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(body.toString());
  return m?.[1];
}

/** Every text of an XML element in a body, in order. */
export function xmlFields(body: Buffer | string, name: string): string[] {
  return [...body.toString().matchAll(new RegExp(`<${name}>([\\s\\S]*?)</${name}>`, 'g'))].map((m) => m[1]);
}

/**
 * Asserts an S3 error reply: the status, an XML <Error> with the code and a
 * message, RequestId and HostId, and the x-amz-request-id header matching it.
 */
export function assertS3Error(r: RawResponse, status: number, code: string): void {
  const body = r.body.toString();
  assert.equal(r.status, status, `status ${r.status} (expected ${status}): ${body}`);
  assert.ok(r.headers['x-amz-request-id'], 'x-amz-request-id header');
  assert.ok(r.headers['x-amz-id-2'], 'x-amz-id-2 header');
  if (status === 304) return;
  assert.match(String(r.headers['content-type']), /xml/);
  assert.match(body, /^<\?xml version="1.0" encoding="UTF-8"\?>\s*<Error>/);
  assert.equal(xmlField(body, 'Code'), code, body);
  assert.ok(xmlField(body, 'Message'), 'Message');
  assert.equal(xmlField(body, 'RequestId'), r.headers['x-amz-request-id']);
  assert.ok(xmlField(body, 'HostId'), 'HostId');
}
