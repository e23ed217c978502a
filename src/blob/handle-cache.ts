import { readFileSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';

/**
 * How many handles to keep: a quarter of the process's open-file soft limit
 * (Linux /proc), at most 4096; 256 where the limit cannot be read.
 */
export function defaultHandleCapacity(): number {
  try {
    const m = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    if (m) return Math.max(16, Math.min(4096, Math.floor(Number(m[1]) / 4)));
  } catch {
    // not Linux
  }
  return 256;
}

interface Entry {
  handle: Promise<FileHandle>;
  users: number;
  evicted: boolean;
}

/**
 * Open handles of recently read blobs, for small reads: a read then costs one
 * trip to the thread pool (pread) instead of three (open, read, close). Blobs
 * are immutable and their ids never reused, so a cached handle always reads
 * the bytes its id names. A deleted blob's handle is closed at once, or when
 * its last reader finishes.
 */
export class HandleCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly open: (id: string) => Promise<FileHandle>,
    private readonly capacity = defaultHandleCapacity(),
  ) {}

  async use<T>(id: string, fn: (fh: FileHandle) => Promise<T>): Promise<T> {
    let e = this.entries.get(id);
    if (e) {
      // Most recently used last: Map keeps insertion order.
      this.entries.delete(id);
      this.entries.set(id, e);
    } else {
      e = { handle: this.open(id), users: 0, evicted: false };
      this.entries.set(id, e);
      this.trim();
    }
    e.users++;
    try {
      return await fn(await e.handle);
    } catch (err) {
      // A failed open is not kept.
      if (this.entries.get(id) === e) this.evict(id);
      throw err;
    } finally {
      e.users--;
      if (e.evicted && e.users === 0) this.close(e);
    }
  }

  /** Forgets a blob (deleted): its handle closes once no read uses it. */
  evict(id: string): void {
    const e = this.entries.get(id);
    if (!e) return;
    this.entries.delete(id);
    e.evicted = true;
    if (e.users === 0) this.close(e);
  }

  closeAll(): void {
    for (const id of [...this.entries.keys()]) this.evict(id);
  }

  private trim(): void {
    for (const [id, e] of this.entries) {
      if (this.entries.size <= this.capacity) break;
      if (e.users === 0) this.evict(id);
    }
  }

  private close(e: Entry): void {
    e.handle.then((fh) => fh.close()).catch(() => undefined);
  }
}
