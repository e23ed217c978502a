import type { IncomingMessage } from 'node:http';
import { StorageError } from '../engine/errors.js';

/**
 * The request body as chunks, failing with RequestTimeout when the client
 * stops sending for `idleMs`, and with IncompleteBody when the connection
 * ends before the declared length arrived. A stall does not destroy the
 * socket: the error must still reach the client (the reply then closes it).
 */
export async function* requestBody(req: IncomingMessage, idleMs: number): AsyncGenerator<Buffer> {
  // Not `for await`: leaving that loop early destroys the request and its socket.
  const it = req[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let onIdle: (() => void) | undefined;
  const timer = setTimeout(() => onIdle?.(), idleMs);
  try {
    for (;;) {
      let r: IteratorResult<Buffer>;
      try {
        r = await new Promise<IteratorResult<Buffer>>((resolve, reject) => {
          onIdle = () => reject(new StorageError('RequestTimeout'));
          timer.refresh();
          it.next().then(resolve, reject);
        });
      } catch (e) {
        if (e instanceof StorageError) throw e;
        throw new StorageError('IncompleteBody');
      } finally {
        onIdle = undefined;
      }
      if (r.done) break;
      yield r.value;
    }
    if (!req.complete) throw new StorageError('IncompleteBody');
  } finally {
    clearTimeout(timer);
  }
}

/** Reads a small body (XML, JSON, forms) whole, refusing more than `limit` bytes. */
export async function readSmallBody(req: IncomingMessage, idleMs: number, limit = 2 * 1024 * 1024): Promise<Buffer> {
  // A declared length over the limit is refused before a byte is read.
  if (Number(req.headers['content-length']) > limit) throw new StorageError('EntityTooLarge', 'The request body is too large for this operation');
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of requestBody(req, idleMs)) {
    n += c.length;
    if (n > limit) throw new StorageError('EntityTooLarge', 'The request body is too large for this operation');
    chunks.push(c);
  }
  return Buffer.concat(chunks);
}
