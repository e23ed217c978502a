/**
 * CompleteMultipartUpload against a concurrent re-upload of a chosen part
 * (hardening finding 6), on both metadata stores. The re-upload is run
 * between the completion's read of the parts and its commit by wrapping
 * Engine.commitVersion, the window a second gateway or PostgreSQL leaves open.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it, test } from 'node:test';
import { FsBlobStore } from '../../src/blob/fs-store.js';
import { Engine } from '../../src/engine/engine.js';
import type { MetadataStore } from '../../src/meta/store.js';
import type { OpenedStore, OpenStore } from '../meta/conformance.js';
import { openPostgres, openSqlite, pgUnavailable } from '../meta/stores.js';

const caller = { accountId: 'root' };
const body = (b: Buffer) => Readable.from([b]);

function defineRace(name: string, open: OpenStore): void {
  describe(`engine: a part uploaded again while its upload completes (${name})`, () => {
    let opened: OpenedStore;
    let meta: MetadataStore;
    let engine: Engine;
    let dir: string;
    let n = 0;
    before(async () => {
      opened = await open();
      meta = opened.store;
      await meta.migrate();
      dir = await fs.mkdtemp(path.join(os.tmpdir(), 'stratus-completerace-'));
      const blobs = new FsBlobStore(dir, false);
      await blobs.init();
      engine = new Engine(meta, blobs);
    });
    after(async () => {
      await opened?.cleanup();
      await fs.rm(dir, { recursive: true, force: true });
    });

    /** Completes a two-part upload whose part 1 is replaced with `again` just before the commit. */
    async function race(chooseEtags: boolean) {
      const bucket = `race-${process.pid}-${++n}`;
      await engine.createBucket(caller, bucket);
      const u = await engine.multipart.create(caller, bucket, 'obj', { meta: { user: {} } });
      const p1 = await engine.multipart.uploadPart(caller, bucket, 'obj', u.uploadId, 1, body(Buffer.from('old-part-one|')));
      const p2 = await engine.multipart.uploadPart(caller, bucket, 'obj', u.uploadId, 2, body(Buffer.from('part-two')));
      const original = engine.commitVersion.bind(engine);
      let replaced = 0;
      engine.commitVersion = (async (...args: Parameters<Engine['commitVersion']>) => {
        if (args[1] === 'obj' && replaced === 0) {
          replaced++;
          await engine.multipart.uploadPart(caller, bucket, 'obj', u.uploadId, 1, body(Buffer.from('new-part-one|')));
        }
        return original(...args);
      }) as Engine['commitVersion'];
      try {
        const chosen = [p1, p2].map((p) => ({ partNumber: p.partNumber, ...(chooseEtags ? { etag: `"${p.etag}"` } : {}) }));
        const result = await engine.multipart.complete(caller, bucket, 'obj', u.uploadId, chosen, { minPartSize: 0 }).catch((e: unknown) => e);
        assert.equal(replaced, 1, 'part 1 was replaced mid-completion');
        return { bucket, uploadId: u.uploadId, result };
      } finally {
        engine.commitVersion = original;
      }
    }

    it('without ETags: the object is built from the parts as they are at the commit, and reads back whole', async () => {
      const { bucket } = await race(false);
      const o = await engine.getObject(bucket, 'obj');
      assert.equal((await engine.readSmall(o)).toString(), 'new-part-one|part-two');
    });

    it('with the ETags read before: InvalidPart (the named part is gone), and the upload stays', async () => {
      const { bucket, uploadId, result } = await race(true);
      assert.equal((result as { code?: string }).code, 'InvalidPart');
      await assert.rejects(engine.getObject(bucket, 'obj'), { code: 'NoSuchKey' });
      const { parts } = await engine.multipart.listParts(bucket, 'obj', uploadId);
      assert.deepEqual(parts.map((p) => p.partNumber), [1, 2]);
    });
  });
}

defineRace('SQLite', () => openSqlite());
const unavailable = await pgUnavailable();
if (unavailable) test('complete race: PostgreSQL', (t) => t.skip(unavailable));
else defineRace('PostgreSQL', () => openPostgres());
