import type { FileHandle } from 'node:fs/promises';
import { Readable, type Writable } from 'node:stream';
import { StorageError } from '../engine/errors.js';

const CHUNK = 256 * 1024;
const POOL_MAX = 64;
const pool: Buffer[] = [];

const take = () => pool.pop() ?? Buffer.allocUnsafeSlow(CHUNK);
const give = (b: Buffer) => {
  if (pool.length < POOL_MAX) pool.push(b);
};

/** A source that can write itself into a destination without allocating per chunk. */
export interface DirectSource {
  writeTo(dest: Writable): Promise<void>;
}

export function isDirectSource(v: unknown): v is Readable & DirectSource {
  return v instanceof Readable && typeof (v as Partial<DirectSource>).writeTo === 'function';
}

/** Resolves once `dest` has taken `chunk` (its write callback ran), or rejects if it closes first. */
function written(dest: Writable, chunk: Buffer, closed: Promise<never>): Promise<void> {
  return Promise.race([new Promise<void>((resolve, reject) => dest.write(chunk, (err) => (err ? reject(err) : resolve()))), closed]);
}

/**
 * A byte range of one blob file. Read as a stream it behaves like
 * fs.ReadStream; `writeTo` instead cycles two pooled buffers, each reused
 * only after the destination's write callback says it has let go of it, so a
 * large download allocates nothing per chunk and leaves the GC idle.
 */
export class BlobStream extends Readable implements DirectSource {
  private pos: number;

  constructor(
    private readonly fh: FileHandle,
    start: number,
    private readonly end: number,
    /** Test-only fault injection: throws in place of a read. */
    private readonly beforeRead?: () => void,
  ) {
    super({ highWaterMark: CHUNK });
    this.pos = start;
  }

  private async readAt(buf: Buffer, len: number): Promise<number> {
    this.beforeRead?.();
    const { bytesRead } = await this.fh.read(buf, 0, len, this.pos);
    if (bytesRead === 0) throw new StorageError('InternalError', 'blob is shorter than its metadata');
    this.pos += bytesRead;
    return bytesRead;
  }

  override _read(): void {
    const len = Math.min(CHUNK, this.end - this.pos + 1);
    if (len <= 0) {
      this.push(null);
      return;
    }
    const buf = Buffer.allocUnsafeSlow(len);
    this.readAt(buf, len).then(
      (n) => this.push(n < len ? buf.subarray(0, n) : buf),
      (err: Error) => this.destroy(err),
    );
  }

  override _destroy(err: Error | null, cb: (error?: Error | null) => void): void {
    this.fh.close().then(
      () => cb(err),
      () => cb(err),
    );
  }

  async writeTo(dest: Writable): Promise<void> {
    let onClose!: () => void;
    const closed = new Promise<never>((_, reject) => {
      onClose = () => reject(new Error('destination closed'));
      dest.once('close', onClose);
    });
    closed.catch(() => undefined);
    const bufs = [take(), take()];
    const inflight: (Promise<void> | undefined)[] = [undefined, undefined];
    let clean = false;
    try {
      for (let i = 0; this.pos <= this.end; i ^= 1) {
        if (inflight[i]) await inflight[i];
        const n = await this.readAt(bufs[i], Math.min(CHUNK, this.end - this.pos + 1));
        const w = written(dest, bufs[i].subarray(0, n), closed);
        // Both writes may fail while only one is awaited: mark each handled here,
        // the await below still throws.
        w.catch(() => undefined);
        inflight[i] = w;
      }
      await Promise.all(inflight);
      clean = true;
    } finally {
      dest.off('close', onClose);
      // Buffers a failed destination may still hold are left to the GC.
      if (clean) bufs.forEach(give);
      this.destroy();
    }
  }
}
