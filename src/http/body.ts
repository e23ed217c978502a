import type { IncomingMessage } from 'node:http';
import { StorageError } from '../engine/errors.js';

/**
 * The request body as chunks, failing with RequestTimeout when the client
 * stops sending for `idleMs`, and with IncompleteBody when the connection
 * ends before the declared length arrived.
 */
export async function* requestBody(req: IncomingMessage, idleMs: number): AsyncGenerator<Buffer> {
  let timedOut = false;
  req.setTimeout(idleMs, () => {
    timedOut = true;
    req.destroy();
  });
  try {
    for await (const chunk of req) yield chunk as Buffer;
    if (!req.complete) throw new StorageError('IncompleteBody');
  } catch (e) {
    if (timedOut) throw new StorageError('RequestTimeout');
    if (e instanceof StorageError) throw e;
    throw new StorageError('IncompleteBody');
  } finally {
    req.setTimeout(0);
  }
}

/** Reads a small body (XML, JSON, forms) whole, refusing more than `limit` bytes. */
export async function readSmallBody(req: IncomingMessage, idleMs: number, limit = 2 * 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of requestBody(req, idleMs)) {
    n += c.length;
    if (n > limit) throw new StorageError('EntityTooLarge', 'The request body is too large for this operation');
    chunks.push(c);
  }
  return Buffer.concat(chunks);
}
