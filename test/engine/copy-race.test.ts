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
const body = (s: string) => Readable.from([Buffer.from(s)]);

describe('engine: a copy whose source is replaced before the copy commits', () => {
  let dir: string;
  let meta: MetadataStore;
  let engine: Engine;
  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'stratus-copyrace-'));
    meta = await openMetadataStore({ dataDir: dir, fsync: false });
    const blobs = new FsBlobStore(path.join(dir, 'objects'), false);
    await blobs.init();
    engine = new Engine(meta, blobs);
    await engine.createBucket(caller, 'src-bucket');
    await engine.createBucket(caller, 'dst-bucket');
  });
  after(async () => {
    await meta.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('reads the source again and copies whole data, never a freed blob', async () => {
    await engine.putObject(caller, 'src-bucket', 'src', body('old contents'), { meta: { user: {} }, size: 12 });
    // Overwrite the source (freeing its blob) just before the copy's commit.
    const original = engine.commitVersion.bind(engine);
    let overwrites = 0;
    engine.commitVersion = (async (...args: Parameters<Engine['commitVersion']>) => {
      if (args[1] === 'dst' && overwrites === 0) {
        overwrites++;
        await engine.putObject(caller, 'src-bucket', 'src', body('new contents!'), { meta: { user: {} }, size: 13 });
      }
      return original(...args);
    }) as Engine['commitVersion'];
    try {
      const { target } = await engine.copyObject(caller, { bucket: 'src-bucket', key: 'src' }, { bucket: 'dst-bucket', key: 'dst' }, { metadataDirective: 'COPY' });
      assert.equal(overwrites, 1, 'the source was replaced mid-copy');
      assert.equal((await engine.readSmall(target)).toString(), 'new contents!', 'the copy carries the current source, whole');
    } finally {
      engine.commitVersion = original;
    }
    const copy = await engine.getObject('dst-bucket', 'dst');
    assert.equal((await engine.readSmall(copy)).toString(), 'new contents!');
    // Source and copy share one blob; the replaced blob is gone.
    assert.equal(copy.blobId, (await engine.getObject('src-bucket', 'src')).blobId, 'the copy shares the source blob');
  });
});
