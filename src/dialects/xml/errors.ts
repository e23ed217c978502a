import { renderXml } from '../../api/xml.js';
import type { Vocabulary } from '../../api/vocabulary.js';
import { StorageError, isStorageError } from '../../engine/errors.js';
import type { HttpContext } from '../../http/context.js';

/** Error headers named neutrally by the engine that take the dialect's prefix on the wire. */
const PREFIXED = new Set(['delete-marker', 'version-id', 'next-append-position']);

/** The dialect's per-code fields, except those the error already carries (its detail wins). */
function omit(fields: Record<string, string> | undefined, detail: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(fields ?? {})) if (!(k in detail)) out[k] = v;
  return out;
}

/** Sends a dialect's XML error for any thrown value (unknown errors are InternalError). */
export function sendXmlError(ctx: HttpContext, v: Vocabulary, e: unknown, extraHeaders: Record<string, string>): void {
  const res = ctx.res;
  const err = isStorageError(e) ? e : new StorageError('InternalError');
  if (!isStorageError(e)) ctx.log.error({ err: e, reqId: ctx.requestId }, 'internal error');
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const wire = v.error(err.code, err.message, err.status);
  ctx.errorCode = wire.code;
  for (const name of res.getHeaderNames()) res.removeHeader(name);
  for (const [k, val] of Object.entries(extraHeaders)) res.setHeader(k, val);
  for (const [k, val] of Object.entries(err.headers)) res.setHeader(PREFIXED.has(k) ? v.prefix + k : k, val);
  res.statusCode = wire.status;
  // The rest of an unread upload is not worth receiving: answer and close.
  if (!ctx.req.complete) res.setHeader('connection', 'close');
  const body = renderXml({
    root: 'Error',
    value: { Code: wire.code, Message: wire.message, ...err.detail, RequestId: ctx.requestId, HostId: ctx.hostId, ...omit(wire.fields, err.detail) },
  });
  for (const [k, val] of Object.entries(v.errorHeaders?.(wire, body, ctx.method === 'HEAD') ?? {})) res.setHeader(k, val);
  if (wire.status === 304 || ctx.method === 'HEAD') {
    res.end();
    return;
  }
  res.setHeader('content-type', 'application/xml');
  res.setHeader('content-length', Buffer.byteLength(body));
  res.end(body);
}
