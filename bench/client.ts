/**
 * The load generator's HTTP client: node:http over a keep-alive agent, every
 * request signed with the project's own SigV4 signer (UNSIGNED-PAYLOAD).
 * Baseline and Stratus get the same signed requests, so the client's cost is
 * the same on both sides of a ratio.
 */
import http from 'node:http';
import type { Readable } from 'node:stream';
import { signRequestV4, UNSIGNED_PAYLOAD, type V4Credentials } from '../src/auth/sigv4.js';
import { awsUriEncode } from '../src/auth/uri.js';

export interface ClientResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
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
  readonly agent: http.Agent;
  private readonly host: string;
  private readonly port: number;

  constructor(
    readonly base: string,
    private readonly credentials: V4Credentials,
    connections: number,
    private readonly region = 'us-east-1',
  ) {
    const u = new URL(base);
    this.host = u.hostname;
    this.port = Number(u.port);
    this.agent = new http.Agent({ keepAlive: true, maxSockets: connections, maxFreeSockets: connections });
  }

  path(bucket: string, key?: string, query?: string): string {
    let p = '/' + bucket;
    if (key !== undefined) p += '/' + awsUriEncode(key, false);
    return query ? p + '?' + query : p;
  }

  request(o: RequestOptions): Promise<ClientResponse> {
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
    return new Promise<ClientResponse>((resolve, reject) => {
      const req = http.request({ host: this.host, port: this.port, path: p, method: o.method, headers, agent: this.agent }, (res) => {
        let bytes = 0;
        const chunks: Buffer[] | undefined = o.keepBody ? [] : undefined;
        res.on('data', (c: Buffer) => {
          bytes += c.length;
          chunks?.push(c);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, bytes, body: chunks && Buffer.concat(chunks) }));
        res.on('error', reject);
        res.on('aborted', () => reject(new Error(`${o.method} ${p}: response aborted`)));
      });
      req.on('error', reject);
      const body = o.body;
      if (body === undefined || Buffer.isBuffer(body)) req.end(body);
      else {
        body.on('error', (e) => req.destroy(e));
        body.pipe(req);
      }
    });
  }

  /** A request that must answer `expect` (2xx by default); throws with the status and body otherwise. */
  async must(o: RequestOptions, expect?: number): Promise<ClientResponse> {
    const r = await this.request({ ...o, keepBody: true });
    const ok = expect !== undefined ? r.status === expect : r.status >= 200 && r.status < 300;
    if (!ok) throw new Error(`${o.method} ${this.path(o.bucket, o.key, o.query)} -> ${r.status}: ${r.body?.toString('utf8').slice(0, 300)}`);
    return r;
  }

  /**
   * Drops idle keep-alive sockets. Needed after this process blocked its event
   * loop for longer than the server's keep-alive timeout (the synchronous
   * listing fill): the server has closed them, but the agent has not seen it
   * yet and would hand one out, failing the next request with a hang-up.
   */
  dropIdleSockets(): void {
    for (const list of Object.values(this.agent.freeSockets)) for (const s of list ?? []) s.destroy();
  }

  close(): void {
    this.agent.destroy();
  }
}
