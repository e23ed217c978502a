import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  UploadPartCopyCommand,
  type ChecksumAlgorithm,
  type ChecksumType,
  type CompletedPart,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { checksum, compositeChecksum, fullObjectChecksum, member, SDK_NAME, type Algorithm } from '../helpers/checksum-oracle.js';
import { ACCESS_KEY, bucketName, SECRET_KEY, startTestServer, type TestServer } from '../helpers/server.js';

const MiB = 1024 * 1024;

describe('S3 multipart checksums (composite and full-object)', () => {
  let t: TestServer;
  let plain: S3Client;
  const bucket = bucketName('mpcks');
  const part1 = randomBytes(5 * MiB);
  const part2 = randomBytes(1234);
  const whole = Buffer.concat([part1, part2]);

  before(async () => {
    t = await startTestServer();
    await t.s3.send(new CreateBucketCommand({ Bucket: bucket }));
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

  async function rejects(p: Promise<unknown>, name: string, message?: string) {
    await assert.rejects(p, (e: Error) => {
      assert.equal(e.name, name, e.message);
      if (message !== undefined) assert.equal(e.message, message);
      return true;
    });
  }

  /** Creates an upload and uploads part1 and part2 with the SDK computing `alg` for each. */
  async function twoParts(key: string, alg: Algorithm, type?: ChecksumType) {
    const created = await t.s3.send(
      new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ChecksumAlgorithm: SDK_NAME[alg] as ChecksumAlgorithm, ChecksumType: type }),
    );
    const UploadId = created.UploadId!;
    const parts: CompletedPart[] = [];
    for (const [i, body] of [part1, part2].entries()) {
      const r = await t.s3.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: i + 1, Body: body, ChecksumAlgorithm: SDK_NAME[alg] as ChecksumAlgorithm }));
      assert.equal(r[member(alg)], checksum(alg, body), 'UploadPart returns the part checksum');
      parts.push({ PartNumber: i + 1, ETag: r.ETag, [member(alg)]: r[member(alg)] });
    }
    return { created, UploadId, parts };
  }

  const cases: [Algorithm, ChecksumType][] = [
    ['crc32', 'COMPOSITE'],
    ['crc32c', 'COMPOSITE'],
    ['sha1', 'COMPOSITE'],
    ['sha256', 'COMPOSITE'],
    ['crc32', 'FULL_OBJECT'],
    ['crc32c', 'FULL_OBJECT'],
    ['crc64nvme', 'FULL_OBJECT'],
  ];
  for (const [alg, type] of cases) {
    it(`${SDK_NAME[alg]} ${type}: object checksum matches an independent computation`, async () => {
      const key = `${alg}-${type}`;
      // CRC64NVME is FULL_OBJECT by default; the others are COMPOSITE by default.
      const explicit = type === 'FULL_OBJECT' && alg !== 'crc64nvme' ? type : undefined;
      const { created, UploadId, parts } = await twoParts(key, alg, explicit);
      assert.equal(created.ChecksumAlgorithm, SDK_NAME[alg]);
      assert.equal(created.ChecksumType, type);

      const listed = await t.s3.send(new ListPartsCommand({ Bucket: bucket, Key: key, UploadId }));
      assert.equal(listed.ChecksumAlgorithm, SDK_NAME[alg]);
      assert.equal(listed.ChecksumType, type);
      assert.deepEqual(listed.Parts?.map((p) => p[member(alg)]), [checksum(alg, part1), checksum(alg, part2)]);
      const uploads = await t.s3.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: key }));
      assert.equal(uploads.Uploads?.[0].ChecksumAlgorithm, SDK_NAME[alg]);
      assert.equal(uploads.Uploads?.[0].ChecksumType, type);

      const expected = type === 'COMPOSITE' ? compositeChecksum(alg, [part1, part2]) : fullObjectChecksum(alg, [part1, part2]);
      const done = await t.s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId, MultipartUpload: { Parts: parts } }));
      assert.equal(done[member(alg)], expected);
      assert.equal(done.ChecksumType, type);

      const head = await t.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: 'ENABLED' }));
      assert.equal(head[member(alg)], expected);
      assert.equal(head.ChecksumType, type);
      assert.equal(head.ContentLength, whole.length);
      // Full-object checksums are validated by the SDK over the whole body as it is read.
      const got = await t.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: 'ENABLED' }));
      assert.equal(got[member(alg)], expected);
      assert.ok(Buffer.from(await got.Body!.transformToByteArray()).equals(whole));
      // A part read back carries that part's checksum (the SDK validates it too).
      const p2 = await t.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, PartNumber: 2, ChecksumMode: 'ENABLED' }));
      assert.equal(p2[member(alg)], checksum(alg, part2));
      assert.equal(p2.PartsCount, 2);
      assert.ok(Buffer.from(await p2.Body!.transformToByteArray()).equals(part2));
    });
  }

  it('refuses checksum settings S3 refuses on CreateMultipartUpload', async () => {
    const create = (alg: string | undefined, type?: string) =>
      t.s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'refused', ChecksumAlgorithm: alg as ChecksumAlgorithm, ChecksumType: type as ChecksumType }));
    await rejects(create('SHA1', 'FULL_OBJECT'), 'InvalidRequest', 'The FULL_OBJECT checksum type cannot be used with the sha1 checksum algorithm.');
    await rejects(create('SHA256', 'FULL_OBJECT'), 'InvalidRequest', 'The FULL_OBJECT checksum type cannot be used with the sha256 checksum algorithm.');
    await rejects(create('CRC64NVME', 'COMPOSITE'), 'InvalidRequest', 'The COMPOSITE checksum type cannot be used with the crc64nvme checksum algorithm.');
    await rejects(create('MD4'), 'InvalidRequest', 'Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]');
    await rejects(create('CRC32', 'TEST'), 'InvalidRequest', 'Value for x-amz-checksum-type header is invalid.');
    await rejects(create(undefined, 'COMPOSITE'), 'InvalidRequest', 'The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.');
    const uploads = await t.s3.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: 'refused' }));
    assert.equal(uploads.Uploads, undefined);
  });

  it('checks each part against the upload checksum algorithm', async () => {
    const key = 'part-rules';
    const { UploadId } = await t.s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ChecksumAlgorithm: 'CRC32C' }));
    // A composite upload needs the checksum of every part.
    await rejects(
      plain.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: 1, Body: part2 })),
      'InvalidRequest',
      'Checksum Type mismatch occurred, expected checksum Type: crc32c, actual checksum Type: null',
    );
    await rejects(
      t.s3.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: 1, Body: part2, ChecksumAlgorithm: 'CRC32' })),
      'InvalidRequest',
      'Checksum Type mismatch occurred, expected checksum Type: crc32c, actual checksum Type: crc32',
    );
    await rejects(
      t.s3.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: 1, Body: part2, ChecksumCRC32C: checksum('crc32c', part1) })),
      'BadDigest',
      'The CRC32C you specified did not match the calculated checksum.',
    );
    const listed = await t.s3.send(new ListPartsCommand({ Bucket: bucket, Key: key, UploadId }));
    assert.equal(listed.Parts, undefined, 'no part was stored');
    // A full-object upload computes the part checksum itself when none is sent.
    const full = await t.s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ChecksumAlgorithm: 'CRC32', ChecksumType: 'FULL_OBJECT' }));
    const r = await plain.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: full.UploadId, PartNumber: 1, Body: part2 }));
    assert.equal(r.ChecksumCRC32, checksum('crc32', part2));
  });

  it('checks the parts and the object checksum of CompleteMultipartUpload', async () => {
    const key = 'complete-rules';
    const { UploadId, parts } = await twoParts(key, 'crc32c');
    const complete = (p: CompletedPart[], extra: Record<string, string> = {}) =>
      t.s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId, MultipartUpload: { Parts: p }, ...extra }));
    const [a, b] = parts;
    await rejects(
      complete([a, { PartNumber: 2, ETag: b.ETag }]),
      'InvalidRequest',
      'The upload was created using a crc32c checksum. The complete request must include the checksum for each part. It was missing for part 2 in the request.',
    );
    await rejects(complete([a, { ...b, ChecksumCRC32C: checksum('crc32c', part1) }]), 'InvalidPart');
    await rejects(complete([a, { ...b, ChecksumCRC32C: 'not base64!' }]), 'InvalidArgument', 'Invalid Base64 or multiple checksums present in request');
    await rejects(complete([a, { ...b, ChecksumCRC32: checksum('crc32', part2) }]), 'InvalidArgument', 'Invalid Base64 or multiple checksums present in request');
    await rejects(complete([a, { PartNumber: 2, ETag: b.ETag, ChecksumCRC32: checksum('crc32', part2) }]), 'BadDigest', 'The crc32 you specified for part 2 did not match what we received.');
    const composite = compositeChecksum('crc32c', [part1, part2]);
    const wrong = checksum('crc32c', Buffer.from('nope'));
    await rejects(complete(parts, { ChecksumCRC32C: wrong }), 'BadDigest', 'The crc32c you specified did not match the calculated checksum.');
    await rejects(complete(parts, { ChecksumCRC32C: composite.replace(/-2$/, '-3') }), 'BadDigest');
    await rejects(complete(parts, { ChecksumCRC32C: composite.replace(/-2$/, '-x') }), 'InvalidRequest', 'Value for x-amz-checksum-crc32c header is invalid.');
    await rejects(complete(parts, { ChecksumSHA256: checksum('sha256', whole) }), 'InvalidRequest', 'Checksum Type mismatch occurred, expected checksum Type: crc32c, actual checksum Type: sha256');
    await rejects(
      complete(parts, { ChecksumType: 'FULL_OBJECT' }),
      'InvalidRequest',
      'The upload was created using the COMPOSITE checksum mode. The complete request must use the same checksum mode.',
    );
    await rejects(complete(parts, { MpuObjectSize: String(whole.length + 1) }), 'InvalidRequest');
    // None of the failures consumed the upload; the right request completes it.
    const done = await complete(parts, { ChecksumCRC32C: composite.replace(/-2$/, ''), ChecksumType: 'COMPOSITE', MpuObjectSize: String(whole.length) });
    assert.equal(done.ChecksumCRC32C, composite);
  });

  it('gives an upload created without a checksum a full-object CRC64NVME, combined from the parts', async () => {
    const key = 'default-mpu';
    const { UploadId } = await plain.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
    const e1 = await plain.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: 1, Body: part1 }));
    // The SDK's default CRC32 on a part is checked, though the upload keeps no CRC32.
    const e2 = await t.s3.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: 2, Body: part2 }));
    assert.equal(e2.ChecksumCRC32, checksum('crc32', part2));
    const listed = await t.s3.send(new ListPartsCommand({ Bucket: bucket, Key: key, UploadId }));
    assert.deepEqual(listed.Parts?.map((p) => p.ChecksumCRC64NVME), [checksum('crc64nvme', part1), checksum('crc64nvme', part2)]);
    // Part checksums in the request must be ones the parts were uploaded with (part 1 had none).
    await rejects(
      t.s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: e1.ETag, ChecksumCRC32C: checksum('crc32c', part1) }, { PartNumber: 2, ETag: e2.ETag }] } })),
      'InvalidPart',
    );
    await rejects(
      t.s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: e1.ETag }, { PartNumber: 2, ETag: e2.ETag, ChecksumCRC32: checksum('crc32', part1) }] } })),
      'InvalidPart',
    );
    const expected = checksum('crc64nvme', whole);
    const done = await t.s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: key,
        UploadId,
        ChecksumCRC64NVME: expected,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: e1.ETag }, { PartNumber: 2, ETag: e2.ETag, ChecksumCRC32: e2.ChecksumCRC32 }] },
      }),
    );
    assert.equal(done.ChecksumCRC64NVME, expected);
    assert.equal(done.ChecksumType, 'FULL_OBJECT');
    const got = await t.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: 'ENABLED' }));
    assert.equal(got.ChecksumCRC64NVME, expected);
    assert.ok(Buffer.from(await got.Body!.transformToByteArray()).equals(whole));
  });

  it('lib-storage Upload: default (CRC32 composite) and CRC64NVME forced (full object)', async () => {
    const data = Buffer.concat([part1, part1.subarray(0, MiB), part2]);
    const partsOf = [data.subarray(0, 5 * MiB), data.subarray(5 * MiB)];
    await new Upload({ client: t.s3, params: { Bucket: bucket, Key: 'ls-default', Body: data }, partSize: 5 * MiB, queueSize: 2 }).done();
    let head = await t.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'ls-default', ChecksumMode: 'ENABLED' }));
    assert.equal(head.ChecksumCRC32, compositeChecksum('crc32', partsOf));
    assert.equal(head.ChecksumType, 'COMPOSITE');
    await new Upload({ client: t.s3, params: { Bucket: bucket, Key: 'ls-nvme', Body: data, ChecksumAlgorithm: 'CRC64NVME' }, partSize: 5 * MiB, queueSize: 2 }).done();
    head = await t.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'ls-nvme', ChecksumMode: 'ENABLED' }));
    assert.equal(head.ChecksumCRC64NVME, checksum('crc64nvme', data));
    assert.equal(head.ChecksumType, 'FULL_OBJECT');
  });

  it('UploadPartCopy computes the part checksum of the upload algorithm from the copied bytes', async () => {
    const src = Buffer.concat([part2, part2]);
    await t.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'copy-src', Body: src, ChecksumAlgorithm: 'CRC32' }));
    const key = 'copy-dst';
    const { UploadId } = await t.s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ChecksumAlgorithm: 'SHA256' }));
    const r = await t.s3.send(new UploadPartCopyCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: 1, CopySource: `${bucket}/copy-src`, CopySourceRange: 'bytes=10-99' }));
    const piece = src.subarray(10, 100);
    assert.equal(r.CopyPartResult?.ChecksumSHA256, checksum('sha256', piece));
    assert.equal(r.CopyPartResult?.ChecksumCRC32, undefined);
    const done = await t.s3.send(
      new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: r.CopyPartResult?.ETag, ChecksumSHA256: r.CopyPartResult?.ChecksumSHA256 }] } }),
    );
    assert.equal(done.ChecksumSHA256, compositeChecksum('sha256', [piece]));
  });
});
