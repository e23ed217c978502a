import { randomBytes } from 'node:crypto';
import { constants as fsc } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { DigestSet } from '../digest/digest-set.js';
import { StorageError } from '../engine/errors.js';
import { BlobStream } from './blob-stream.js';
import { HandleCache } from './handle-cache.js';
import type { BlobFaults, BlobStore, BlobWriteOptions, ByteRange, PendingBlob } from './store.js';
import { SETTLE_MS, Workspace } from './workspace.js';

const ID_RE = /^[0-9a-f]{32}$/;
/** Bytes gathered into one write. */
const WRITE_BATCH = 1024 * 1024;
/** A blob's first folder level: the first two hex digits of its id. */
const SHARDS = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/**
 * Blobs as files under `<root>/blobs/ab/cd/<id>`, written through
 * `<root>/tmp/<process folder>/<id>` and renamed into place. Works on a local disk or a shared
 * mount (rename within one filesystem is atomic on both).
 */
export class FsBlobStore implements BlobStore {
  private readonly blobDir: string;
  private readonly tmpDir: string;
  private readonly knownDirs = new Set<string>();
  private readonly handles = new HandleCache((id) => this.open(id));
  private readonly work: Workspace;

  constructor(
    root: string,
    private readonly fsync = true,
    private readonly faults?: BlobFaults,
  ) {
    this.blobDir = path.join(root, 'blobs');
    this.tmpDir = path.join(root, 'tmp');
    this.work = new Workspace(this.tmpDir);
  }

  /** The blob folder is there and writable (a lost mount fails here). */
  async check(): Promise<void> {
    await fs.access(this.blobDir, fs.constants.W_OK);
  }

  async init() {
    await fs.mkdir(this.blobDir, { recursive: true });
    await fs.mkdir(this.tmpDir, { recursive: true });
    await this.work.open();
  }

  async close() {
    this.handles.closeAll();
    await this.work.close();
  }

  private pathOf(id: string) {
    if (!ID_RE.test(id)) throw new StorageError('InternalError', `bad blob id ${id}`);
    return path.join(this.blobDir, id.slice(0, 2), id.slice(2, 4), id);
  }

  async write(source: AsyncIterable<Buffer>, opts: BlobWriteOptions = {}): Promise<PendingBlob> {
    const id = randomBytes(16).toString('hex');
    const tmp = path.join(this.work.dir, id);
    const digest = new DigestSet(opts.digests ?? []);
    const fh = await fs.open(tmp, fsc.O_CREAT | fsc.O_EXCL | fsc.O_WRONLY, 0o600);
    let closed = false;
    const cleanup = async () => {
      if (!closed) await fh.close().catch(() => undefined);
      closed = true;
      await fs.rm(tmp, { force: true });
    };
    try {
      const max = opts.maxSize ?? Number.MAX_SAFE_INTEGER;
      let size = 0;
      // Chunks are gathered into one writev of about WRITE_BATCH (a thread-pool trip per network
      // chunk of 64 KiB cost more than the disk), with one batch in flight while the next is
      // digested: disk and hashing overlap.
      let inFlight: Promise<unknown> | undefined;
      let batch: Buffer[] = [];
      let batchBytes = 0;
      const flush = async () => {
        if (inFlight) await inFlight;
        this.fault('write', id);
        inFlight = fh.writev(batch);
        batch = [];
        batchBytes = 0;
      };
      for await (const chunk of source) {
        size += chunk.length;
        if (size > max) throw new StorageError('EntityTooLarge');
        if (opts.expectedSize !== undefined && size > opts.expectedSize) throw new StorageError('IncompleteBody', 'The request body is longer than its declared length');
        digest.update(chunk);
        batch.push(chunk);
        batchBytes += chunk.length;
        if (batchBytes >= WRITE_BATCH) await flush();
      }
      if (batchBytes > 0) await flush();
      if (inFlight) await inFlight;
      if (opts.expectedSize !== undefined && size !== opts.expectedSize) throw new StorageError('IncompleteBody');
      if (this.fsync) {
        this.fault('sync', id);
        await fh.sync();
      }
      await fh.close();
      closed = true;
      const digests = digest.finish();
      return {
        id,
        size,
        digests,
        commit: async () => {
          const dest = this.pathOf(id);
          const dir = path.dirname(dest);
          if (!this.knownDirs.has(dir)) {
            await fs.mkdir(dir, { recursive: true });
            this.knownDirs.add(dir);
          }
          await fs.rename(tmp, dest);
          if (this.fsync) await syncDir(dir);
        },
        discard: cleanup,
      };
    } catch (e) {
      await cleanup();
      throw e;
    }
  }

