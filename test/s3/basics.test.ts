import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bucketName, startTestServer, storedData, type TestServer } from '../helpers/server.js';

describe('S3 basics through @aws-sdk/client-s3', () => {
  let t: TestServer;
  const bucket = bucketName('basics');
  before(async () => {
    t = await startTestServer();
    await t.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  });
  after(() => t.stop());

  it('lists the bucket it created', async () => {
    const r = await t.s3.send(new ListBucketsCommand({}));
    assert.ok(r.Buckets?.some((b) => b.Name === bucket));
    await t.s3.send(new HeadBucketCommand({ Bucket: bucket }));
  });

  it('puts and gets an object with metadata and content headers', async () => {
    const put = await t.s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: 'dir/hello.txt', Body: 'hello world', ContentType: 'text/plain', Metadata: { color: 'blue' }, CacheControl: 'max-age=60' }),
    );
    assert.equal(put.ETag, '"5eb63bbbe01eeed093cb22bb8f5acdc3"');
    const got = await t.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'dir/hello.txt' }));
    assert.equal(await got.Body!.transformToString(), 'hello world');
    assert.equal(got.ContentType, 'text/plain');
    assert.equal(got.CacheControl, 'max-age=60');
    assert.deepEqual(got.Metadata, { color: 'blue' });
    assert.equal(got.ContentLength, 11);
    const head = await t.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'dir/hello.txt' }));
    assert.equal(head.ETag, put.ETag);
  });

  it('answers NoSuchKey and NoSuchBucket with S3 error codes', async () => {
    await assert.rejects(t.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'missing' })), (e: Error & { $metadata?: { httpStatusCode?: number } }) => {
      assert.equal(e.name, 'NoSuchKey');
      assert.equal(e.$metadata?.httpStatusCode, 404);
      return true;
    });
    await assert.rejects(t.s3.send(new GetObjectCommand({ Bucket: 'no-such-bucket-here', Key: 'k' })), { name: 'NoSuchBucket' });
  });

  it('refuses to delete a bucket that is not empty, then deletes it once empty', async () => {
    const b = bucketName('del');
    await t.s3.send(new CreateBucketCommand({ Bucket: b }));
    await t.s3.send(new PutObjectCommand({ Bucket: b, Key: 'k', Body: 'x' }));
    await assert.rejects(t.s3.send(new DeleteBucketCommand({ Bucket: b })), { name: 'BucketNotEmpty' });
    await t.s3.send(new DeleteObjectCommand({ Bucket: b, Key: 'k' }));
    await t.s3.send(new DeleteBucketCommand({ Bucket: b }));
    await assert.rejects(t.s3.send(new HeadBucketCommand({ Bucket: b })), (e: Error & { $metadata?: { httpStatusCode?: number } }) => e.$metadata?.httpStatusCode === 404);
  });

  it('leaves no blob behind when an object is overwritten and deleted', async () => {
    const b = bucketName('gc');
    await t.s3.send(new CreateBucketCommand({ Bucket: b }));
    const before = await storedData(t.dataDir);
    await t.s3.send(new PutObjectCommand({ Bucket: b, Key: 'k', Body: 'one' }));
    await t.s3.send(new PutObjectCommand({ Bucket: b, Key: 'k', Body: 'two' }));
    assert.equal(await storedData(t.dataDir), before + 1);
    await t.s3.send(new DeleteObjectCommand({ Bucket: b, Key: 'k' }));
    assert.equal(await storedData(t.dataDir), before);
  });
});
