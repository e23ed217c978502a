import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectAttributesCommand,
  PutObjectCommand,
  UploadPartCommand,
  type ObjectAttributes,
} from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { checksum, compositeChecksum } from '../helpers/checksum-oracle.js';
import { signedRequest, xmlField } from '../helpers/raw.js';
import { bucketName, startTestServer, type TestServer } from '../helpers/server.js';

const MiB = 1024 * 1024;
const md5 = (b: Buffer | string) => createHash('md5').update(b).digest('hex');

describe('GetObjectAttributes', () => {
  let t: TestServer;
  const bucket = bucketName('attrs');
  const parts = [randomBytes(5 * MiB), randomBytes(5 * MiB), randomBytes(100)];
  let compositeEtag = '';
  before(async () => {
    t = await startTestServer();
    await t.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await t.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'single', Body: 'hello world!', ChecksumAlgorithm: 'SHA256', StorageClass: 'STANDARD_IA' }));
    const { UploadId } = await t.s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'multi', ChecksumAlgorithm: 'SHA1' }));
    const done = [];
    for (const [i, Body] of parts.entries()) {
      const r = await t.s3.send(new UploadPartCommand({ Bucket: bucket, Key: 'multi', UploadId, PartNumber: i + 1, Body, ChecksumAlgorithm: 'SHA1' }));
      done.push({ PartNumber: i + 1, ETag: r.ETag, ChecksumSHA1: r.ChecksumSHA1 });
    }
    const c = await t.s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: 'multi', UploadId, MultipartUpload: { Parts: done } }));
    compositeEtag = c.ETag!.replace(/"/g, '');
  });
  after(() => t.stop());

  const attrs = (Key: string, ObjectAttributes: ObjectAttributes[], extra: { MaxParts?: number; PartNumberMarker?: string } = {}) =>
    t.s3.send(new GetObjectAttributesCommand({ Bucket: bucket, Key, ObjectAttributes, ...extra }));

  it('returns the attributes asked for of an object written in one piece', async () => {
    const a = await attrs('single', ['ETag', 'Checksum', 'ObjectParts', 'StorageClass', 'ObjectSize']);
    assert.equal(a.ETag, md5('hello world!'), 'the ETag without quotes');
    assert.equal(a.Checksum?.ChecksumSHA256, checksum('sha256', Buffer.from('hello world!')));
    assert.equal(a.Checksum?.ChecksumType, 'FULL_OBJECT');
    assert.equal(a.ObjectParts, undefined, 'no parts for an object written in one piece');
    assert.equal(a.StorageClass, 'STANDARD_IA');
    assert.equal(a.ObjectSize, 12);
    assert.ok(a.LastModified instanceof Date);
    const only = await attrs('single', ['ObjectSize']);
    assert.equal(only.ObjectSize, 12);
    assert.equal(only.ETag, undefined);
    assert.equal(only.Checksum, undefined);
  });

  it('describes a composite multipart object and pages its parts', async () => {
    const a = await attrs('multi', ['ETag', 'Checksum', 'ObjectParts', 'ObjectSize']);
    assert.equal(a.ETag, compositeEtag);
    const composite = compositeChecksum('sha1', parts);
    assert.equal(a.Checksum?.ChecksumSHA1, composite.replace(/-3$/, ''), 'without the part count');
    assert.equal(a.Checksum?.ChecksumType, 'COMPOSITE');
    assert.equal(a.ObjectParts?.TotalPartsCount, 3);
    assert.deepEqual(a.ObjectParts?.Parts?.map((p) => [p.PartNumber, p.Size, p.ChecksumSHA1]), parts.map((p, i) => [i + 1, p.length, checksum('sha1', p)]));
    assert.equal(a.ObjectSize, 10 * MiB + 100);

    const first = await attrs('multi', ['ObjectParts'], { MaxParts: 2 });
    assert.deepEqual(first.ObjectParts?.Parts?.map((p) => p.PartNumber), [1, 2]);
    assert.equal(first.ObjectParts?.IsTruncated, true);
    assert.equal(first.ObjectParts?.NextPartNumberMarker, '2');
    const rest = await attrs('multi', ['ObjectParts'], { MaxParts: 2, PartNumberMarker: first.ObjectParts?.NextPartNumberMarker });
    assert.deepEqual(rest.ObjectParts?.Parts?.map((p) => p.PartNumber), [3]);
    assert.equal(rest.ObjectParts?.IsTruncated, false);
  });

  it('gives the part count and page of a multipart object without checksums, but not its parts', async () => {
    // AWS's general purpose buckets: Part elements only for objects with composite (per-part)
    // checksums; the count, the markers and IsTruncated always.
    const Key = 'plain-multi';
    const { UploadId } = await t.s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key }));
    const done = [];
    for (const [i, Body] of parts.entries()) {
      const r = await signedRequest(t.url, `/${bucket}/${Key}?partNumber=${i + 1}&uploadId=${UploadId}`, { method: 'PUT', body: Body });
      assert.equal(r.status, 200);
      done.push({ PartNumber: i + 1, ETag: r.headers.etag as string });
    }
    await t.s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key, UploadId, MultipartUpload: { Parts: done } }));
    const a = await attrs(Key, ['Checksum', 'ObjectParts']);
    assert.notEqual(a.Checksum?.ChecksumType, 'COMPOSITE');
    assert.equal(a.ObjectParts?.TotalPartsCount, 3);
    assert.equal(a.ObjectParts?.PartNumberMarker, '0');
    assert.equal(a.ObjectParts?.NextPartNumberMarker, '3');
    assert.equal(a.ObjectParts?.MaxParts, 1000);
    assert.equal(a.ObjectParts?.IsTruncated, false);
    assert.equal(a.ObjectParts?.Parts, undefined);
    const page = await attrs(Key, ['ObjectParts'], { MaxParts: 1, PartNumberMarker: '1' });
    assert.equal(page.ObjectParts?.PartNumberMarker, '1');
    assert.equal(page.ObjectParts?.NextPartNumberMarker, '2');
    assert.equal(page.ObjectParts?.MaxParts, 1);
    assert.equal(page.ObjectParts?.IsTruncated, true);
    const past = await attrs(Key, ['ObjectParts'], { PartNumberMarker: '7' });
    assert.equal(past.ObjectParts?.NextPartNumberMarker, '7');
    assert.equal(past.ObjectParts?.IsTruncated, false);
  });

  it('refuses a missing or unknown attribute and answers NoSuchKey for a missing object', async () => {
    let r = await signedRequest(t.url, `/${bucket}/single?attributes`);
    assert.equal(r.status, 400);
    assert.equal(xmlField(r.body, 'Code'), 'InvalidRequest');
    assert.equal(xmlField(r.body, 'Message'), 'The x-amz-object-attributes header specifying the attributes to be retrieved is either missing or empty');
    r = await signedRequest(t.url, `/${bucket}/single?attributes`, { headers: { 'x-amz-object-attributes': 'ETag,Colour' } });
    assert.equal(r.status, 400);
    assert.equal(xmlField(r.body, 'Code'), 'InvalidArgument');
    assert.equal(xmlField(r.body, 'Message'), 'Invalid attribute name specified.');
    await assert.rejects(attrs('missing', ['ETag']), { name: 'NoSuchKey' });
  });
});
