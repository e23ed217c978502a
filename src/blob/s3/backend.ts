/**
 * The S3 requests the S3 blob store makes of the other system: path-style
 * URLs, signed with the project's SigV4 signer (src/auth, the code the server
 * verifies with), keep-alive connections, a stall timeout on every exchange,
 * and a few retries for requests that can be sent again.
 */
import http from 'node:http';
import https from 'node:https';
import { XMLParser } from 'fast-xml-parser';
import { EMPTY_SHA256, sha256Hex, signRequestV4, UNSIGNED_PAYLOAD } from '../../auth/sigv4.js';
import { awsUriEncode } from '../../auth/uri.js';
import { WatchedBody } from './watched-body.js';

export interface BackendOptions {
  endpoint: string;
  bucket: string;
  accessKey: string;
  secretKey: string;
  region: string;
  /** No byte either way for this long: the exchange fails. */
  timeoutMs: number;
  maxSockets?: number;
  /** What a body that stalls or is cut becomes (default: the BackendError itself). */
  bodyError?: (e: BackendError) => Error;
}

/** A failure of the other system or of the way to it; `status` when it answered. */
export class BackendError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    /** The S3 error code it answered with, if any. */
    readonly code?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'BackendError';
  }
}

export interface BackendRequest {
  method: 'GET' | 'HEAD' | 'PUT' | 'POST' | 'DELETE';
  /** Object key; none: the bucket itself. */
  key?: string;
  /** Query parameters in order; '' values are sent bare (`?uploads`). */
  query?: [string, string][];
  headers?: Record<string, string>;
  /** A body held in memory (signed by its hash; the request can be sent again). */
  body?: Buffer | Buffer[];
  /** A body written by the caller, of this length (UNSIGNED-PAYLOAD; never sent twice). */
  stream?: { length: number; write(req: http.ClientRequest): Promise<void> };
}

export interface BackendResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The body, failing on a stall (see WatchedBody). */
  body: WatchedBody;
}

const RETRYABLE = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ECONNABORTED', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
const RETRY_DELAYS_MS = [50, 250];

const xml = new XMLParser({ ignoreAttributes: true, removeNSPrefix: true, parseTagValue: false, trimValues: true, processEntities: true, ignoreDeclaration: true });

