/**
 * The blob-store conformance suite: what every BlobStore implementation must
 * do, run against each one (conformance.test.ts). A harness makes stores that
 * share one place (so one can sweep another's blobs) and lists what is
 * stored there.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { after, before, describe, it } from 'node:test';
import type { BlobStore, ByteRange } from '../../src/blob/store.js';
import { isStorageError } from '../../src/engine/errors.js';

export interface BlobHarness {
  /** A new store instance over the shared place, initialised (a process of its own, as far as leases go). */
  open(): Promise<BlobStore>;
  /** What is stored: blobs and leftovers of writes (temporary files, unfinished uploads), not leases or folders. */
  stored(): Promise<string[]>;
  cleanup(): Promise<void>;
}

const MiB = 1024 * 1024;

async function drain(s: AsyncIterable<Buffer | Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of s) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks);
}

/** `total` bytes of a repeated block, produced as they are read (nothing holds the whole). */
async function* generated(total: number, block: Buffer, chunk = 64 * 1024): AsyncGenerator<Buffer> {
  for (let off = 0; off < total; off += chunk) {
    const n = Math.min(chunk, total - off);
    const at = off % block.length;
    yield at + n <= block.length ? block.subarray(at, at + n) : Buffer.concat([block.subarray(at), block.subarray(0, n - (block.length - at))]);
  }
}

/** Yields `data` in pieces, then fails as a client that went away would. */
async function* breaking(data: Buffer, err: Error): AsyncGenerator<Buffer> {
  for (let off = 0; off < data.length; off += 64 * 1024) yield data.subarray(off, off + 64 * 1024);
  await new Promise((r) => setTimeout(r, 20));
  throw err;
}

