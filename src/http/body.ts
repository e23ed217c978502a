import type { IncomingMessage } from 'node:http';
import { StorageError } from '../engine/errors.js';

/** How long a request may take to deliver its body, beyond the idle timeout each read has. */
export interface BodyDeadline {
  /** The body must be complete by this time (epoch ms). */
  until: number;
  /**
   * Slowest average rate accepted (bytes/s), measured from the first read of
   * the body (time the server spends before reading is not the client's) once
   * `graceMs` have passed: a client trickling a byte now and then (under the
   * idle timeout) is cut off instead of holding its connection for hours.
   */
  minRate: number;
  graceMs: number;
}

const deadlines = new WeakMap<IncomingMessage, BodyDeadline>();

/** Set by the server for each request; every reader of the body honours it. */
export function setBodyDeadline(req: IncomingMessage, d: BodyDeadline): void {
  deadlines.set(req, d);
}

/**
 * The request body as chunks, failing with RequestTimeout when the client
 * stops sending for `idleMs`, misses the request's deadline or sends slower
 * than its minimum rate, and with IncompleteBody when the connection ends
 * before the declared length arrived. A stall does not destroy the socket:
 * the error must still reach the client (the reply then closes it).
 */
export async function* requestBody(req: IncomingMessage, idleMs: number): AsyncGenerator<Buffer> {
  // Not `for await`: leaving that loop early destroys the request and its socket.
  const it = req[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const deadline = deadlines.get(req);
  const begun = Date.now();
  let received = 0;
  let onIdle: (() => void) | undefined;
  let onGone: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;
  // Once the reply is sent, Node no longer ends a request whose connection then closes:
  // without this the read would wait out the idle timeout.
  const socket = req.socket;
  const gone = () => onGone?.();
  socket?.once('close', gone);
  try {
    for (;;) {
      let r: IteratorResult<Buffer>;
      const wait = deadline ? Math.min(idleMs, deadline.until - Date.now()) : idleMs;
      try {
        r = await new Promise<IteratorResult<Buffer>>((resolve, reject) => {
          onIdle = () => reject(new StorageError('RequestTimeout'));
          onGone = () => reject(new StorageError('IncompleteBody'));
          if (wait <= 0) return onIdle();
          if (socket?.destroyed && !req.complete) return onGone();
          if (timer) timer.refresh();
          else timer = setTimeout(() => onIdle?.(), wait);
          it.next().then(resolve, reject);
        });
      } catch (e) {
        if (e instanceof StorageError) throw e;
        throw new StorageError('IncompleteBody');
      } finally {
        onIdle = undefined;
        onGone = undefined;
      }
      if (r.done) break;
      received += r.value.length;
      if (deadline && deadline.minRate > 0) {
        const elapsed = Date.now() - begun;
        if (elapsed > deadline.graceMs && received < (deadline.minRate * elapsed) / 1000) throw new StorageError('RequestTimeout');
      }
      // The next wait is measured afresh (the deadline draws nearer).
      if (deadline && timer) {
        clearTimeout(timer);
        timer = undefined;
      }
      yield r.value;
    }
    if (!req.complete) throw new StorageError('IncompleteBody');
  } finally {
    clearTimeout(timer);
    socket?.off('close', gone);
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