  async read(id: string, range?: ByteRange): Promise<Readable> {
    const fh = await this.open(id);
    try {
      const r = range ?? { start: 0, end: (await fh.stat()).size - 1 };
      return new BlobStream(fh, r.start, r.end, this.faults && (() => this.fault('read', id)));
    } catch (e) {
      await fh.close();
      throw e;
    }
  }

  async readBuffer(id: string, range?: ByteRange): Promise<Buffer> {
    return this.handles.use(id, async (fh) => {
      // Positional reads only: the handle is shared, its file position is not ours.
      const r = range ?? { start: 0, end: (await fh.stat()).size - 1 };
      const len = r.end - r.start + 1;
      const buf = Buffer.allocUnsafe(len);
      let off = 0;
      while (off < len) {
        this.fault('read', id);
        const { bytesRead } = await fh.read(buf, off, len - off, r.start + off);
        if (bytesRead === 0) throw new StorageError('InternalError', `blob ${id} is shorter than its metadata`);
        off += bytesRead;
      }
      return buf;
    });
  }

  private fault(op: 'write' | 'sync' | 'read', id: string): void {
    const err = this.faults?.inject(op, id);
    if (err) throw err;
  }

  private async open(id: string) {
    try {
      return await fs.open(this.pathOf(id), 'r');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new StorageError('InternalError', `blob ${id} is missing`);
      throw e;
    }
  }

  async delete(id: string) {
    this.handles.evict(id);
    await fs.rm(this.pathOf(id), { force: true });
  }

  /**
   * Temporary files of dead processes only (see Workspace), then blobs no
   * metadata points to; while another gateway lives, blobs written or renamed
   * into place within SETTLE_MS are spared (one may be in its commit window).
   */
  async sweep(isReferenced: (id: string) => Promise<boolean>, olderThan: number, shard?: string) {
    const { temps } = await this.work.sweep(olderThan);
    // A live peer may be between renaming a blob and committing it: spare recent blobs then.
    const spareSince = (await this.work.livePeers()) ? Date.now() - SETTLE_MS : Infinity;
    let blobs = 0;
    for (const a of shard === undefined ? await fs.readdir(this.blobDir) : [shard]) {
      for (const b of await fs.readdir(path.join(this.blobDir, a)).catch(() => [] as string[])) {
        const dir = path.join(this.blobDir, a, b);
        for (const id of await fs.readdir(dir).catch(() => [] as string[])) {
          const p = path.join(dir, id);
          const st = await fs.stat(p).catch(() => undefined);
          // The later of the last write and the rename into place (the rename sets ctime): a body
          // whose verification outlasted SETTLE_MS (a COS form's trailing fields) was renamed just now.
          const changed = st && Math.max(st.mtimeMs, st.ctimeMs);
          if (!changed || changed >= olderThan || changed >= spareSince) continue;
          if (!ID_RE.test(id) || !(await isReferenced(id))) {
            if (ID_RE.test(id)) this.handles.evict(id);
            await fs.rm(p, { force: true });
            blobs++;
          }
        }
      }
    }
    return { blobs, temps };
  }

  sweepShards(): readonly string[] {
    return SHARDS;
  }
}

async function syncDir(dir: string) {
  const d = await fs.open(dir, 'r');
  try {
    await d.sync();
  } finally {
    await d.close();
  }
}
