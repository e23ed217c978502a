import { pipeline } from 'node:stream/promises';
import { isDirectSource } from '../blob/blob-stream.js';
import type { HttpContext } from './context.js';
import { isXmlDoc, type Reply } from './reply.js';

/**
 * Writes a reply. Streams go through pipeline so a client that disconnects
 * mid-download releases the file handle, and a read error mid-stream cuts the
 * connection instead of sending a short body that looks whole.
 */
const CLIENT_GONE = new Set(['ERR_STREAM_PREMATURE_CLOSE', 'ECONNRESET', 'EPIPE', 'ERR_STREAM_DESTROYED']);

export async function sendReply(ctx: HttpContext, reply: Reply, renderXml: (doc: { root: string; value: Record<string, unknown> }) => string): Promise<void> {
  const res = ctx.res;
  res.statusCode = reply.status;
  try {
    for (const [k, v] of Object.entries(reply.headers ?? {})) {
      if (v !== undefined) res.setHeader(k, typeof v === 'number' ? String(v) : v);
    }
  } catch (e) {
    // A header Node refuses: the opened body (a blob handle) is released now, not at GC.
    if (reply.body && typeof (reply.body as { destroy?: unknown }).destroy === 'function') (reply.body as { destroy(): void }).destroy();
    throw e;
  }
  let body = reply.body;
  if (isXmlDoc(body)) {
    body = renderXml(body);
    if (!res.hasHeader('content-type')) res.setHeader('content-type', 'application/xml');
  }
  if (body === undefined) {
    if (!res.hasHeader('content-length') && reply.status !== 204 && reply.status !== 304) res.setHeader('content-length', '0');
    res.end();
    return;
  }
  if (typeof body === 'string' || Buffer.isBuffer(body)) {
    if (!res.hasHeader('content-length')) res.setHeader('content-length', String(Buffer.byteLength(body)));
    res.end(ctx.method === 'HEAD' ? undefined : body);
    return;
  }
  if (ctx.method === 'HEAD') {
    body.destroy();
    res.end();
    return;
  }
  try {
    if (isDirectSource(body)) {
      await body.writeTo(res);
      res.end();
    } else {
      await pipeline(body, res);
    }
  } catch (e) {
    res.destroy();
    // A client that goes away mid-download is ordinary, not a server fault worth a warning.
    const gone = CLIENT_GONE.has((e as NodeJS.ErrnoException).code ?? '') || (ctx.res.destroyed && (e as Error).message === 'destination closed');
    if (gone) ctx.log.debug({ reqId: ctx.requestId, code: (e as NodeJS.ErrnoException).code }, 'client left mid-response');
    else ctx.log.warn({ err: e, reqId: ctx.requestId }, 'response stream failed');
  }
}
