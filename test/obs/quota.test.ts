import type ObsClient from 'esdk-obs-nodejs';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { bucketName, storedFiles, type TestServer } from '../helpers/server.js';
import { fails, obsClient, ok, OBS_MODES, startObsServer } from './helpers.js';

const KB = 1024;
const ascii = (n: number) => randomBytes(Math.ceil(n / 2)).toString('hex').slice(0, n);

for (const mode of OBS_MODES) {
  describe(`OBS bucket quota, enforced (${mode} mode)`, () => {
    let t: TestServer;
    let c: ObsClient;
    before(async () => {
      t = await startObsServer();
      c = await obsClient(t, mode);
    });
    after(async () => {
      c.close();
      await t.stop();
    });

    /** Storage info as numbers, checked against a listing of the bucket. */
    async function usage(bucket: string): Promise<[number, number]> {
      const info = await ok(c.getBucketStorageInfo({ Bucket: bucket }));
      const list = await ok(c.listObjects({ Bucket: bucket }));
      const listed: [number, number] = [list.Contents.reduce((n: number, o: any) => n + Number(o.Size), 0), list.Contents.length];
      assert.deepEqual([Number(info.Size), Number(info.ObjectNumber)], listed, 'storage info matches the listing');
      return listed;
    }

    it('fills a bucket to its quota through puts, multipart and appends; the write that would pass it fails and stores nothing', async () => {
      const b = bucketName('obs-quota');
      await ok(c.createBucket({ Bucket: b }));
      const quota = 400 * KB;
      await ok(c.setBucketQuota({ Bucket: b, StorageQuota: quota }));

      await ok(c.putObject({ Bucket: b, Key: 'put', Body: ascii(100 * KB) }));
      const { UploadId } = await ok(c.initiateMultipartUpload({ Bucket: b, Key: 'multi' }));
      const e1 = (await ok(c.uploadPart({ Bucket: b, Key: 'multi', PartNumber: 1, UploadId, Body: ascii(100 * KB) }))).ETag;
      const e2 = (await ok(c.uploadPart({ Bucket: b, Key: 'multi', PartNumber: 2, UploadId, Body: ascii(50 * KB) }))).ETag;
      await ok(c.completeMultipartUpload({ Bucket: b, Key: 'multi', UploadId, Parts: [{ PartNumber: 1, ETag: e1 }, { PartNumber: 2, ETag: e2 }] }));
      let pos = 0;
      for (let i = 0; i < 3; i++) pos = Number((await ok(c.appendObject({ Bucket: b, Key: 'log', Position: pos, Body: ascii(50 * KB) }))).NextPosition);
      assert.deepEqual(await usage(b), [quota, 3], 'exactly full');

      const files = await storedFiles(t.dataDir);
      const full = 'InsufficientStorageSpace';
      await fails(c.putObject({ Bucket: b, Key: 'one-more', Body: 'x' }), 403, full);
      await fails(c.appendObject({ Bucket: b, Key: 'log', Position: pos, Body: 'x' }), 403, full);
      await fails(c.appendObject({ Bucket: b, Key: 'new-log', Position: 0, Body: 'x' }), 403, full);
      await fails(c.copyObject({ Bucket: b, Key: 'copy', CopySource: `${b}/put` }), 403, full);
      // A body of unknown length (chunked) is refused at its commit.
      await fails(c.putObject({ Bucket: b, Key: 'streamed', Body: Readable.from([Buffer.from('abc')]) }), 403, full);
      // Multipart: parts upload, completion is refused and the upload remains to be aborted.
      const up = await ok(c.initiateMultipartUpload({ Bucket: b, Key: 'multi-2' }));
      const p = (await ok(c.uploadPart({ Bucket: b, Key: 'multi-2', PartNumber: 1, UploadId: up.UploadId, Body: 'tiny' }))).ETag;
      await fails(c.completeMultipartUpload({ Bucket: b, Key: 'multi-2', UploadId: up.UploadId, Parts: [{ PartNumber: 1, ETag: p }] }), 403, full);
      await ok(c.listParts({ Bucket: b, Key: 'multi-2', UploadId: up.UploadId }));
      // A part larger than the whole quota can never fit: refused at once.
      await fails(c.uploadPart({ Bucket: b, Key: 'multi-2', PartNumber: 2, UploadId: up.UploadId, Body: ascii(quota + 1) }), 403, full);
      await ok(c.abortMultipartUpload({ Bucket: b, Key: 'multi-2', UploadId: up.UploadId }));
      assert.deepEqual(await usage(b), [quota, 3], 'nothing was stored');
      assert.deepEqual(await storedFiles(t.dataDir), files, 'no file was left behind');

      // Writes that add nothing pass: an overwrite of the same size, a smaller one, deletes.
      await ok(c.putObject({ Bucket: b, Key: 'put', Body: ascii(100 * KB) }));
      await ok(c.putObject({ Bucket: b, Key: 'put', Body: ascii(60 * KB) }));
      assert.deepEqual(await usage(b), [quota - 40 * KB, 3]);
      await ok(c.putObject({ Bucket: b, Key: 'fits', Body: ascii(40 * KB) }));
      assert.deepEqual(await usage(b), [quota, 4]);
      await fails(c.putObject({ Bucket: b, Key: 'nope', Body: 'x' }), 403, full);
      await ok(c.deleteObject({ Bucket: b, Key: 'multi' }));
      assert.deepEqual(await usage(b), [quota - 150 * KB, 3]);
      await ok(c.putObject({ Bucket: b, Key: 'after-delete', Body: ascii(150 * KB) }));
      assert.deepEqual(await usage(b), [quota, 4]);

      // Lowering the quota under the usage keeps the data; raising it (or 0: no limit) lets writes in again.
      await ok(c.setBucketQuota({ Bucket: b, StorageQuota: 10 }));
      await fails(c.putObject({ Bucket: b, Key: 'nope', Body: 'x' }), 403, full);
      await ok(c.setBucketQuota({ Bucket: b, StorageQuota: 0 }));
      await ok(c.putObject({ Bucket: b, Key: 'free', Body: ascii(500 * KB) }));
      assert.deepEqual(await usage(b), [quota + 500 * KB, 5]);
    });
  });
}