/** The elements of a parsed XML node that may be one or many. */
export function many<T>(v: T | T[] | undefined): T[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

export function parseXmlBody(text: string): Record<string, unknown> {
  try {
    return (xml.parse(text) ?? {}) as Record<string, unknown>;
  } catch (e) {
    throw new BackendError('the blob store answered with malformed XML', undefined, undefined, { cause: e });
  }
}

export class S3Backend {
  private readonly agent: http.Agent;
  private readonly mod: typeof http | typeof https;
  private readonly base: string;

  constructor(private readonly o: BackendOptions) {
    const url = new URL(o.endpoint);
    this.mod = url.protocol === 'https:' ? https : http;
    this.agent = new this.mod.Agent({ keepAlive: true, maxSockets: o.maxSockets ?? 256, scheduling: 'lifo' });
    this.base = `${url.origin}/${awsUriEncode(o.bucket, true)}`;
  }

  get timeoutMs(): number {
    return this.o.timeoutMs;
  }

  destroy(): void {
    this.agent.destroy();
  }

  private urlOf(key: string | undefined, query: [string, string][] = []): URL {
    const path = key === undefined ? this.base : `${this.base}/${awsUriEncode(key, false)}`;
    const qs = query.map(([k, v]) => (v === '' ? awsUriEncode(k, true) : `${awsUriEncode(k, true)}=${awsUriEncode(v, true)}`)).join('&');
    return new URL(qs ? `${path}?${qs}` : path);
  }

  /**
   * One exchange: resolves once the response headers are in (the body is the
   * caller's to read or drop), rejects with a BackendError for a network
   * failure or a stall. A streamed body's own error wins over the
   * connection's (the client's upload failed, not the backend).
   */
  send(r: BackendRequest, expectedLength?: (status: number, headers: http.IncomingHttpHeaders) => number | undefined): Promise<BackendResponse> {
    const url = this.urlOf(r.key, r.query);
    const headers: Record<string, string> = { ...r.headers };
    let payloadHash = UNSIGNED_PAYLOAD;
    const parts = r.body === undefined ? undefined : Array.isArray(r.body) ? r.body : [r.body];
    if (parts) {
      headers['content-length'] = String(parts.reduce((n, b) => n + b.length, 0));
      // Small bodies (XML, leases) are signed; data is sent UNSIGNED-PAYLOAD, as a streamed one is.
      payloadHash = parts.length === 1 && parts[0]!.length <= 64 * 1024 ? sha256Hex(parts[0]!) : UNSIGNED_PAYLOAD;
    } else if (r.stream) headers['content-length'] = String(r.stream.length);
    else if (r.method === 'PUT' || r.method === 'POST') {
      headers['content-length'] = '0';
      payloadHash = EMPTY_SHA256;
    }
    signRequestV4({ method: r.method, url, headers, payloadHash, credentials: { accessKeyId: this.o.accessKey, secretAccessKey: this.o.secretKey }, region: this.o.region });
    return new Promise<BackendResponse>((resolve, reject) => {
      let settled = false;
      // The streamed body's own failure (the client's upload broke, or was too long) wins over what it did to the connection.
      let bodyError: unknown;
      const fail = (e: unknown) => {
        if (settled) return;
        settled = true;
        reject(bodyError !== undefined && !(bodyError instanceof BackendError) ? bodyError : e);
      };
      const req = this.mod.request(url, { method: r.method, headers, agent: this.agent });
      req.setTimeout(this.o.timeoutMs, () => req.destroy(new BackendError(`no answer from the blob store within ${this.o.timeoutMs} ms`, undefined, 'Timeout')));
      req.on('error', (e) => fail(e instanceof BackendError ? e : new BackendError(`cannot reach the blob store: ${e.message}`, undefined, (e as NodeJS.ErrnoException).code, { cause: e })));
      let written = !r.stream;
      const writing = r.stream
        ? r.stream.write(req).then(
            () => void req.end(),
            (e: unknown) => {
              bodyError = e;
              req.destroy();
              throw e;
            },
          )
        : Promise.resolve();
      if (r.stream) writing.then(() => (written = true), fail);
      else if (parts && parts.length > 1) {
        void (async () => {
          for (const p of parts) {
            if (req.destroyed) return;
            if (!req.write(p)) await waitDrain(req);
          }
          req.end();
        })();
      } else req.end(parts?.[0]);
      req.on('response', (res) => {
        // From here the body's own watch applies: it pauses with a slow reader.
        req.setTimeout(0);
        const status = res.statusCode ?? 0;
        const body = new WatchedBody(res, this.o.timeoutMs, expectedLength?.(status, res.headers), (why, cause) => {
          const e = new BackendError(why, undefined, 'Timeout', { cause });
          return this.o.bodyError ? this.o.bodyError(e) : e;
        });
        if (!written && (status < 200 || status > 299)) {
          // A refusal before the whole body went: stop sending, it will not be read. (A success
          // means every declared byte arrived; the source may still be checking its end.)
          body.destroy();
          req.destroy();
          fail(new BackendError(`the blob store answered ${r.method} ${r.key ?? '(bucket)'} with ${status} before the body was sent`, status));
          return;
        }
        writing.then(
          () => {
            if (settled) return void body.destroy();
            settled = true;
            resolve({ status, headers: res.headers, body });
          },
          (e: unknown) => {
            body.destroy();
            fail(e);
          },
        );
      });
    });
  }

  /** `send` for requests that may be sent again: network failures and 5xx answers are retried twice. */
  async call(r: BackendRequest, expectedLength?: Parameters<S3Backend['send']>[1]): Promise<BackendResponse> {
    for (let attempt = 0; ; attempt++) {
      const last = attempt >= RETRY_DELAYS_MS.length;
      let res: BackendResponse;
      try {
        res = await this.send(r, expectedLength);
      } catch (e) {
        if (last || !(e instanceof BackendError) || !e.code || !RETRYABLE.has(e.code)) throw e;
        await sleep(RETRY_DELAYS_MS[attempt]!);
        continue;
      }
      if (res.status < 500 || last) return res;
      res.body.destroy();
      await sleep(RETRY_DELAYS_MS[attempt]!);
    }
  }

  /** Sends, reads the whole (small) answer, and fails unless its status is one of `ok`. */
  async text(r: BackendRequest, ok: number[] = [200]): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> {
    const res = await this.call(r);
    const buf = await collect(res.body, 16 * 1024 * 1024);
    const text = buf.toString('utf8');
    if (!ok.includes(res.status)) throw errorOf(r, res.status, text);
    return { status: res.status, headers: res.headers, text };
  }
}

/** A BackendError for an unexpected answer, with the S3 error code its body names. */
export function errorOf(r: { method: string; key?: string }, status: number, text: string): BackendError {
  const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1];
  return new BackendError(`the blob store answered ${r.method} ${r.key ?? '(bucket)'} with ${status}${code ? ` ${code}` : ''}`, status, code);
}

export async function collect(body: AsyncIterable<Buffer>, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of body) {
    n += c.length;
    if (n > limit) throw new BackendError(`the blob store's answer is larger than ${limit} bytes`);
    chunks.push(c);
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, n);
}

/** Resolves on 'drain', or when the request closes (its error is reported elsewhere). */
export function waitDrain(req: http.ClientRequest): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      req.off('drain', done);
      req.off('close', done);
      resolve();
    };
    req.on('drain', done);
    req.on('close', done);
  });
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