async function rejectsWith(p: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(isStorageError(e), `expected StorageError ${code}, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    return true;
  });
}

v8.setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as (o?: { type: 'minor' | 'major' }) => void;

/** Peak growth of live Buffer memory while `fn` runs, sampled (after a collection) every 20 ms. */
async function peakBufferGrowth(fn: () => Promise<void>): Promise<number> {
  const live = () => (gc({ type: 'minor' }), process.memoryUsage().arrayBuffers);
  const base = live();
  let peak = base;
  const timer = setInterval(() => (peak = Math.max(peak, live())), 20);
  try {
    await fn();
  } finally {
    clearInterval(timer);
  }
  return peak - base;
}

export function blobStoreSuite(name: string, makeHarness: () => Promise<BlobHarness>): void {
  describe(`blob store conformance: ${name}`, () => {
    let h: BlobHarness;
    let store: BlobStore;
    before(async () => {
      h = await makeHarness();
      store = await h.open();
    });
    after(async () => {
      await store.close?.();
      await h.cleanup();
    });

    async function put(data: Buffer, known = true): Promise<string> {
      const p = await store.write(Readable.from([data]), known ? { expectedSize: data.length } : {});
      await p.commit();
      return p.id;
    }

    it('writes a blob with its digests and reads it back whole, as a stream and as a buffer', async () => {
      const data = randomBytes(300_000);
      const p = await store.write(Readable.from([data.subarray(0, 1000), data.subarray(1000)]), { digests: ['sha256', 'crc32c'], expectedSize: data.length });
      assert.match(p.id, /^[0-9a-f]{32}$/);
      assert.equal(p.size, data.length);
      assert.equal(p.digests.md5.toString('hex'), createHash('md5').update(data).digest('hex'));
      assert.equal(p.digests.sha256?.toString('hex'), createHash('sha256').update(data).digest('hex'));
      assert.equal(typeof p.digests.crc32c, 'number');
      await p.commit();
      assert.deepEqual(await drain(await store.read(p.id)), data);
      assert.deepEqual(await store.readBuffer(p.id), data);
      assert.deepEqual(await store.readBuffer(p.id, { start: 0, end: data.length - 1 }), data);
    });

    it('writes a body of unknown length the same way', async () => {
      const data = randomBytes(200_000);
      const p = await store.write(Readable.from([data]));
      assert.equal(p.size, data.length);
      await p.commit();
      assert.deepEqual(await store.readBuffer(p.id), data);
    });

    it('reads ranges: first byte, last byte, a middle slice, as stream and buffer', async () => {
      const data = randomBytes(100_000);
      const id = await put(data);
      const ranges: ByteRange[] = [
        { start: 0, end: 0 },
        { start: data.length - 1, end: data.length - 1 },
        { start: 12_345, end: 67_890 },
        { start: 0, end: data.length - 1 },
      ];
      for (const r of ranges) {
        const want = data.subarray(r.start, r.end + 1);
        assert.deepEqual(await drain(await store.read(id, r)), want, `stream ${r.start}-${r.end}`);
        assert.deepEqual(await store.readBuffer(id, r), want, `buffer ${r.start}-${r.end}`);
      }
    });

    it('keeps an empty blob', async () => {
      const id = await put(Buffer.alloc(0));
      assert.equal((await drain(await store.read(id))).length, 0);
      assert.equal((await store.readBuffer(id, { start: 0, end: -1 })).length, 0);
    });

    it('refuses a missing blob before returning a stream, and deleting one is no error', async () => {
      const missing = randomBytes(16).toString('hex');
      await rejectsWith(store.read(missing), 'InternalError');
      await rejectsWith(store.read(missing, { start: 0, end: 9 }), 'InternalError');
      await rejectsWith(store.readBuffer(missing, { start: 0, end: 9 }), 'InternalError');
      await store.delete(missing);
    });

    it('deletes a blob: it cannot be read and is no longer stored', async () => {
      const id = await put(randomBytes(5000));
      assert.ok((await h.stored()).some((f) => f.includes(id)));
      await store.delete(id);
      await rejectsWith(store.read(id), 'InternalError');
      assert.ok(!(await h.stored()).some((f) => f.includes(id)));
    });

    for (const known of [true, false]) {
      it(`streams 64 MiB in and out without holding it (${known ? 'known' : 'unknown'} length)`, async () => {
        const total = 64 * MiB;
        const block = randomBytes(MiB + 7);
        const want = createHash('md5');
        for await (const c of generated(total, block)) want.update(c);
        const wantMd5 = want.digest('hex');
        let id = '';
        const growthIn = await peakBufferGrowth(async () => {
          const p = await store.write(generated(total, block), known ? { expectedSize: total } : {});
          assert.equal(p.size, total);
          assert.equal(p.digests.md5.toString('hex'), wantMd5);
          await p.commit();
          id = p.id;
        });
        const got = createHash('md5');
        let n = 0;
        const growthOut = await peakBufferGrowth(async () => {
          for await (const c of await store.read(id)) {
            got.update(c as Buffer);
            n += (c as Buffer).length;
          }
        });
        assert.equal(n, total);
        assert.equal(got.digest('hex'), wantMd5);
        // Far below the object's size: nothing buffered the whole body on either side.
        assert.ok(growthIn < 40 * MiB, `write grew Buffer memory by ${(growthIn / MiB).toFixed(1)} MiB`);
        assert.ok(growthOut < 40 * MiB, `read grew Buffer memory by ${(growthOut / MiB).toFixed(1)} MiB`);
        const tail = await store.readBuffer(id, { start: total - 10, end: total - 1 });
        assert.equal(tail.length, 10);
        await store.delete(id);
      });
    }

    it('takes concurrent writes, each read back as written', async () => {
      const datas = Array.from({ length: 16 }, (_, i) => randomBytes(1000 + i * 7919));
      const ids = await Promise.all(datas.map((d, i) => put(d, i % 2 === 0)));
      assert.equal(new Set(ids).size, ids.length);
      const back = await Promise.all(ids.map((id) => store.readBuffer(id)));
      back.forEach((b, i) => assert.deepEqual(b, datas[i], `blob ${i}`));
      await Promise.all(ids.map((id) => store.delete(id)));
    });

    for (const known of [true, false]) {
      it(`leaves nothing of a write whose body breaks mid-way (${known ? 'known' : 'unknown'} length)`, async () => {
        const storedBefore = await h.stored();
        const data = randomBytes(3 * MiB);
        const err = new Error('client went away');
        await assert.rejects(store.write(breaking(data, err), known ? { expectedSize: 5 * MiB } : {}), (e) => e === err);
        assert.deepEqual(await h.stored(), storedBefore);
      });
    }

    it('waits for a body to end after its last byte (a trailer checked late), and leaves nothing when that check fails', async () => {
      const data = randomBytes(200_000);
      const late = async function* (fail?: Error) {
        yield data;
        // Every declared byte has gone; the source still reads and checks what follows them.
        await new Promise((r) => setTimeout(r, 300));
        if (fail) throw fail;
      };
      const p = await store.write(late(), { expectedSize: data.length });
      await p.commit();
      assert.deepEqual(await store.readBuffer(p.id), data);
      await store.delete(p.id);
      const storedBefore = await h.stored();
      const bad = new Error('trailing checksum mismatch');
      await assert.rejects(store.write(late(bad), { expectedSize: data.length }), (e) => e === bad);
      assert.deepEqual(await h.stored(), storedBefore);
    });

    it('refuses a body longer or shorter than declared, or over the limit, and leaves nothing', async () => {
      const storedBefore = await h.stored();
      await rejectsWith(store.write(Readable.from([randomBytes(2000)]), { expectedSize: 1000 }), 'IncompleteBody');
      await rejectsWith(store.write(Readable.from([randomBytes(500)]), { expectedSize: 1000 }), 'IncompleteBody');
      await rejectsWith(store.write(Readable.from([randomBytes(2000)]), { maxSize: 1000 }), 'EntityTooLarge');
      await rejectsWith(store.write(generated(3 * MiB, randomBytes(MiB)), { maxSize: 2 * MiB }), 'EntityTooLarge');
      assert.deepEqual(await h.stored(), storedBefore);
    });

    it('discards a written blob that will not be committed', async () => {
      const storedBefore = await h.stored();
      const p = await store.write(Readable.from([randomBytes(4000)]), { expectedSize: 4000 });
      await p.discard();
      assert.deepEqual(await h.stored(), storedBefore);
      await rejectsWith(store.read(p.id), 'InternalError');
    });

    it('sweeps what no metadata references once its writer is gone, and spares a live writer\'s', async () => {
      const kept = await put(randomBytes(1000));
      await store.close?.();
      const peer = await h.open();
      const peerBlob = await peer.write(Readable.from([randomBytes(1000)]), { expectedSize: 1000 });
      await peerBlob.commit();
      const referenced = new Set([kept]);
      store = await h.open();
      // The peer lives: its blob may be a moment away from its metadata commit.
      await store.sweep(async (id) => referenced.has(id), Date.now() + 5000);
      assert.deepEqual(await store.readBuffer(peerBlob.id), await peer.readBuffer(peerBlob.id));
      // Gone: what it wrote and nothing references is removed; referenced blobs stay.
      await peer.close?.();
      const swept = await store.sweep(async (id) => referenced.has(id), Date.now() + 5000);
      assert.ok(swept.blobs >= 1, JSON.stringify(swept));
      await rejectsWith(store.read(peerBlob.id), 'InternalError');
      assert.ok(!(await h.stored()).some((f) => f.includes(peerBlob.id)));
      assert.equal((await store.readBuffer(kept)).length, 1000);
      await store.delete(kept);
    });

    it('sweeps shard by shard: each shard examines its own blobs, together every blob', async () => {
      const shards = store.sweepShards();
      assert.ok(shards.length > 1, 'more than one shard');
      const kept = await put(randomBytes(100));
      await store.close?.();
      const peer = await h.open();
      const orphans: string[] = [];
      for (let i = 0; i < 12; i++) {
        const p = await peer.write(Readable.from([randomBytes(100)]), { expectedSize: 100 });
        await p.commit();
        orphans.push(p.id);
      }
      await peer.close?.();
      store = await h.open();
      const referenced = new Set([kept]);
      const asked = new Map<string, number>();
      let removed = 0;
      for (const shard of shards) {
        const r = await store.sweep(async (id) => (asked.set(id, (asked.get(id) ?? 0) + 1), referenced.has(id)), Date.now() + 5000, shard);
        removed += r.blobs;
      }
      assert.equal(removed, orphans.length, 'every orphan removed once over the shards');
      for (const id of [...orphans, kept]) assert.equal(asked.get(id), 1, `blob ${id} examined by exactly one shard`);
      for (const id of orphans) await rejectsWith(store.read(id), 'InternalError');
      assert.equal((await store.readBuffer(kept)).length, 100);
      await store.delete(kept);
    });
  });
}
