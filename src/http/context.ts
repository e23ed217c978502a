import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';

// Request ids: a random per-process prefix and a counter. Unique across gateways
// and restarts in practice, and far cheaper per request than fresh random bytes.
const PROCESS_TAG = randomBytes(5).toString('hex').toUpperCase();
const HOST_TAG = randomBytes(18).toString('base64');
let sequence = 0;

/** One HTTP request as every dialect sees it. The raw path and query are kept for signature checks. */
export class HttpContext {
  readonly requestId: string;
  readonly hostId: string;
  readonly rawPath: string;
  readonly rawQuery: string;
  readonly startedAt = Date.now();
  /** The action the request's route names, once a dialect has routed it (metrics label it by this). */
  action?: string;
  /** The signer's account id once a dialect has authenticated the request (access logs name it). */
  requester?: string;
  /** The error code the answer carries, in the dialect's words, when it is an error (access logs name it). */
  errorCode?: string;
  private _query?: Map<string, string>;

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly log: Logger,
  ) {
    sequence = (sequence + 1) % 0x1000000;
    const seq = sequence.toString(16).toUpperCase().padStart(6, '0');
    this.requestId = PROCESS_TAG + seq;
    this.hostId = HOST_TAG + Buffer.from(seq, 'hex').toString('base64');
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    this.rawPath = q < 0 ? url : url.slice(0, q);
    this.rawQuery = q < 0 ? '' : url.slice(q + 1);
  }

  get method(): string {
    return this.req.method ?? 'GET';
  }

  /** Decoded query parameters (first value wins); `+` stays literal as in S3. */
  get query(): Map<string, string> {
    if (!this._query) {
      const m = new Map<string, string>();
      if (this.rawQuery) {
        for (const part of this.rawQuery.split('&')) {
          if (!part) continue;
          const eq = part.indexOf('=');
          const k = decodeLoose(eq < 0 ? part : part.slice(0, eq));
          if (!m.has(k)) m.set(k, eq < 0 ? '' : decodeLoose(part.slice(eq + 1)));
        }
      }
      this._query = m;
    }
    return this._query;
  }

  header(name: string): string | undefined {
    const v = this.req.headers[name];
    return Array.isArray(v) ? v.join(',') : v;
  }
}

function decodeLoose(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
