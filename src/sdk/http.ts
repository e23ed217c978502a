/**
 * The SDK's HTTP layer: node:http / node:https with a keep-alive agent, an
 * idle timeout, cancellation by AbortSignal, and retries with exponential
 * backoff (full jitter) on network errors and 5xx answers, never on 4xx.
 * Each attempt is rebuilt by the caller's `prepare` so it is signed afresh
 * (new date) and gets a fresh body stream.
 */
import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import { abortError, clientError, StratusError, type DialectName } from './errors.js';

export interface HttpOptions {
  /** Socket idle timeout (no bytes either way), ms; default 60000. */
  timeoutMs?: number;
  /** Retries after the first attempt; default 3. */
  maxRetries?: number;
  /** First backoff ceiling, ms (doubles per retry, full jitter); default 200. */
  retryBaseDelayMs?: number;
  /** Largest backoff, ms; default 5000. */
  retryMaxDelayMs?: number;
  /** Agent to use (default: a keep-alive agent owned by the client). */
  agent?: http.Agent;
  /** Connections per host for the default agent; default 64. */
  maxSockets?: number;
  userAgent?: string;
  /** HTTPS: certificate authorities to trust (PEM), instead of Node's bundled ones. */
  ca?: string | Buffer;
  /** HTTPS: accept any certificate (self-signed test servers only). */
  insecure?: boolean;
}

export interface PreparedRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  /** A buffer, or a stream made for this attempt. */
  body?: Buffer | Readable;
}

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: http.IncomingMessage;
}

export interface SendOptions {
  signal?: AbortSignal;
  /** False when the body cannot be sent twice (a caller's stream): no retry then. */
  replayable?: boolean;
  /** Called before each retry (tests and logs). */
  onRetry?: (attempt: number, reason: unknown) => void;
}

const RETRYABLE_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
]);

/** A network-level failure worth another attempt. */
export function isRetryableNetworkError(e: unknown): boolean {
  if (e instanceof StratusError) return e.code === 'NetworkError' || e.code === 'Timeout';
  const code = (e as { code?: string } | undefined)?.code;
  return typeof code === 'string' && RETRYABLE_CODES.has(code);
}

export function isRetryableStatus(status: number): boolean {
  return status >= 500 && status <= 599;
}

export class HttpClient {
  readonly agent: http.Agent;
  readonly #ownAgent: boolean;
  readonly #opts: Required<Omit<HttpOptions, 'agent' | 'userAgent' | 'maxSockets' | 'ca' | 'insecure'>> & { userAgent?: string };

  constructor(
    readonly dialect: DialectName,
    endpoint: URL,
    opts: HttpOptions = {},
  ) {
    this.#opts = {
      timeoutMs: opts.timeoutMs ?? 60_000,
      maxRetries: opts.maxRetries ?? 3,
      retryBaseDelayMs: opts.retryBaseDelayMs ?? 200,
      retryMaxDelayMs: opts.retryMaxDelayMs ?? 5000,
      userAgent: opts.userAgent,
    };
    if (opts.agent) {
      this.agent = opts.agent;
      this.#ownAgent = false;
    } else {
      const common = { keepAlive: true, maxSockets: opts.maxSockets ?? 64, scheduling: 'lifo' as const };
      this.agent =
        endpoint.protocol === 'https:'
          ? new https.Agent({ ...common, ...(opts.ca !== undefined ? { ca: opts.ca } : {}), ...(opts.insecure ? { rejectUnauthorized: false } : {}) })
          : new http.Agent(common);
      this.#ownAgent = true;
    }
  }

  get maxRetries(): number {
    return this.#opts.maxRetries;
  }

  /** Closes the pooled connections (only of an agent the client made). */
  destroy(): void {
    if (this.#ownAgent) this.agent.destroy();
  }

  /**
   * Sends a request, rebuilt by `prepare` for every attempt. Resolves with
   * the last response, whatever its status (a 5xx only after the retries are
   * spent); rejects with a StratusError for network failures, timeouts and
   * aborts.
   */
  async send(prepare: (attempt: number) => Promise<PreparedRequest>, o: SendOptions = {}): Promise<HttpResponse> {
    const replayable = o.replayable ?? true;
    const retries = replayable ? this.#opts.maxRetries : 0;
    for (let attempt = 0; ; attempt++) {
      if (o.signal?.aborted) throw abortError(this.dialect, o.signal);
      let res: HttpResponse | undefined;
      let failure: unknown;
      try {
        res = await this.#once(await prepare(attempt), o.signal);
      } catch (e) {
        if (o.signal?.aborted) throw abortError(this.dialect, o.signal);
        failure = e;
      }
      if (res && !(isRetryableStatus(res.status) && attempt < retries)) return res;
      if (failure !== undefined && !(isRetryableNetworkError(failure) && attempt < retries)) throw this.#wrap(failure);
      if (res) res.body.resume(); // drop the 5xx body before trying again
      o.onRetry?.(attempt + 1, failure ?? res?.status);
      await this.#sleep(this.#backoff(attempt), o.signal);
    }
  }

  #backoff(attempt: number): number {
    const ceiling = Math.min(this.#opts.retryMaxDelayMs, this.#opts.retryBaseDelayMs * 2 ** attempt);
    return Math.floor(Math.random() * ceiling);
  }

  #sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(abortError(this.dialect, signal));
      const onAbort = () => {
        clearTimeout(timer);
        reject(abortError(this.dialect, signal));
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  #wrap(e: unknown): StratusError {
    if (e instanceof StratusError) return e;
    const err = e as NodeJS.ErrnoException;
    return clientError(this.dialect, 'NetworkError', `network error: ${err?.message ?? String(e)}${err?.code ? ` (${err.code})` : ''}`, e);
  }

  #once(p: PreparedRequest, signal?: AbortSignal): Promise<HttpResponse> {
    const mod = p.url.protocol === 'https:' ? https : http;
    const headers: Record<string, string> = { ...p.headers };
    if (this.#opts.userAgent && !Object.keys(headers).some((k) => k.toLowerCase() === 'user-agent')) headers['user-agent'] = this.#opts.userAgent;
    if (Buffer.isBuffer(p.body) && !Object.keys(headers).some((k) => k.toLowerCase() === 'content-length')) {
      headers['content-length'] = String(p.body.length);
    }
    return new Promise<HttpResponse>((resolve, reject) => {
      let settled = false;
      const fail = (e: unknown) => {
        if (settled) return;
        settled = true;
        reject(e);
      };
      const req = mod.request(p.url, { method: p.method, headers, agent: this.agent, signal }, (res) => {
        settled = true;
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res });
      });
      req.setTimeout(this.#opts.timeoutMs, () => {
        req.destroy(clientError(this.dialect, 'Timeout', `no data for ${this.#opts.timeoutMs} ms from ${p.url.host}`));
      });
      req.on('error', fail);
      const body = p.body;
      if (body === undefined) req.end();
      else if (Buffer.isBuffer(body)) req.end(body);
      else {
        body.on('error', (e: NodeJS.ErrnoException) => {
          const err = clientError(this.dialect, 'LocalIOError', `cannot read the request body: ${e.message}`, e);
          req.destroy(err);
          fail(err);
        });
        body.pipe(req);
      }
    });
  }
}

/** Reads a whole (small) response body. */
export async function readAll(stream: NodeJS.ReadableStream, limit = 64 * 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of stream as AsyncIterable<Buffer>) {
    n += c.length;
    if (n > limit) throw new Error(`response body larger than ${limit} bytes`);
    chunks.push(c);
  }
  return Buffer.concat(chunks);
}
