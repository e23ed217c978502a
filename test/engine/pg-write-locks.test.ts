/**
 * On PostgreSQL, writers of one bucket hold its row FOR SHARE and lock only
 * their keys (advisory locks), and append usage deltas instead of updating the
 * bucket row: writers of different keys run in parallel, writers of one key
 * queue, deleting the bucket waits for writers in flight, and usage stays
 * exact (deltas folded now and then). Each ordering is forced by holding a
 * transaction open, never by timing.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it, test } from 'node:test';
import { FsBlobStore } from '../../src/blob/fs-store.js';
import { Engine } from '../../src/engine/engine.js';
import type { SqlMetadataStore } from '../../src/meta/sql/sql-store.js';
import type { OpenedStore } from '../meta/conformance.js';
import { openPostgres, pgMissing, pgUnavailable } from '../meta/stores.js';

const caller = { accountId: 'root' };
const body = (s: string) => Readable.from([Buffer.from(s)]);

/** A transaction that holds the bucket for a write of `keys` until released. */
function holdWrite(meta: SqlMetadataStore, bucket: string, keys: string[]) {
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  let held!: () => void;
  const holding = new Promise<void>((r) => (held = r));
  const done = meta.transaction(async (tx) => {
    await tx.getBucketForWrite(bucket, keys);
    held();
    await released;
  });
  return { holding, release, done };
}

/** Whether a promise has settled, looked at after pending I/O callbacks have had their turn. */
async function settled(p: Promise<unknown>): Promise<boolean> {
  let s = false;
  void p.then(
    () => (s = true),
    () => (s = true),
  );
  await new Promise((r) => setImmediate(r));
  return s;
}

const unavailable = await pgUnavailable();
if (unavailable) test('write locks on PostgreSQL', (t) => pgMissing(t, unavailable));
else
  describe('write locks on PostgreSQL', () => {
    let opened: OpenedStore;
    let meta: SqlMetadataStore;
    let engine: Engine;
    let dir: string;
    let n = 0;
    const fresh = async () => {
      const name = `locks-${process.pid}-${++n}`;
      await engine.createBucket(caller, name);
      return name;
    };

    before(async () => {
      opened = await openPostgres();
      meta = opened.store as SqlMetadataStore;
      await meta.migrate();
      dir = await fs.mkdtemp(path.join(os.tmpdir(), 'stratus-pglocks-'));
      const blobs = new FsBlobStore(dir, false);
      await blobs.init();
      engine = new Engine(meta, blobs);
    });
    after(async () => {
      await opened?.cleanup();
      await fs.rm(dir, { recursive: true, force: true });
    });

    it('a writer of another key commits while a writer of one key holds the bucket', { timeout: 30_000 }, async () => {
      const bucket = await fresh();
      const h = holdWrite(meta, bucket, ['a']);
      await h.holding;
      // Would wait for the release (and the test time out) if writers serialised on the bucket row.
      await engine.putObject(caller, bucket, 'b', body('bee'), { meta: { user: {} } });
      const sameKey = engine.putObject(caller, bucket, 'a', body('ay'), { meta: { user: {} } });
      const other = await engine.getObject(bucket, 'b');
      assert.equal(other.size, 3);
      assert.equal(await settled(sameKey), false, 'a writer of the held key waits');
      h.release();
      await h.done;
      await sameKey;
      assert.equal((await engine.getObject(bucket, 'a')).size, 2);
    });

    it('deleting the bucket waits for a writer in flight, then finds it not empty', { timeout: 30_000 }, async () => {
      const bucket = await fresh();
      let release!: () => void;
      const released = new Promise<void>((r) => (release = r));
      let held!: () => void;
      const holding = new Promise<void>((r) => (held = r));
      const put = engine.putObject(caller, bucket, 'k', body('v'), {
        meta: { user: {} },
        within: async () => {
          held();
          await released;
        },
      });
      await holding;
      const del = engine.deleteBucket(bucket);
      assert.equal(await settled(del), false, 'DeleteBucket waits for the write');
      release();
      await put;
      await assert.rejects(del, { code: 'BucketNotEmpty' });
    });

    it('keeps usage exact under 300 concurrent writes, with the deltas folded', async () => {
      const bucket = await fresh();
      const sizes = Array.from({ length: 300 }, (_, i) => 1 + (i % 17));
      // Overwrites of some keys too: each replaces the previous version's bytes.
      await Promise.all(sizes.map((s, i) => engine.putObject(caller, bucket, `k${i % 250}`, body('x'.repeat(s)), { meta: { user: {} } })));
      const b = (await meta.getBucket(bucket))!;
      const listed = await engine.listObjects(bucket, { maxKeys: 1000 });
      assert.equal(b.objectCount, listed.objects.length);
      assert.equal(b.objectCount, 250);
      assert.equal(b.bytesUsed, listed.objects.reduce((t, o) => t + o.size, 0));
      await meta.foldUsage(b.id);
      const after = (await meta.getBucket(bucket))!;
      assert.equal(after.objectCount, b.objectCount);
      assert.equal(after.bytesUsed, b.bytesUsed);
    });
  });
