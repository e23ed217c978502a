import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { FsBlobStore } from '../../src/blob/fs-store.js';

describe('filesystem blob store: small reads through cached handles', () => {
  let dir: string;
  let store: FsBlobStore;
  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'stratus-blob-'));
    store = new FsBlobStore(dir, false);
    await store.init();
  });
  after(() => fs.rm(dir, { recursive: true, force: true }));

  async function put(data: Buffer): Promise<string> {
    const p = await store.write(Readable.from([data]));
    await p.commit();
    return p.id;
  }

  it('reads the same bytes again and again, whole and by range, through one handle', async () => {
    const data = randomBytes(5000);
    const id = await put(data);
    for (let i = 0; i < 3; i++) {
      assert.deepEqual(await store.readBuffer(id), data, `whole read ${i}`);
      assert.deepEqual(await store.readBuffer(id, { start: 100, end: 199 }), data.subarray(100, 200), `range read ${i}`);
    }
    const reads = await Promise.all(Array.from({ length: 20 }, (_, i) => store.readBuffer(id, { start: i * 10, end: i * 10 + 9 })));
    reads.forEach((b, i) => assert.deepEqual(b, data.subarray(i * 10, i * 10 + 10), `concurrent read ${i}`));
  });

  it('fails for a deleted blob instead of serving it from a cached handle', async () => {
    const id = await put(randomBytes(100));
    assert.equal((await store.readBuffer(id)).length, 100);
    await store.delete(id);
    await assert.rejects(store.readBuffer(id), /missing/);
  });

  it('keeps serving correctly when more blobs are read than the cache holds', async () => {
    const blobs: [string, Buffer][] = [];
    for (let i = 0; i < 300; i++) {
      const d = randomBytes(16);
      blobs.push([await put(d), d]);
    }
    for (const [id, d] of blobs) assert.deepEqual(await store.readBuffer(id), d);
    for (const [id, d] of blobs.slice(0, 10)) assert.deepEqual(await store.readBuffer(id), d, 'evicted handles reopen');
  });
});
