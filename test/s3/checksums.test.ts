import {
  CreateBucketCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  type ChecksumAlgorithm,
} from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { ALGORITHMS, checksum, member, SDK_NAME } from '../helpers/checksum-oracle.js';
import { signedRequest, xmlField } from '../helpers/raw.js';
import { ACCESS_KEY, bucketName, SECRET_KEY, startTestServer, storedFiles, type TestServer } from '../helpers/server.js';

const md5b64 = (b: Buffer) => createHash('md5').update(b).digest('base64');

describe('S3 flexible checksums on single writes', () => {
  let t: TestServer;
  let plain: S3Client;
  const bucket = bucketName('cks');
  before(async () => {
    t = await startTestServer();
    await t.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    // A client that sends a checksum only where an operation requires one.
    plain = new S3Client({
      endpoint: t.url,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  });
  after(async () => {
    plain.destroy();
    await t.stop();
  });

  async function rejects(p: Promise<unknown>, name: string, message?: string, status = 400) {
    await assert.rejects(p, (e: Error & { $metadata?: { httpStatusCode?: number } }) => {
      assert.equal(e.name, name);
      if (message !== undefined) assert.equal(e.message, message);
      assert.equal(e.$metadata?.httpStatusCode, status);
      return true;
    });
  }

  it('stores the checksum the SDK sends by default (CRC32) and returns it only with ChecksumMode ENABLED', async () => {
    const data = randomBytes(3000);
    const put = await t.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'default.bin', Body: data }));
    assert.equal(put.ChecksumCRC32, checksum('crc32', data));
    assert.equal(put.ChecksumType, 'FULL_OBJECT');
    const head = await t.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'default.bin' }));
    assert.equal(head.ChecksumCRC32, undefined);
    assert.equal(head.ChecksumType, undefined);
    const enabled = await t.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'default.bin', ChecksumMode: 'ENABLED' }));
    assert.equal(enabled.ChecksumCRC32, checksum('crc32', data));
    assert.equal(enabled.ChecksumType, 'FULL_OBJECT');
    // The SDK validates the body against the returned checksum as it reads it.
    const got = await t.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'default.bin', ChecksumMode: 'ENABLED' }));
    assert.equal(got.ChecksumCRC32, checksum('crc32', data));
    assert.deepEqual(Buffer.from(await got.Body!.transformToByteArray()), data);
  });

  it('verifies a trailing checksum of a streamed body (aws-chunked, STREAMING-UNSIGNED-PAYLOAD-TRAILER)', async () => {
    const data = randomBytes(200 * 1024 + 17);
    const body = Readable.from([data.subarray(0, 70000), data.subarray(70000)]);
    const put = await t.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'streamed.bin', Body: body, ContentLength: data.length, ChecksumAlgorithm: 'CRC32C' }));
    assert.equal(put.ChecksumCRC32C, checksum('crc32c', data));
    const head = await t.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'streamed.bin', ChecksumMode: 'ENABLED' }));
    assert.equal(head.ChecksumCRC32C, checksum('crc32c', data));
    assert.equal(head.ContentLength, data.length);
    assert.equal(head.ContentEncoding, undefined, 'aws-chunked is framing, not the object encoding');
  });

  for (const alg of ALGORITHMS) {
    it(`stores and returns ${SDK_NAME[alg]} when the SDK is told to use it`, async () => {
      const data = randomBytes(1500);
      const key = `forced-${alg}`;
      const put = await t.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: data, ChecksumAlgorithm: SDK_NAME[alg] as ChecksumAlgorithm }));
      assert.equal(put[member(alg)], checksum(alg, data));
      const head = await t.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: 'ENABLED' }));
      assert.equal(head[member(alg)], checksum(alg, data));
      assert.equal(head.ChecksumType, 'FULL_OBJECT');
      for (const other of ALGORITHMS) if (other !== alg) assert.equal(head[member(other)], undefined);
      const got = await t.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: 'ENABLED' }));
      assert.equal(got[member(alg)], checksum(alg, data));
      assert.deepEqual(Buffer.from(await got.Body!.transformToByteArray()), data);
    });
  }

  it('keeps a CRC64NVME checksum of a write that declares none, as S3 does', async () => {
    const data = randomBytes(999);
    const put = await plain.send(new PutObjectCommand({ Bucket: bucket, Key: 'none.bin', Body: data }));
    assert.equal(put.ChecksumCRC64NVME, checksum('crc64nvme', data));
    const head = await plain.send(new HeadObjectCommand({ Bucket: bucket, Key: 'none.bin', ChecksumMode: 'ENABLED' }));
    assert.equal(head.ChecksumCRC64NVME, checksum('crc64nvme', data));
    assert.equal(head.ChecksumType, 'FULL_OBJECT');
  });

  it('rejects a checksum that does not match the body with BadDigest and stores nothing', async () => {
    const before = await storedFiles(t.dataDir);
    const data = randomBytes(4096);
    for (const alg of ALGORITHMS) {
      const wrong = checksum(alg, Buffer.concat([data, Buffer.from('x')]));
      await rejects(
        t.s3.send(new PutObjectCommand({ Bucket: bucket, Key: `bad-${alg}`, Body: data, [member(alg)]: wrong })),
        'BadDigest',
        `The ${SDK_NAME[alg]} you specified did not match the calculated checksum.`,
      );
      await rejects(t.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: `bad-${alg}` })), 'NotFound', undefined, 404);
    }
    assert.deepEqual(await storedFiles(t.dataDir), before);
  });

  it('rejects malformed, multiple and inconsistent checksum headers with InvalidRequest', async () => {
    const data = Buffer.from('123456789');
    await rejects(
      t.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'm1', Body: data, ChecksumCRC32: 'y/Q5Jh==' })),
      'InvalidRequest',
      'Value for x-amz-checksum-crc32 header is invalid.',
    );
    await rejects(
      t.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'm2', Body: data, ChecksumCRC32: 'toolong=' })),
      'InvalidRequest',
      'Value for x-amz-checksum-crc32 header is invalid.',
    );
    await rejects(
      t.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'm3', Body: data, ChecksumCRC32: 'y/Q5Jg==', ChecksumSHA1: checksum('sha1', data) })),
      'InvalidRequest',
      'Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.',
    );
    const raw = (headers: Record<string, string>) =>
      signedRequest(t.url, `/${bucket}/m4`, { method: 'PUT', headers: { 'content-length': String(data.length), ...headers }, body: data });
    let r = await raw({ 'x-amz-sdk-checksum-algorithm': 'SHA1', 'x-amz-checksum-crc32': checksum('crc32', data) });
    assert.equal(r.status, 400);
    assert.equal(xmlField(r.body, 'Message'), 'Value for x-amz-sdk-checksum-algorithm header is invalid.');
    r = await raw({ 'x-amz-sdk-checksum-algorithm': 'CRC32' });
    assert.equal(r.status, 400);
    assert.equal(xmlField(r.body, 'Message'), 'x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* or x-amz-trailer headers were found.');
    r = await raw({ 'x-amz-sdk-checksum-algorithm': 'MD4', 'x-amz-checksum-crc32': checksum('crc32', data) });
    assert.equal(xmlField(r.body, 'Message'), 'Value for x-amz-sdk-checksum-algorithm header is invalid.');
    r = await raw({ 'x-amz-trailer': 'x-amz-meta-foo' });
    assert.equal(r.status, 400);
    assert.equal(xmlField(r.body, 'Code'), 'InvalidRequest');
    // A good checksum with a matching algorithm header is accepted.
    r = await raw({ 'x-amz-sdk-checksum-algorithm': 'CRC32', 'x-amz-checksum-crc32': checksum('crc32', data) });
    assert.equal(r.status, 200);
    assert.equal(r.headers['x-amz-checksum-crc32'], 'y/Q5Jg==');
    for (const key of ['m1', 'm2', 'm3']) await rejects(t.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key })), 'NotFound', undefined, 404);
  });

  it('verifies Content-MD5 on PutObject', async () => {
    const data = randomBytes(2048);
    await plain.send(new PutObjectCommand({ Bucket: bucket, Key: 'md5-ok', Body: data, ContentMD5: md5b64(data) }));
    await rejects(
      plain.send(new PutObjectCommand({ Bucket: bucket, Key: 'md5-bad', Body: data, ContentMD5: md5b64(Buffer.from('other')) })),
      'BadDigest',
      'The Content-MD5 you specified did not match what we received.',
    );
    await rejects(plain.send(new PutObjectCommand({ Bucket: bucket, Key: 'md5-bad', Body: data, ContentMD5: 'not-base64' })), 'InvalidDigest');
    await rejects(plain.send(new HeadObjectCommand({ Bucket: bucket, Key: 'md5-bad' })), 'NotFound', undefined, 404);
  });

  it('verifies Content-MD5 and checksums on DeleteObjects', async () => {
    await t.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'del-1', Body: 'x' }));
    // The SDK's default: a CRC32 of the XML document.
    const ok = await t.s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: [{ Key: 'del-1' }] } }));
    assert.equal(ok.Deleted?.[0].Key, 'del-1');
    const xml = '<Delete><Object><Key>del-2</Key></Object></Delete>';
    const send = (headers: Record<string, string>) =>
      signedRequest(t.url, `/${bucket}?delete`, { method: 'POST', headers: { 'content-length': String(xml.length), ...headers }, body: xml });
    let r = await send({ 'content-md5': md5b64(Buffer.from(xml)) });
    assert.equal(r.status, 200);
    r = await send({ 'content-md5': md5b64(Buffer.from(xml + ' ')) });
    assert.equal(r.status, 400);
    assert.equal(xmlField(r.body, 'Code'), 'BadDigest');
    r = await send({ 'x-amz-checksum-sha256': checksum('sha256', Buffer.from('something else')) });
    assert.equal(r.status, 400);
    assert.equal(xmlField(r.body, 'Code'), 'BadDigest');
    r = await send({});
    assert.equal(r.status, 400);
    assert.equal(xmlField(r.body, 'Code'), 'InvalidRequest');
  });

  it('returns the checksum for a range only when the range is the whole object', async () => {
    const data = randomBytes(100);
    await t.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'ranged', Body: data, ChecksumAlgorithm: 'SHA256' }));
    const whole = await t.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'ranged', Range: 'bytes=0-99', ChecksumMode: 'ENABLED' }));
    assert.equal(whole.ChecksumSHA256, checksum('sha256', data));
    await whole.Body!.transformToByteArray();
    const part = await t.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'ranged', Range: 'bytes=1-50', ChecksumMode: 'ENABLED' }));
    assert.equal(part.ChecksumSHA256, undefined);
    assert.equal(part.ChecksumType, undefined);
    assert.deepEqual(Buffer.from(await part.Body!.transformToByteArray()), data.subarray(1, 51));
  });
});
