import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';

/**
 * A backend response body with a stall timeout that counts only while data is
 * wanted: a client that reads slowly pauses the body (and the clock), a
 * backend that stops sending while we wait for it fails the read within
 * `idleMs`. The response is paused and resumed, never read ahead beyond one
 * highWaterMark, so a download's memory stays flat.
 */
export class WatchedBody extends Readable {
  private timer: NodeJS.Timeout | undefined;
  private received = 0;

  constructor(
    private readonly res: IncomingMessage,
    private readonly idleMs: number,
    /** Bytes the body must have; fewer (a cut connection) fail the stream. */
    private readonly expected: number | undefined,
    /** Builds the error a stall or a cut connection is reported as. */
    private readonly failure: (why: string, cause?: unknown) => Error,
  ) {
    super({ highWaterMark: 256 * 1024 });
    res.pause();
    res.on('data', (chunk: Buffer) => {
      this.received += chunk.length;
      if (this.push(chunk)) this.arm();
      else {
        res.pause();
        this.disarm();
      }
    });
    res.on('end', () => {
      this.disarm();
      if (this.expected !== undefined && this.received !== this.expected) {
        this.destroy(this.failure(`the blob store sent ${this.received} of ${this.expected} bytes`));
      } else this.push(null);
    });
    res.on('error', (e) => this.destroy(this.failure('the blob store connection failed mid-body', e)));
    res.on('close', () => {
      if (!res.complete && !this.destroyed) this.destroy(this.failure('the blob store closed the connection mid-body'));
    });
  }

  override _read(): void {
    this.res.resume();
    this.arm();
  }

  override _destroy(err: Error | null, cb: (error?: Error | null) => void): void {
    this.disarm();
    // An unfinished body leaves its connection unusable: close it rather than pool it.
    if (!this.res.complete) this.res.destroy();
    cb(err);
  }

  private arm(): void {
    if (this.timer) this.timer.refresh();
    else {
      this.timer = setTimeout(() => this.destroy(this.failure(`the blob store sent nothing for ${this.idleMs} ms`)), this.idleMs);
      this.timer.unref();
    }
  }

  private disarm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
