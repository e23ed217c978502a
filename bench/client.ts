/**
 * The load generator's HTTP client: an undici `Pool` (keep-alive, one request
 * in flight per connection), every request signed with the project's own SigV4
 * signer (UNSIGNED-PAYLOAD). undici costs the generator a fraction of what
 * node:http does, so on two cores the bare baseline can be driven near its
 * limit rather than the generator's. Baseline and Stratus get the same signed
 * requests, so the client's cost is the same on both sides of a ratio.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { Pool } from 'undici';
import { signRequestV4, UNSIGNED_PAYLOAD, type V4Credentials } from '../src/auth/sigv4.js';
import { awsUriEncode } from '../src/auth/uri.js';

export interface ClientResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** Bytes received in the body. */
  bytes: number;
  /** The body, when asked for with `keepBody`. */
  body?: Buffer;
}

export interface RequestOptions {
  method: string;
  bucket: string;
  key?: string;
  /** Raw query string without '?', already encoded. */
  query?: string;
  headers?: Record<string, string>;
  /** A whole body, or a stream with `contentLength` set. */
  body?: Buffer | Readable;
  contentLength?: number;
  keepBody?: boolean;
}

export class BenchClient {
  private pool: Pool;

  constructor(
    readonly base: string,
    private readonly credentials: V4Credentials,
    private readonly connections: number,
    private readonly region = 'us-east-1',
  ) {
    this.pool = this.newPool();
  }

  private newPool(): Pool {
    // Long timeouts: the big-object rows stream a GiB through one request.
    return new Pool(new URL(this.base).origin, { connections: this.connections, pipelining: 1, headersTimeout: 600_000, bodyTimeout: 600_000 });
  }

  path(bucket: string, key?: string, query?: string): string {
    let p = '/' + bucket;
    if (key !== undefined) p += '/' + awsUriEncode(key, false);
    return query ? p + '?' + query : p;
  }

  async request(o: RequestOptions): Promise<ClientResponse> {
    const p = this.path(o.bucket, o.key, o.query);
    const headers: Record<string, string> = { ...(o.headers ?? {}) };
    const length = Buffer.isBuffer(o.body) ? o.body.length : o.contentLength;
    if (length !== undefined) headers['content-length'] = String(length);
    signRequestV4({
      method: o.method,
      url: new URL(p, this.base),
      headers,
      payloadHash: UNSIGNED_PAYLOAD,
      credentials: this.credentials,
      region: this.region,
    });
    const res = await this.pool.request({
      path: p,
      method: o.method as 'GET',
      headers,
      body: o.body,
      // undici closes the connection after a HEAD unless told not to (for servers that send a body
      // anyway); both servers here are well-behaved, and a new connection per HEAD would be measured.
      reset: false,
    });
    let bytes = 0;
    const chunks: Buffer[] | undefined = o.keepBody ? [] : undefined;
    for await (const c of res.body as AsyncIterable<Buffer>) {
      bytes += c.length;
      chunks?.push(c);
    }
    return { status: res.statusCode, headers: res.headers as IncomingHttpHeaders, bytes, body: chunks && Buffer.concat(chunks) };
  }

  /** A request that must answer `expect` (2xx by default); throws with the status and body otherwise. */
  async must(o: RequestOptions, expect?: number): Promise<ClientResponse> {
    const r = await this.request({ ...o, keepBody: true });
    const ok = expect !== undefined ? r.status === expect : r.status >= 200 && r.status < 300;
    if (!ok) throw new Error(`${o.method} ${this.path(o.bucket, o.key, o.query)} -> ${r.status}: ${r.body?.toString('utf8').slice(0, 300)}`);
    return r;
  }

  /**
   * Drops idle keep-alive connections. Needed after this process blocked its
   * event loop for longer than the server's keep-alive timeout (the synchronous
   * listing fill): the server has closed them, but the pool has not seen it
   * yet and would hand one out, failing the next request.
   */
  dropIdleSockets(): void {
    const old = this.pool;
    this.pool = this.newPool();
    void old.close();
  }

  close(): void {
    void this.pool.close();
  }
}
