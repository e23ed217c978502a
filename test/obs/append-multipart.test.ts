import type ObsClient from 'esdk-obs-nodejs';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { bucketName, storedFiles, type TestServer } from '../helpers/server.js';
import { fails, obsClient, ok, OBS_MODES, readAll, startObsServer } from './helpers.js';

const KB = 1024;
const md5 = (b: Buffer | string) => createHash('md5').update(b).digest('hex');
/** Random ASCII of exactly n bytes: the SDK sends a Body through String(), so binary buffers would not survive. */
const ascii = (n: number) => randomBytes(Math.ceil(n / 2)).toString('hex').slice(0, n);

for (const mode of OBS_MODES) {
  describe(`OBS append and multipart through esdk-obs-nodejs (${mode} mode)`, () => {
    let t: TestServer;
    let c: ObsClient;
    const bucket = bucketName('obs-amp');
    before(async () => {
      t = await startObsServer();
      c = await obsClient(t, mode);
      await ok(c.createBucket({ Bucket: bucket }));
    });
    after(async () => {
      c.close();
      await t.stop();
    });

    const read = async (Key: string) => readAll((await ok(c.getObject({ Bucket: bucket, Key, SaveAsStream: true }))).Content);

    it('appends at the next position and reports it; the ETag is the MD5 of the appended data', async () => {
      const first = await ok(c.appendObject({ Bucket: bucket, Key: 'log', Position: 0, Body: 'Hello OBS' }));
      assert.equal(first.NextPosition, '9');
      assert.equal(first.ETag, `"${md5('Hello OBS')}"`);
      const second = await ok(c.appendObject({ Bucket: bucket, Key: 'log', Position: Number(first.NextPosition), Body: ' Again' }));
      assert.equal(second.NextPosition, '15');
      assert.equal(second.ETag, `"${md5(' Again')}"`);
      assert.equal((await read('log')).toString(), 'Hello OBS Again');
      const md = await ok(c.getObjectMetadata({ Bucket: bucket, Key: 'log' }));
      assert.equal(md.ObjectType, 'Appendable');
      assert.equal(md.NextPosition, '15');
      assert.equal(md.ContentLength, '15');
    });

    it('refuses a wrong position (409 PositionNotEqualToLength) and a normal object (409 ObjectNotAppendable), storing nothing', async () => {
      await ok(c.appendObject({ Bucket: bucket, Key: 'pos', Position: 0, Body: 'abc' }));
      await fails(c.appendObject({ Bucket: bucket, Key: 'pos', Position: 1, Body: 'zzz' }), 409, 'PositionNotEqualToLength');
      await fails(c.appendObject({ Bucket: bucket, Key: 'pos', Position: 0, Body: 'zzz' }), 409, 'PositionNotEqualToLength');
      assert.equal((await read('pos')).toString(), 'abc');
      await ok(c.putObject({ Bucket: bucket, Key: 'normal', Body: 'plain' }));
      await fails(c.appendObject({ Bucket: bucket, Key: 'normal', Position: 0, Body: 'x' }), 409, 'ObjectNotAppendable');
      await fails(c.appendObject({ Bucket: bucket, Key: 'normal', Position: 5, Body: 'x' }), 409, 'ObjectNotAppendable');
      assert.equal((await read('normal')).toString(), 'plain');
      // A put replaces an appendable object with a normal one that can no longer be appended to.
      await ok(c.putObject({ Bucket: bucket, Key: 'pos', Body: 'new' }));
      await fails(c.appendObject({ Bucket: bucket, Key: 'pos', Position: 3, Body: 'x' }), 409, 'ObjectNotAppendable');
      // Archive classes cannot be appended to.
      await fails(c.appendObject({ Bucket: bucket, Key: 'cold', Position: 0, Body: 'x', StorageClass: mode === 'obs' ? 'COLD' : 'GLACIER' }), 409, 'ObjectNotAppendable');
    });

    it('runs a multipart upload with the guide\'s 100 KB minimum part, listing parts and uploads', async () => {
      const p1 = ascii(100 * KB);
      const p2 = ascii(100 * KB + 1);
      const p3 = ascii(10);
      const { UploadId } = await ok(c.initiateMultipartUpload({ Bucket: bucket, Key: 'mp.bin', ContentType: 'application/x-mp', Metadata: { m: 'v' } }));
      const e1 = (await ok(c.uploadPart({ Bucket: bucket, Key: 'mp.bin', PartNumber: 1, UploadId, Body: p1 }))).ETag;
      const e2 = (await ok(c.uploadPart({ Bucket: bucket, Key: 'mp.bin', PartNumber: 2, UploadId, Body: p2 }))).ETag;
      const e3 = (await ok(c.uploadPart({ Bucket: bucket, Key: 'mp.bin', PartNumber: 3, UploadId, Body: p3 }))).ETag;
      assert.equal(e1, `"${md5(p1)}"`);
      const parts = await ok(c.listParts({ Bucket: bucket, Key: 'mp.bin', UploadId }));
      assert.deepEqual(parts.Parts.map((p: any) => [p.PartNumber, p.Size]), [['1', String(100 * KB)], ['2', String(100 * KB + 1)], ['3', '10']]);
      const paged = await ok(c.listParts({ Bucket: bucket, Key: 'mp.bin', UploadId, MaxParts: 1, PartNumberMarker: 1 }));
      assert.deepEqual(paged.Parts.map((p: any) => p.PartNumber), ['2']);
      assert.equal(paged.IsTruncated, 'true');
      const uploads = await ok(c.listMultipartUploads({ Bucket: bucket }));
      assert.ok(uploads.Uploads.some((u: any) => u.UploadId === UploadId && u.Key === 'mp.bin'));
      const done = await ok(
        c.completeMultipartUpload({ Bucket: bucket, Key: 'mp.bin', UploadId, Parts: [{ PartNumber: 1, ETag: e1 }, { PartNumber: 2, ETag: e2 }, { PartNumber: 3, ETag: e3 }] }),
      );
      assert.match(done.ETag, /^"[0-9a-f]{32}-3"$/);
      const whole = p1 + p2 + p3;
      assert.equal(md5(await read('mp.bin')), md5(whole));
      const md = await ok(c.getObjectMetadata({ Bucket: bucket, Key: 'mp.bin' }));
      assert.equal(md.ContentType, 'application/x-mp');
      assert.deepEqual(md.Metadata, { m: 'v' });
    });

    it('refuses a part under 100 KB at completion, not at upload, and the upload stays usable', async () => {
      const { UploadId } = await ok(c.initiateMultipartUpload({ Bucket: bucket, Key: 'small.bin' }));
      const small = ascii(100 * KB - 1);
      const e1 = (await ok(c.uploadPart({ Bucket: bucket, Key: 'small.bin', PartNumber: 1, UploadId, Body: small }))).ETag;
      const e2 = (await ok(c.uploadPart({ Bucket: bucket, Key: 'small.bin', PartNumber: 2, UploadId, Body: 'tail' }))).ETag;
      await fails(c.completeMultipartUpload({ Bucket: bucket, Key: 'small.bin', UploadId, Parts: [{ PartNumber: 1, ETag: e1 }, { PartNumber: 2, ETag: e2 }] }), 400, 'EntityTooSmall');
      await fails(c.getObjectMetadata({ Bucket: bucket, Key: 'small.bin' }), 404);
      // A single small part is the last part: allowed.
      await ok(c.completeMultipartUpload({ Bucket: bucket, Key: 'small.bin', UploadId, Parts: [{ PartNumber: 1, ETag: e1 }] }));
      assert.equal((await read('small.bin')).length, small.length);
      await fails(c.uploadPart({ Bucket: bucket, Key: 'x', PartNumber: 10001, UploadId, Body: 'x' }), 400);
    });

    it('copies parts by range and aborts uploads, leaving no files behind', async () => {
      const src = Buffer.from(ascii(250 * KB));
      await ok(c.putObject({ Bucket: bucket, Key: 'copy-src', Body: src }));
      const { UploadId } = await ok(c.initiateMultipartUpload({ Bucket: bucket, Key: 'copied' }));
      const c1 = await ok(c.copyPart({ Bucket: bucket, Key: 'copied', PartNumber: 1, UploadId, CopySource: `${bucket}/copy-src`, CopySourceRange: `bytes=0-${150 * KB - 1}` }));
      const c2 = await ok(c.copyPart({ Bucket: bucket, Key: 'copied', PartNumber: 2, UploadId, CopySource: `${bucket}/copy-src`, CopySourceRange: `bytes=${150 * KB}-${250 * KB - 1}` }));
      assert.equal(c1.ETag, `"${md5(src.subarray(0, 150 * KB))}"`);
      await ok(c.completeMultipartUpload({ Bucket: bucket, Key: 'copied', UploadId, Parts: [{ PartNumber: 1, ETag: c1.ETag }, { PartNumber: 2, ETag: c2.ETag }] }));
      assert.equal(md5(await read('copied')), md5(src));

      const before = await storedFiles(t.dataDir);
      const up = await ok(c.initiateMultipartUpload({ Bucket: bucket, Key: 'aborted' }));
      await ok(c.uploadPart({ Bucket: bucket, Key: 'aborted', PartNumber: 1, UploadId: up.UploadId, Body: ascii(1000) }));
      await ok(c.abortMultipartUpload({ Bucket: bucket, Key: 'aborted', UploadId: up.UploadId }));
      await fails(c.listParts({ Bucket: bucket, Key: 'aborted', UploadId: up.UploadId }), 404, 'NoSuchUpload');
      assert.deepEqual(await storedFiles(t.dataDir), before);
    });
  });
}
