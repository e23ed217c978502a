import assert from 'node:assert/strict';
import { crc64 } from '../../src/digest/crc64.js';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FsBlobStore } from '../../src/blob/fs-store.js';
import { Engine } from '../../src/engine/engine.js';
import { StorageError } from '../../src/engine/errors.js';
import { multipartEtag } from '../../src/engine/multipart.js';
import type { Caller } from '../../src/engine/types.js';
import { openMetadataStore } from '../../src/meta/open.js';
import type { MetadataStore } from '../../src/meta/store.js';
import { storedFiles } from '../helpers/server.js';

const caller: Caller = { accountId: 'root' };
const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
const META = { user: {} };

async function* chunks(...bufs: Buffer[]) {
  for (const b of bufs) yield b;
}

/** A body that stops after its first chunk until released (to race writes against other operations). */
function gatedBody(data: Buffer) {
  let release!: () => void;
  let started!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const begun = new Promise<void>((r) => (started = r));
  async function* gen() {
    yield data.subarray(0, 10);
    started();
    await gate;
    yield data.subarray(10);
  }
  return { body: gen(), begun, release };
}

const isCode = (code: string) => (e: unknown) => e instanceof StorageError && e.code === code;

describe('engine multipart uploads (SQLite + filesystem blobs)', () => {
  let dir: string;
  let meta: MetadataStore;
  let engine: Engine;
  const io = { reads: 0, writes: 0 };
  const files = () => storedFiles(dir);

  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'stratus-engine-mpu-'));
    meta = await openMetadataStore({ dataDir: dir, fsync: false });
    const blobs = new FsBlobStore(path.join(dir, 'objects'), false);
    await blobs.init();
    // Counts data reads and writes, to show that completing an upload moves no data.
    const counted = Object.assign(Object.create(blobs) as FsBlobStore, {
      read: (...a: Parameters<FsBlobStore['read']>) => (io.reads++, blobs.read(...a)),
      readBuffer: (...a: Parameters<FsBlobStore['readBuffer']>) => (io.reads++, blobs.readBuffer(...a)),
      write: (...a: Parameters<FsBlobStore['write']>) => (io.writes++, blobs.write(...a)),
    });
    engine = new Engine(meta, counted);
    await engine.createBucket(caller, 'bkt');
  });
  after(async () => {
    await meta.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  const mp = () => engine.multipart;
  const put = (uploadId: string, key: string, n: number, data: Buffer) => mp().uploadPart(caller, 'bkt', key, uploadId, n, chunks(data), { size: data.length });

  it('completes by reference: no data read or written, unchosen parts removed, ETag of part MD5s', async () => {
    const base = (await files()).length;
    const u = await mp().create(caller, 'bkt', 'obj', { meta: { user: { a: '1' } } });
    const p1 = randomBytes(300);
    const p2 = randomBytes(200);
    const p3 = randomBytes(100);
    const parts = [await put(u.uploadId, 'obj', 1, p1), await put(u.uploadId, 'obj', 2, p2), await put(u.uploadId, 'obj', 3, p3)];
    assert.equal((await files()).length, base + 3);
    const seen: number[][] = [];
    const before = { ...io };
    const o = await mp().complete(caller, 'bkt', 'obj', u.uploadId, [{ partNumber: 1, etag: `"${parts[0].etag}"` }, { partNumber: 3 }], {
      minPartSize: 1,
      checksums: (ps) => (seen.push(ps.map((p) => p.partNumber)), { crc32: 'AAAAAA==-2' }),
    });
    assert.deepEqual(io, before, 'completion reads and writes no data');
    assert.deepEqual(seen, [[1, 3]], 'the checksum hook sees the chosen parts in order');
    assert.equal(o.size, 400);
    assert.equal(o.etag, multipartEtag([parts[0], parts[2]]));
    assert.equal(o.objectType, 'Multipart');
    // The whole object's CRC-64/ECMA-182 is combined from the parts' (no data read, as io shows).
    assert.deepEqual(o.checksums, { crc32: 'AAAAAA==-2', crc64ecma: crc64('ecma182', Buffer.concat([p1, p3])).toString() });
    assert.deepEqual(o.meta.user, { a: '1' });
    const segments = await meta.getSegments(o.id);
    assert.deepEqual(segments.map((s) => s.blobId), [parts[0].blobId, parts[2].blobId], 'the object is the part blobs themselves');
    assert.equal((await files()).length, base + 2, 'the unchosen part is deleted');
    assert.deepEqual(await engine.readSmall(o), Buffer.concat([p1, p3]));
    assert.deepEqual(await engine.readSmall(o, { start: 290, end: 309 }), Buffer.concat([p1.subarray(290), p3.subarray(0, 10)]), 'a range across parts');
    await assert.rejects(mp().getUpload('bkt', 'obj', u.uploadId), isCode('NoSuchUpload'));
  });

  it('replaces a part uploaded again and deletes the replaced blob', async () => {
    const u = await mp().create(caller, 'bkt', 'rep', { meta: META });
    const a = await put(u.uploadId, 'rep', 1, Buffer.from('first'));
    const count = (await files()).length;
    const b = await put(u.uploadId, 'rep', 1, Buffer.from('second'));
    assert.equal((await files()).length, count);
    assert.notEqual(a.blobId, b.blobId);
    assert.equal(await meta.blobReferenced(a.blobId), false);
    const { parts } = await mp().listParts('bkt', 'rep', u.uploadId);
    assert.deepEqual(parts.map((p) => [p.partNumber, p.etag, p.size]), [[1, md5(Buffer.from('second')), 6]]);
    await mp().abort('bkt', 'rep', u.uploadId);
  });

  it('aborts leaving no rows and no files', async () => {
    const base = await files();
    const u = await mp().create(caller, 'bkt', 'ab', { meta: META });
    await put(u.uploadId, 'ab', 1, randomBytes(1000));
    await put(u.uploadId, 'ab', 2, randomBytes(10));
    await mp().abort('bkt', 'ab', u.uploadId);
    assert.deepEqual(await files(), base);
    assert.deepEqual(await meta.listParts(u.uploadId, 0, 10), []);
    await assert.rejects(mp().abort('bkt', 'ab', u.uploadId), isCode('NoSuchUpload'));
    const page = await mp().listUploads('bkt', { prefix: 'ab', maxUploads: 10 });
    assert.equal(page.uploads.length, 0);
  });

  it('a part still streaming when its upload is aborted or completed is refused and leaves no file', async () => {
    const base = await files();
    for (const end of ['abort', 'complete'] as const) {
      const u = await mp().create(caller, 'bkt', `race-${end}`, { meta: META });
      const first = end === 'complete' ? await put(u.uploadId, `race-${end}`, 1, Buffer.from('done')) : undefined;
      const g = gatedBody(randomBytes(100));
      const pending = mp().uploadPart(caller, 'bkt', `race-${end}`, u.uploadId, 2, g.body, { size: 100 });
      await g.begun;
      if (end === 'abort') await mp().abort('bkt', `race-${end}`, u.uploadId);
      else await mp().complete(caller, 'bkt', `race-${end}`, u.uploadId, [{ partNumber: 1, etag: first!.etag }]);
      g.release();
      await assert.rejects(pending, isCode('NoSuchUpload'));
      if (end === 'complete') await engine.deleteObject(caller, 'bkt', `race-${end}`);
    }
    assert.deepEqual(await files(), base);
  });

  it('of two concurrent completions one wins and the other finds no upload', async () => {
    const u = await mp().create(caller, 'bkt', 'twice', { meta: META });
    const p = await put(u.uploadId, 'twice', 1, Buffer.from('only'));
    const results = await Promise.allSettled([
      mp().complete(caller, 'bkt', 'twice', u.uploadId, [{ partNumber: 1, etag: p.etag }]),
      mp().complete(caller, 'bkt', 'twice', u.uploadId, [{ partNumber: 1, etag: p.etag }]),
    ]);
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    const failed = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    assert.ok(isCode('NoSuchUpload')(failed.reason));
    assert.deepEqual(await engine.readSmall(await engine.getObject('bkt', 'twice')), Buffer.from('only'));
  });

  it('refuses bad part numbers, order, unknown parts, small parts and an empty list, keeping the upload', async () => {
    const u = await mp().create(caller, 'bkt', 'bad', { meta: META });
    for (const n of [0, 10001, 1.5, -3]) await assert.rejects(put(u.uploadId, 'bad', n, Buffer.from('x')), isCode('InvalidArgument'));
    const a = await put(u.uploadId, 'bad', 1, Buffer.from('0123456789'));
    const b = await put(u.uploadId, 'bad', 2, Buffer.from('tail'));
    const complete = (parts: { partNumber: number; etag?: string }[]) => mp().complete(caller, 'bkt', 'bad', u.uploadId, parts, { minPartSize: 11 });
    await assert.rejects(complete([]), isCode('MalformedXML'));
    await assert.rejects(complete([{ partNumber: 2 }, { partNumber: 1 }]), isCode('InvalidPartOrder'));
    await assert.rejects(complete([{ partNumber: 1 }, { partNumber: 1 }]), isCode('InvalidPartOrder'));
    await assert.rejects(complete([{ partNumber: 1 }, { partNumber: 5 }]), (e) => isCode('InvalidPart')(e) && (e as StorageError).detail.PartNumber === '5');
    await assert.rejects(complete([{ partNumber: 1, etag: '"' + md5(Buffer.from('x')) + '"' }]), (e) => isCode('InvalidPart')(e) && (e as StorageError).detail.ETag === md5(Buffer.from('x')));
    await assert.rejects(complete([{ partNumber: 1, etag: a.etag }, { partNumber: 2, etag: b.etag }]), (e) => {
      const d = (e as StorageError).detail;
      return isCode('EntityTooSmall')(e) && d.ProposedSize === '10' && d.MinSizeAllowed === '11' && d.PartNumber === '1' && d.ETag === a.etag;
    });
    // A hook that refuses (a checksum mismatch) leaves the upload as it was.
    await assert.rejects(
      mp().complete(caller, 'bkt', 'bad', u.uploadId, [{ partNumber: 2 }], {
        checksums: () => {
          throw new StorageError('BadDigest');
        },
      }),
      isCode('BadDigest'),
    );
    assert.equal((await mp().listParts('bkt', 'bad', u.uploadId)).parts.length, 2);
    await assert.rejects(engine.getObject('bkt', 'bad'), isCode('NoSuchKey'));
    const o = await complete([{ partNumber: 2, etag: b.etag }]);
    assert.equal(o.size, 4);
  });

  it('a part whose verification fails is not kept and leaves no file', async () => {
    const base = await files();
    const u = await mp().create(caller, 'bkt', 'verify', { meta: META });
    await assert.rejects(
      mp().uploadPart(caller, 'bkt', 'verify', u.uploadId, 1, chunks(Buffer.from('data')), {
        digests: ['crc32c'],
        verify: (d) => {
          if (d.crc32c !== 0) throw new StorageError('BadDigest');
        },
      }),
      isCode('BadDigest'),
    );
    await assert.rejects(mp().uploadPart(caller, 'bkt', 'verify', u.uploadId, 1, chunks(Buffer.from('data')), { size: 5 }), isCode('IncompleteBody'));
    assert.equal((await mp().listParts('bkt', 'verify', u.uploadId)).parts.length, 0);
    await mp().abort('bkt', 'verify', u.uploadId);
    assert.deepEqual(await files(), base);
  });

  it('UploadPartCopy copies a range of a source and refuses bad ranges and failed conditions', async () => {
    const src = randomBytes(50);
    await engine.putObject(caller, 'bkt', 'copy-src', chunks(src), { meta: META, size: 50 });
    const u = await mp().create(caller, 'bkt', 'copy-dst', { meta: META });
    const { part } = await mp().uploadPartCopy(caller, 'bkt', 'copy-dst', u.uploadId, 1, { bucket: 'bkt', key: 'copy-src' }, { range: { start: 5, end: 14 } });
    assert.equal(part.etag, md5(src.subarray(5, 15)));
    await assert.rejects(
      mp().uploadPartCopy(caller, 'bkt', 'copy-dst', u.uploadId, 2, { bucket: 'bkt', key: 'copy-src' }, { range: { start: 5, end: 50 } }),
      (e) => isCode('InvalidArgument')(e) && (e as Error).message === 'Range specified is not valid for source object of size: 50',
    );
    await assert.rejects(mp().uploadPartCopy(caller, 'bkt', 'copy-dst', u.uploadId, 2, { bucket: 'bkt', key: 'copy-src' }, { range: { start: 9, end: 3 } }), isCode('InvalidArgument'));
    await assert.rejects(
      mp().uploadPartCopy(caller, 'bkt', 'copy-dst', u.uploadId, 2, { bucket: 'bkt', key: 'copy-src' }, { conditions: { ifMatch: '"nope"' } }),
      isCode('PreconditionFailed'),
    );
    const o = await mp().complete(caller, 'bkt', 'copy-dst', u.uploadId, [{ partNumber: 1 }]);
    assert.deepEqual(await engine.readSmall(o), src.subarray(5, 15));
  });

  it('lists parts and uploads in pages', async () => {
    const u = await mp().create(caller, 'bkt', 'pages', { meta: META });
    for (const n of [1, 2, 5, 7, 9]) await put(u.uploadId, 'pages', n, Buffer.from(`p${n}`));
    let r = await mp().listParts('bkt', 'pages', u.uploadId, { maxParts: 2 });
    assert.deepEqual([r.parts.map((p) => p.partNumber), r.truncated, r.nextMarker], [[1, 2], true, 2]);
    r = await mp().listParts('bkt', 'pages', u.uploadId, { marker: 2, maxParts: 2 });
    assert.deepEqual([r.parts.map((p) => p.partNumber), r.truncated, r.nextMarker], [[5, 7], true, 7]);
    r = await mp().listParts('bkt', 'pages', u.uploadId, { marker: 7, maxParts: 2 });
    assert.deepEqual([r.parts.map((p) => p.partNumber), r.truncated], [[9], false]);
    await mp().abort('bkt', 'pages', u.uploadId);

    await engine.createBucket(caller, 'uploads');
    const ids: string[] = [];
    for (const k of ['x/1', 'x/2', 'y', 'y', 'z/q/1']) ids.push((await mp().create(caller, 'uploads', k, { meta: META })).uploadId);
    const seen: string[] = [];
    let marker: { keyMarker?: string; uploadIdMarker?: string } = {};
    for (;;) {
      const page = await mp().listUploads('uploads', { maxUploads: 2, ...marker });
      seen.push(...page.uploads.map((x) => x.uploadId));
      if (!page.truncated) break;
      marker = { keyMarker: page.nextKeyMarker, uploadIdMarker: page.nextUploadIdMarker };
    }
    assert.deepEqual(seen, ids);
    const grouped = await mp().listUploads('uploads', { delimiter: '/', maxUploads: 10 });
    assert.deepEqual(grouped.prefixes, ['x/', 'z/']);
    assert.deepEqual(grouped.uploads.map((x) => x.key), ['y', 'y']);
    const two = await mp().listUploads('uploads', { delimiter: '/', maxUploads: 2 });
    assert.deepEqual([two.prefixes, two.uploads.map((x) => x.key), two.truncated], [['x/'], ['y'], true]);
    const sub = await mp().listUploads('uploads', { prefix: 'z/', delimiter: '/', maxUploads: 10 });
    assert.deepEqual(sub.prefixes, ['z/q/']);
  });
});
