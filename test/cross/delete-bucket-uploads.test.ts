// DeleteBucket of a bucket whose only content is unfinished multipart uploads: each cloud's rule.
// S3 deletes the bucket and its uploads (their parts' files freed); OSS and OBS document that
// parts must be removed first and answer 409 BucketNotEmpty.
import {
  AbortMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  HeadBucketCommand,
  ListMultipartUploadsCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fails, obsClient, ok, OBS_MODES, startObsServer } from '../obs/helpers.js';
import { ossClient, ossError } from '../oss/helpers.js';
import { bucketName, storedFiles, type TestServer } from '../helpers/server.js';

describe('DeleteBucket with only unfinished multipart uploads', () => {
  let srv: TestServer;
  before(async () => {
    srv = await startObsServer();
  });
  after(() => srv.stop());

  /** A bucket holding one upload with two parts (created through S3; the rule depends only on the dialect deleting). */
  async function bucketWithUpload(tag: string): Promise<{ b: string; key: string; uploadId: string }> {
    const b = bucketName(tag);
    await srv.s3.send(new CreateBucketCommand({ Bucket: b }));
    const { UploadId } = await srv.s3.send(new CreateMultipartUploadCommand({ Bucket: b, Key: 'big' }));
    for (const n of [1, 2]) await srv.s3.send(new UploadPartCommand({ Bucket: b, Key: 'big', UploadId, PartNumber: n, Body: Buffer.alloc(1024, n) }));
    return { b, key: 'big', uploadId: UploadId! };
  }

  it('S3 deletes the bucket with its uploads and frees the parts', async () => {
    const before = await storedFiles(srv.dataDir);
    const { b } = await bucketWithUpload('s3-del-mpu');
    assert.equal((await storedFiles(srv.dataDir)).length, before.length + 2, 'two part files stored');
    await srv.s3.send(new DeleteBucketCommand({ Bucket: b }));
    await assert.rejects(srv.s3.send(new HeadBucketCommand({ Bucket: b })), { name: 'NotFound' });
    assert.deepEqual(await storedFiles(srv.dataDir), before, 'the part files are gone');
    // A bucket recreated under the name starts without the old uploads.
    await srv.s3.send(new CreateBucketCommand({ Bucket: b }));
    assert.equal((await srv.s3.send(new ListMultipartUploadsCommand({ Bucket: b }))).Uploads?.length ?? 0, 0);
    await srv.s3.send(new DeleteBucketCommand({ Bucket: b }));
  });

  it('S3 still refuses a bucket with objects besides uploads', async () => {
    const { b, key, uploadId } = await bucketWithUpload('s3-del-obj');
    await srv.minio.putObject(b, 'obj', Buffer.from('x'));
    await assert.rejects(srv.s3.send(new DeleteBucketCommand({ Bucket: b })), { name: 'BucketNotEmpty' });
    // The refused delete left the upload alone.
    assert.equal((await srv.s3.send(new ListMultipartUploadsCommand({ Bucket: b }))).Uploads?.[0]?.UploadId, uploadId);
    await srv.minio.removeObject(b, 'obj');
    await srv.s3.send(new AbortMultipartUploadCommand({ Bucket: b, Key: key, UploadId: uploadId }));
    await srv.s3.send(new DeleteBucketCommand({ Bucket: b }));
  });

  it('OSS answers 409 BucketNotEmpty until the upload is aborted', async () => {
    const oss = ossClient(srv);
    const { b, key, uploadId } = await bucketWithUpload('oss-del-mpu');
    const e = await ossError(oss.deleteBucket(b));
    assert.equal(e.status, 409);
    assert.equal(e.code, 'BucketNotEmpty');
    assert.equal((await srv.s3.send(new ListMultipartUploadsCommand({ Bucket: b }))).Uploads?.length, 1, 'the upload is kept');
    oss.useBucket(b);
    await oss.abortMultipartUpload(key, uploadId);
    await oss.deleteBucket(b);
    await assert.rejects(srv.s3.send(new HeadBucketCommand({ Bucket: b })), { name: 'NotFound' });
  });

  for (const mode of OBS_MODES) {
    it(`OBS (${mode} signature) answers 409 BucketNotEmpty until the upload is aborted`, async () => {
      const c = await obsClient(srv, mode);
      const { b, key, uploadId } = await bucketWithUpload(`obs-${mode}-del-mpu`);
      await fails(c.deleteBucket({ Bucket: b }), 409, 'BucketNotEmpty');
      assert.equal((await srv.s3.send(new ListMultipartUploadsCommand({ Bucket: b }))).Uploads?.length, 1, 'the upload is kept');
      await ok(c.abortMultipartUpload({ Bucket: b, Key: key, UploadId: uploadId }));
      await ok(c.deleteBucket({ Bucket: b }));
      await fails(c.headBucket({ Bucket: b }), 404);
    });
  }
});
