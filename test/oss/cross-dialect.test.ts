import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { crc64 } from '../../src/digest/crc64.js';
import { bucketName, startTestServer, type TestServer } from '../helpers/server.js';
import { crc64Reference, ossClient, pattern } from './helpers.js';

describe('the same objects through OSS and S3', () => {
  let srv: TestServer;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let oss: any;
  let bucket: string;

  before(async () => {
    srv = await startTestServer();
    bucket = bucketName('cross');
    await srv.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    oss = ossClient(srv, { bucket });
  });
  after(() => srv.stop());

  it('written through OSS, reads back identically through S3 (data, metadata, content type, ETag)', async () => {
    const body = pattern(3000, 11);
    const put = await oss.put('from-oss.json', body, {
      meta: { color: 'blue', n: '42' },
      headers: { 'Content-Type': 'application/json', 'Content-Disposition': 'inline', 'x-oss-storage-class': 'IA' },
    });
    const head = await srv.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'from-oss.json' }));
    assert.equal(head.ETag, put.res.headers.etag);
    assert.equal(head.ContentType, 'application/json');
    assert.equal(head.ContentDisposition, 'inline');
    assert.deepEqual(head.Metadata, { color: 'blue', n: '42' });
    assert.equal(head.StorageClass, 'STANDARD_IA');
    const got = await srv.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'from-oss.json' }));
    assert.deepEqual(Buffer.from(await got.Body!.transformToByteArray()), body);
    // S3 names only its own checksum algorithms: the CRC-64/ECMA kept for OSS does not leak into S3 listings.
    const listed = await srv.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'from-oss' }));
    assert.equal(listed.Contents?.[0]?.ChecksumAlgorithm, undefined);
    assert.equal(listed.Contents?.[0]?.StorageClass, 'STANDARD_IA');
    const versions = await srv.s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: 'from-oss' }));
    assert.equal(versions.Versions?.[0]?.ChecksumAlgorithm, undefined);
  });

  it('written through S3, reads back identically through OSS, with its CRC-64', async () => {
    const body = pattern(4096, 12);
    const put = await srv.s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: 'from-s3.txt', Body: body, ContentType: 'text/plain; charset=utf-8', Metadata: { who: 's3' }, StorageClass: 'STANDARD_IA' }),
    );
    const head = await oss.head('from-s3.txt');
    assert.equal(head.res.headers.etag, put.ETag);
    assert.equal(head.res.headers['content-type'], 'text/plain; charset=utf-8');
    assert.deepEqual(head.meta, { who: 's3' });
    assert.equal(head.res.headers['x-oss-storage-class'], 'IA');
    assert.equal(head.res.headers['x-oss-hash-crc64ecma'], crc64Reference(body));
    assert.deepEqual((await oss.get('from-s3.txt')).content, body);
    const listed = await oss.list({ prefix: 'from-s3' });
    assert.equal(listed.objects[0].etag, put.ETag);
    assert.equal(listed.objects[0].storageClass, 'IA');
  });

  it('an S3 multipart object answers OSS with the CRC-64 combined from its parts', async () => {
    const a = pattern(5 * 1024 * 1024, 13);
    const b = pattern(1000, 14);
    const { UploadId } = await srv.s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'mpu-s3' }));
    const p1 = await srv.s3.send(new UploadPartCommand({ Bucket: bucket, Key: 'mpu-s3', UploadId, PartNumber: 1, Body: a }));
    const p2 = await srv.s3.send(new UploadPartCommand({ Bucket: bucket, Key: 'mpu-s3', UploadId, PartNumber: 2, Body: b }));
    const done = await srv.s3.send(
      new CompleteMultipartUploadCommand({ Bucket: bucket, Key: 'mpu-s3', UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: p1.ETag }, { PartNumber: 2, ETag: p2.ETag }] } }),
    );
    const meta = await oss.getObjectMeta('mpu-s3');
    assert.equal(meta.res.headers.etag, done.ETag);
    // 5 MiB is too much for the bitwise reference: the digest module's CRC (tested against it) checks the combination.
    assert.equal(meta.res.headers['x-oss-hash-crc64ecma'], crc64('ecma182', Buffer.concat([a, b])).toString());
    assert.equal(crc64('ecma182', b).toString(), crc64Reference(b));
    assert.equal((await oss.head('mpu-s3')).res.headers['x-oss-object-type'], 'Multipart');
  });

  it('an OSS appendable object reads through S3', async () => {
    const r = await oss.append('appended', Buffer.from('one,'));
    await oss.append('appended', Buffer.from('two'), { position: r.nextAppendPosition });
    const got = await srv.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'appended' }));
    assert.equal(await got.Body!.transformToString(), 'one,two');
  });
});
