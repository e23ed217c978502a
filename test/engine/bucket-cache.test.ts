import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { FsBlobStore } from '../../src/blob/fs-store.js';
import { Engine } from '../../src/engine/engine.js';
import { openMetadataStore } from '../../src/meta/open.js';
import type { MetadataStore } from '../../src/meta/store.js';

const caller = { accountId: 'root' };

describe('engine: the read paths see this process\'s bucket changes at once', () => {
  let dir: string;
  let meta: MetadataStore;
  let engine: Engine;
  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'stratus-bcache-'));
    meta = await openMetadataStore({ dataDir: dir, fsync: false });
    const blobs = new FsBlobStore(path.join(dir, 'objects'), false);
    await blobs.init();
    engine = new Engine(meta, blobs);
  });
  after(async () => {
    await meta.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('a deleted bucket is gone for GET and listing right after the delete', async () => {
    await engine.createBucket(caller, 'cached-bucket');
    await engine.listObjects('cached-bucket', { maxKeys: 10 }); // now cached
    await engine.deleteBucket('cached-bucket');
    await assert.rejects(engine.listObjects('cached-bucket', { maxKeys: 10 }), { code: 'NoSuchBucket' });
    await assert.rejects(engine.readVersion('cached-bucket', 'k'), { code: 'NoSuchBucket' });
  });

  it('a versioning change is what the next read sees', async () => {
    await engine.createBucket(caller, 'versioned-cache');
    await engine.putObject(caller, 'versioned-cache', 'k', Readable.from([Buffer.from('x')]), { meta: { user: {} }, size: 1 });
    assert.equal((await engine.readVersion('versioned-cache', 'k')).bucket.versioning, 'Unversioned');
    await engine.setVersioning('versioned-cache', 'Enabled');
    assert.equal((await engine.readVersion('versioned-cache', 'k')).bucket.versioning, 'Enabled');
  });

  it("another gateway's change is seen once forgetCaches runs; a read begun before it is used once, not kept", async () => {
    // A second engine over the same store stands for another gateway.
    const other = new Engine(meta, engine.blobs);
    await engine.createBucket(caller, 'forget-cache');
    await engine.putObject(caller, 'forget-cache', 'k', Readable.from([Buffer.from('x')]), { meta: { user: {} }, size: 1 });
    assert.equal((await engine.readVersion('forget-cache', 'k')).bucket.versioning, 'Unversioned');
    await other.setVersioning('forget-cache', 'Enabled');
    assert.equal((await engine.readVersion('forget-cache', 'k')).bucket.versioning, 'Unversioned', 'cached (the TTL alone would keep it a second)');
    engine.forgetCaches();
    assert.equal((await engine.readVersion('forget-cache', 'k')).bucket.versioning, 'Enabled');

    // A lookup that read the bucket before a change and returns after forgetCaches is not cached.
    let reads = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slow = new Proxy(meta, {
      get(target, p) {
        if (p === 'getBucket')
          return async (name: string) => {
            reads++;
            const b = await target.getBucket(name);
            if (reads === 1) await gate;
            return b;
          };
        const v = Reflect.get(target, p) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    const gw = new Engine(slow, engine.blobs);
    const pending = gw.lookupBucket('forget-cache');
    await new Promise((r) => setImmediate(r));
    await other.setVersioning('forget-cache', 'Suspended');
    gw.forgetCaches();
    release();
    assert.equal((await pending).versioning, 'Enabled', 'the read in flight answers what it read');
    assert.equal((await gw.lookupBucket('forget-cache')).versioning, 'Suspended', 'and is not what the next lookup gets');
    assert.equal(reads, 2);
  });

  it('usage figures come from the uncached lookup', async () => {
    await engine.createBucket(caller, 'usage-cache');
    await engine.listObjects('usage-cache', { maxKeys: 1 });
    await engine.putObject(caller, 'usage-cache', 'a', Readable.from([Buffer.from('abc')]), { meta: { user: {} }, size: 3 });
    const b = await engine.getBucket('usage-cache');
    assert.equal(b.objectCount, 1);
    assert.equal(b.bytesUsed, 3);
  });
});
