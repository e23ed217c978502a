import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sdkRejects } from '../helpers/sdk.js';
import { bucketName, startTestServer, storedFiles, type TestServer } from '../helpers/server.js';

const MiB = 1024 * 1024;
const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

describe('S3 multipart uploads', () => {
  let t: TestServer;
  const bucket = bucketName('mpu');
  before(async () => {
    t = await startTestServer();
    await t.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  });
  after(() => t.stop());

  it('answers a retried CompleteMultipartUpload with the object it made; other uploads stay NoSuchUpload', async () => {
    const key = 'retried.bin';
    const { UploadId } = await t.s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
    const p1 = await t.s3.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: 1, Body: 'one' }));
    const Parts = [{ PartNumber: 1, ETag: p1.ETag }];
    const first = await t.s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId, MultipartUpload: { Parts } }));
    const again = await t.s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId, MultipartUpload: { Parts } }));
    assert.equal(again.ETag, first.ETag);
    assert.equal(await (await t.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToString(), 'one');
    // Other parts than the completion chose, another upload id, or a key since overwritten: no such upload.
    const other = [{ PartNumber: 1, ETag: '"' + md5(Buffer.from('two')) + '"' }];
    await sdkRejects(t.s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId, MultipartUpload: { Parts: other } })), 'NoSuchUpload', 404);
    await sdkRejects(t.s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: UploadId + 'x', MultipartUpload: { Parts } })), 'NoSuchUpload', 404);
    await t.s3.send(new CopyObjectCommand({ Bucket: bucket, Key: key, CopySource: `${bucket}/${key}`, MetadataDirective: 'REPLACE' }));
    await sdkRejects(t.s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId, MultipartUpload: { Parts } })), 'NoSuchUpload', 404);
  });

  it('uploads through lib-storage Upload and reads back whole, by range across parts, and by part number', async () => {
    const data = randomBytes(12 * MiB + 123);
    const up = new Upload({ client: t.s3, params: { Bucket: bucket, Key: 'big.bin', Body: data }, partSize: 5 * MiB, queueSize: 3 });
    const r = await up.done();
    assert.match(r.ETag!, /^"[0-9a-f]{32}-3"$/);
    const got = await t.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'big.bin' }));
    const bytes = Buffer.from(await got.Body!.transformToByteArray());
    assert.equal(md5(bytes), md5(data));
    const start = 5 * MiB - 10;
    const ranged = await t.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'big.bin', Range: `bytes=${start}-${start + 19}` }));
    assert.deepEqual(Buffer.from(await ranged.Body!.transformToByteArray()), data.subarray(start, start + 20));
    const part2 = await t.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'big.bin', PartNumber: 2 }));
    assert.equal(part2.ContentLength, 5 * MiB);
    assert.equal(part2.PartsCount, 3);
  });

  it('computes the ETag as the MD5 of part MD5s and removes parts not completed', async () => {
    const key = 'manual.bin';
    const { UploadId } = await t.s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
    const p1 = randomBytes(5 * MiB);
    const p2 = randomBytes(1000);
    const p3 = randomBytes(10);
    const e1 = await t.s3.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: 1, Body: p1 }));
    const e2 = await t.s3.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: 2, Body: p2 }));
    await t.s3.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: 3, Body: p3 }));
    const listed = await t.s3.send(new ListPartsCommand({ Bucket: bucket, Key: key, UploadId }));
    assert.deepEqual(listed.Parts?.map((p) => p.PartNumber), [1, 2, 3]);
    const filesBefore = (await storedFiles(t.dataDir)).length;
    const done = await t.s3.send(
      new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: e1.ETag }, { PartNumber: 2, ETag: e2.ETag }] } }),
    );
    const expected = createHash('md5').update(Buffer.concat([Buffer.from(md5(p1), 'hex'), Buffer.from(md5(p2), 'hex')])).digest('hex') + '-2';
    assert.equal(done.ETag, `"${expected}"`);
    assert.equal((await storedFiles(t.dataDir)).length, filesBefore - 1, 'the unused part 3 is removed');
  });

  it('rejects wrong part order, unknown parts and small parts, and aborts cleanly', async () => {
    const key = 'bad.bin';
    const filesBefore = (await storedFiles(t.dataDir)).length;
    const { UploadId } = await t.s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
    const e1 = await t.s3.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: 1, Body: 'small' }));
    const e2 = await t.s3.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: 2, Body: 'tail' }));
    const complete = (parts: { PartNumber: number; ETag?: string }[]) =>
      t.s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId, MultipartUpload: { Parts: parts } }));
    await assert.rejects(complete([{ PartNumber: 2, ETag: e2.ETag }, { PartNumber: 1, ETag: e1.ETag }]), { name: 'InvalidPartOrder' });
    await assert.rejects(complete([{ PartNumber: 1, ETag: e1.ETag }, { PartNumber: 7, ETag: e2.ETag }]), { name: 'InvalidPart' });
    await assert.rejects(complete([{ PartNumber: 1, ETag: '"00000000000000000000000000000000"' }]), { name: 'InvalidPart' });
    await assert.rejects(complete([{ PartNumber: 1, ETag: e1.ETag }, { PartNumber: 2, ETag: e2.ETag }]), { name: 'EntityTooSmall' });
    const uploads = await t.s3.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    assert.ok(uploads.Uploads?.some((u) => u.UploadId === UploadId));
    await t.s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId }));
    await assert.rejects(t.s3.send(new ListPartsCommand({ Bucket: bucket, Key: key, UploadId })), { name: 'NoSuchUpload' });
    await assert.rejects(t.s3.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: 3, Body: 'x' })), { name: 'NoSuchUpload' });
    assert.equal((await storedFiles(t.dataDir)).length, filesBefore);
  });

  it('puts an 11 MiB Buffer through the minio client (one request below its part size)', async () => {
    const data = randomBytes(11 * MiB);
    await t.minio.putObject(bucket, 'minio.bin', data, data.length, { 'Content-Type': 'application/x-test' }).catch((e: unknown) => {
      throw e;
    });
    const stat = await t.minio.statObject(bucket, 'minio.bin');
    assert.equal(stat.size, data.length);
    assert.equal(stat.metaData['content-type'], 'application/x-test');
    const chunks: Buffer[] = [];
    for await (const c of await t.minio.getObject(bucket, 'minio.bin')) chunks.push(c as Buffer);
    assert.equal(md5(Buffer.concat(chunks)), md5(data));
  });
});
