import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  PutObjectCommand,
  UploadPartCommand,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { signedRequest, xmlField, type RawResponse } from '../helpers/raw.js';
import { bucketName, startTestServer, storedFiles, type TestServer } from '../helpers/server.js';

const MiB = 1024 * 1024;
const md5 = (b: Buffer | string) => createHash('md5').update(b).digest('hex');
const md5b64 = (b: Buffer | string) => createHash('md5').update(b).digest('base64');

function completeXml(parts: { n: number; etag?: string }[]): string {
  return `<CompleteMultipartUpload>${parts.map((p) => `<Part><PartNumber>${p.n}</PartNumber>${p.etag !== undefined ? `<ETag>${p.etag}</ETag>` : ''}</Part>`).join('')}</CompleteMultipartUpload>`;
}

/** An XML element's text with the predefined entities decoded. */
function field(body: Buffer, name: string): string | undefined {
  const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
  return xmlField(body, name)?.replace(/&(amp|lt|gt|quot|apos);/g, (_, e: string) => entities[e]);
}

function assertError(r: RawResponse, status: number, code: string, fields: Record<string, string> = {}) {
  assert.equal(r.status, status, r.body.toString());
  assert.equal(field(r.body, 'Code'), code);
  for (const [k, v] of Object.entries(fields)) assert.equal(field(r.body, k), v, k);
}

describe('S3 multipart uploads: limits, errors and listings', () => {
  let t: TestServer;
  const bucket = bucketName('mperr');
  const big = randomBytes(5 * MiB);
  before(async () => {
    t = await startTestServer();
    await t.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  });
  after(() => t.stop());

  const create = async (key: string) => (await t.s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }))).UploadId!;
  const part = (key: string, UploadId: string, PartNumber: number, Body: Buffer | string) => t.s3.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber, Body }));
  const raw = (path: string, method: string, body?: string | Buffer, headers: Record<string, string> = {}) =>
    signedRequest(t.url, `/${bucket}/${path}`, { method, body, headers: body !== undefined ? { 'content-length': String(Buffer.byteLength(body)), ...headers } : headers });

  it('accepts part numbers 1 to 10000 and nothing else', async () => {
    const key = 'numbers';
    const id = await create(key);
    for (const n of ['0', '10001', '-1', 'abc', '1.5']) {
      const r = await raw(`${key}?partNumber=${n}&uploadId=${id}`, 'PUT', 'data');
      assertError(r, 400, 'InvalidArgument', { Message: 'Part number must be an integer between 1 and 10000, inclusive', ArgumentName: 'partNumber', ArgumentValue: n });
    }
    await part(key, id, 10000, 'last');
    await part(key, id, 1, 'first');
    const listed = await t.s3.send(new ListPartsCommand({ Bucket: bucket, Key: key, UploadId: id }));
    assert.deepEqual(listed.Parts?.map((p) => p.PartNumber), [1, 10000]);
    await t.s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: id }));
  });

  it('answers NoSuchUpload (404, with the upload id) for an unknown, aborted or other-key upload', async () => {
    const id = await create('nsu');
    const bogus = 'bm90LWFuLXVwbG9hZA';
    const message = 'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.';
    for (const [method, path, body] of [
      ['PUT', `nsu?partNumber=1&uploadId=${bogus}`, 'x'],
      ['GET', `nsu?uploadId=${bogus}`, undefined],
      ['POST', `nsu?uploadId=${bogus}`, completeXml([{ n: 1, etag: md5('x') }])],
      ['DELETE', `nsu?uploadId=${bogus}`, undefined],
      ['GET', `other-key?uploadId=${id}`, undefined],
    ] as const) {
      const r = await raw(path, method, body);
      assertError(r, 404, 'NoSuchUpload', { Message: message, UploadId: path.includes(bogus) ? bogus : id });
    }
    await t.s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: 'nsu', UploadId: id }));
    assertError(await raw(`nsu?partNumber=1&uploadId=${id}`, 'PUT', 'x'), 404, 'NoSuchUpload');
    assertError(await raw(`nsu?uploadId=${id}`, 'DELETE'), 404, 'NoSuchUpload');
  });

  it('answers InvalidPartOrder, InvalidPart and EntityTooSmall with S3 error details', async () => {
    const key = 'details';
    const id = await create(key);
    const e1 = (await part(key, id, 1, 'small one')).ETag!;
    const e2 = (await part(key, id, 2, 'small two')).ETag!;
    const complete = (parts: { n: number; etag?: string }[]) => raw(`${key}?uploadId=${id}`, 'POST', completeXml(parts));
    assertError(await complete([{ n: 2, etag: e2 }, { n: 1, etag: e1 }]), 400, 'InvalidPartOrder', {
      Message: 'The list of parts was not in ascending order. Parts must be ordered by part number.',
      UploadId: id,
    });
    assertError(await complete([{ n: 1, etag: e1 }, { n: 3, etag: e2 }]), 400, 'InvalidPart', { UploadId: id, PartNumber: '3', ETag: e2.replace(/"/g, '') });
    const wrong = '"' + md5('other') + '"';
    assertError(await complete([{ n: 1, etag: wrong }]), 400, 'InvalidPart', {
      Message: "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
      PartNumber: '1',
      ETag: md5('other'),
    });
    assertError(await complete([{ n: 1, etag: e1 }, { n: 2, etag: e2 }]), 400, 'EntityTooSmall', {
      Message: 'Your proposed upload is smaller than the minimum allowed size',
      ProposedSize: '9',
      MinSizeAllowed: String(5 * MiB),
      PartNumber: '1',
      ETag: md5('small one'),
    });
    assertError(await raw(`${key}?uploadId=${id}`, 'POST', '<CompleteMultipartUpload></CompleteMultipartUpload>'), 400, 'MalformedXML');
    // A single small part is a valid (last) part.
    const r = await complete([{ n: 2, etag: e2 }]);
    assert.equal(r.status, 200, r.body.toString());
    assert.equal(field(r.body, 'ETag'), `"${md5(Buffer.from(md5('small two'), 'hex'))}-1"`);
  });

  it('replaces a part uploaded again under the same number and removes the old blob', async () => {
    const key = 'replace';
    const id = await create(key);
    await part(key, id, 1, big);
    const first = await part(key, id, 2, 'first version');
    const files = (await storedFiles(t.dataDir)).length;
    const second = await part(key, id, 2, 'second version!');
    assert.equal((await storedFiles(t.dataDir)).length, files, 'the replaced part blob is gone');
    const listed = await t.s3.send(new ListPartsCommand({ Bucket: bucket, Key: key, UploadId: id }));
    assert.equal(listed.Parts?.[1].ETag, second.ETag);
    assert.equal(listed.Parts?.[1].Size, 15);
    const complete = (etag: string) =>
      t.s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: id, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: md5(big) }, { PartNumber: 2, ETag: etag }] } }));
    await assert.rejects(complete(first.ETag!), { name: 'InvalidPart' });
    await complete(second.ETag!);
    const got = await t.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=${5 * MiB}-` }));
    assert.equal(await got.Body!.transformToString(), 'second version!');
  });

  it('leaves nothing after an abort and no stray part after a completion', async () => {
    const before = await storedFiles(t.dataDir);
    const id = await create('aborted');
    await part('aborted', id, 1, big);
    await part('aborted', id, 2, 'tail');
    await t.s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: 'aborted', UploadId: id }));
    assert.deepEqual(await storedFiles(t.dataDir), before);
    await assert.rejects(t.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'aborted' })), { name: 'NotFound' });

    const id2 = await create('completed');
    const p1 = await part('completed', id2, 1, big);
    await part('completed', id2, 2, 'not chosen');
    const p3 = await part('completed', id2, 3, 'chosen');
    await t.s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: 'completed', UploadId: id2, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: p1.ETag }, { PartNumber: 3, ETag: p3.ETag }] } }));
    assert.equal((await storedFiles(t.dataDir)).length, before.length + 2, 'only the two chosen parts remain, as the object');
    await assert.rejects(t.s3.send(new ListPartsCommand({ Bucket: bucket, Key: 'completed', UploadId: id2 })), { name: 'NoSuchUpload' });
    const uploads = await t.s3.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: 'completed' }));
    assert.equal(uploads.Uploads, undefined);
  });

  it('UploadPartCopy: ranges (also across source parts), bad ranges and copy-source conditions', async () => {
    // A two-part source object, so a range can span its parts.
    const srcKey = 'copy-source';
    const sid = await create(srcKey);
    const tail = randomBytes(1000);
    const s1 = await part(srcKey, sid, 1, big);
    const s2 = await part(srcKey, sid, 2, tail);
    const src = await t.s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: srcKey, UploadId: sid, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: s1.ETag }, { PartNumber: 2, ETag: s2.ETag }] } }));
    const whole = Buffer.concat([big, tail]);

    const key = 'copy-target';
    const id = await create(key);
    const copy = (PartNumber: number, CopySourceRange?: string, extra: Record<string, unknown> = {}) =>
      t.s3.send(new UploadPartCopyCommand({ Bucket: bucket, Key: key, UploadId: id, PartNumber, CopySource: `${bucket}/${srcKey}`, CopySourceRange, ...extra }));
    const start = 5 * MiB - 100;
    const c1 = await copy(1, `bytes=${start}-${start + 499}`);
    assert.equal(c1.CopyPartResult?.ETag, `"${md5(whole.subarray(start, start + 500))}"`);
    const c2 = await copy(2);
    assert.equal(c2.CopyPartResult?.ETag, `"${md5(whole)}"`);

    const badRange = (v: string) => raw(`${key}?partNumber=3&uploadId=${id}`, 'PUT', undefined, { 'x-amz-copy-source': `${bucket}/${srcKey}`, 'x-amz-copy-source-range': v });
    for (const v of ['byte=1-2', 'bytes=5-1', 'bytes=-5', 'bytes=1-', 'bytes=a-b']) {
      assertError(await badRange(v), 400, 'InvalidArgument', {
        Message: 'The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy',
        ArgumentValue: v,
      });
    }
    for (const v of [`bytes=0-${whole.length}`, `bytes=${whole.length}-${whole.length + 10}`]) {
      assertError(await badRange(v), 400, 'InvalidArgument', { Message: `Range specified is not valid for source object of size: ${whole.length}` });
    }

    const etag = src.ETag!;
    const past = new Date(Date.now() - 86400_000);
    const future = new Date(Date.now() + 86400_000);
    await assert.rejects(copy(3, 'bytes=0-9', { CopySourceIfMatch: '"' + md5('x') + '"' }), { name: 'PreconditionFailed' });
    await assert.rejects(copy(3, 'bytes=0-9', { CopySourceIfNoneMatch: etag }), { name: 'PreconditionFailed' });
    await assert.rejects(copy(3, 'bytes=0-9', { CopySourceIfUnmodifiedSince: past }), { name: 'PreconditionFailed' });
    await assert.rejects(copy(3, 'bytes=0-9', { CopySourceIfModifiedSince: future }), { name: 'PreconditionFailed' });
    await copy(3, 'bytes=0-9', { CopySourceIfMatch: etag, CopySourceIfUnmodifiedSince: future });
    await copy(4, 'bytes=0-9', { CopySourceIfNoneMatch: '"' + md5('x') + '"', CopySourceIfModifiedSince: past });
    await assert.rejects(
      t.s3.send(new UploadPartCopyCommand({ Bucket: bucket, Key: key, UploadId: id, PartNumber: 5, CopySource: `${bucket}/no-such-source` })),
      { name: 'NoSuchKey' },
    );
    const listed = await t.s3.send(new ListPartsCommand({ Bucket: bucket, Key: key, UploadId: id }));
    assert.deepEqual(listed.Parts?.map((p) => [p.PartNumber, p.Size]), [[1, 500], [2, whole.length], [3, 10], [4, 10]]);

    await t.s3.send(
      new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: id, MultipartUpload: { Parts: [{ PartNumber: 2, ETag: c2.CopyPartResult?.ETag }, { PartNumber: 3, ETag: `"${md5(whole.subarray(0, 10))}"` }] } }),
    );
    const got = await t.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    assert.equal(md5(Buffer.from(await got.Body!.transformToByteArray())), md5(Buffer.concat([whole, whole.subarray(0, 10)])));
  });

  it('ListParts pages with max-parts and part-number-marker', async () => {
    const key = 'paged-parts';
    const id = await create(key);
    for (let n = 1; n <= 5; n++) await part(key, id, n, `part ${n}`);
    const list = (PartNumberMarker?: string, MaxParts?: number) => t.s3.send(new ListPartsCommand({ Bucket: bucket, Key: key, UploadId: id, PartNumberMarker, MaxParts }));
    let page = await list(undefined, 2);
    assert.deepEqual(page.Parts?.map((p) => p.PartNumber), [1, 2]);
    assert.equal(page.IsTruncated, true);
    assert.equal(page.NextPartNumberMarker, '2');
    assert.equal(page.MaxParts, 2);
    page = await list('2', 2);
    assert.deepEqual(page.Parts?.map((p) => p.PartNumber), [3, 4]);
    assert.equal(page.PartNumberMarker, '2');
    page = await list('4', 2);
    assert.deepEqual(page.Parts?.map((p) => p.PartNumber), [5]);
    assert.equal(page.IsTruncated, false);
    page = await list('5');
    assert.equal(page.Parts, undefined);
    assert.equal(page.IsTruncated, false);
    assertError(await raw(`${key}?uploadId=${id}&max-parts=-1`, 'GET'), 400, 'InvalidArgument', { ArgumentName: 'max-parts' });
    assertError(await raw(`${key}?uploadId=${id}&part-number-marker=x`, 'GET'), 400, 'InvalidArgument', { ArgumentName: 'part-number-marker' });
    await t.s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: id }));
  });

  it('ListMultipartUploads: prefix, delimiter, key-marker, upload-id-marker and max-uploads', async () => {
    const b2 = bucketName('uploads');
    await t.s3.send(new CreateBucketCommand({ Bucket: b2 }));
    const mk = async (Key: string) => (await t.s3.send(new CreateMultipartUploadCommand({ Bucket: b2, Key }))).UploadId!;
    const ids: Record<string, string> = {};
    for (const k of ['a/1', 'a/2', 'b', 'c/x/1', 'c/y', 'd']) ids[k] = await mk(k);
    const b2second = await mk('b');
    const list = (p: { Prefix?: string; Delimiter?: string; KeyMarker?: string; UploadIdMarker?: string; MaxUploads?: number }) =>
      t.s3.send(new ListMultipartUploadsCommand({ Bucket: b2, ...p }));

    const all = await list({});
    assert.deepEqual(all.Uploads?.map((u) => u.Key), ['a/1', 'a/2', 'b', 'b', 'c/x/1', 'c/y', 'd']);
    assert.deepEqual(all.Uploads?.filter((u) => u.Key === 'b').map((u) => u.UploadId), [ids.b, b2second], 'initiation order within a key');
    assert.equal(all.IsTruncated, false);

    const grouped = await list({ Delimiter: '/' });
    assert.deepEqual(grouped.Uploads?.map((u) => u.Key), ['b', 'b', 'd']);
    assert.deepEqual(grouped.CommonPrefixes?.map((p) => p.Prefix), ['a/', 'c/']);
    const inC = await list({ Prefix: 'c/', Delimiter: '/' });
    assert.deepEqual(inC.Uploads?.map((u) => u.Key), ['c/y']);
    assert.deepEqual(inC.CommonPrefixes?.map((p) => p.Prefix), ['c/x/']);

    // Page through everything two at a time with the markers S3 hands back.
    const seen: string[] = [];
    let marker: { KeyMarker?: string; UploadIdMarker?: string } = {};
    for (let i = 0; i < 10; i++) {
      const page = await list({ MaxUploads: 2, ...marker });
      for (const u of page.Uploads ?? []) seen.push(`${u.Key}:${u.UploadId}`);
      if (!page.IsTruncated) break;
      marker = { KeyMarker: page.NextKeyMarker, UploadIdMarker: page.NextUploadIdMarker };
    }
    assert.deepEqual(seen, all.Uploads?.map((u) => `${u.Key}:${u.UploadId}`));

    const afterB = await list({ KeyMarker: 'b' });
    assert.deepEqual(afterB.Uploads?.map((u) => u.Key), ['c/x/1', 'c/y', 'd']);
    const afterFirstB = await list({ KeyMarker: 'b', UploadIdMarker: ids.b });
    assert.deepEqual(afterFirstB.Uploads?.map((u) => u.UploadId).slice(0, 1), [b2second]);
    const none = await list({ MaxUploads: 0 });
    assert.equal(none.Uploads, undefined);
    assertError(await signedRequest(t.url, `/${b2}?uploads&max-uploads=x`), 400, 'InvalidArgument', { ArgumentName: 'max-uploads' });
  });

  it('verifies Content-MD5 on UploadPart and CompleteMultipartUpload', async () => {
    const key = 'md5';
    const id = await create(key);
    const data = Buffer.from('part data');
    assertError(await raw(`${key}?partNumber=1&uploadId=${id}`, 'PUT', data, { 'content-md5': md5b64('other') }), 400, 'BadDigest');
    assertError(await raw(`${key}?partNumber=1&uploadId=${id}`, 'PUT', data, { 'content-md5': 'bad' }), 400, 'InvalidDigest');
    const listed = await t.s3.send(new ListPartsCommand({ Bucket: bucket, Key: key, UploadId: id }));
    assert.equal(listed.Parts, undefined);
    const ok = await raw(`${key}?partNumber=1&uploadId=${id}`, 'PUT', data, { 'content-md5': md5b64(data) });
    assert.equal(ok.status, 200);
    const xml = completeXml([{ n: 1, etag: md5(data) }]);
    assertError(await raw(`${key}?uploadId=${id}`, 'POST', xml, { 'content-md5': md5b64(xml + ' ') }), 400, 'BadDigest');
    const done = await raw(`${key}?uploadId=${id}`, 'POST', xml, { 'content-md5': md5b64(xml) });
    assert.equal(done.status, 200, done.body.toString());
  });

  it('GetObject and HeadObject with partNumber', async () => {
    const key = 'by-part';
    const id = await create(key);
    const p1 = await part(key, id, 1, big);
    const p2 = await part(key, id, 2, 'second part');
    await t.s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: id, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: p1.ETag }, { PartNumber: 2, ETag: p2.ETag }] } }));
    const h2 = await t.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key, PartNumber: 2 }));
    assert.equal(h2.PartsCount, 2);
    assert.equal(h2.ContentLength, 11);
    assert.equal(h2.ContentRange, `bytes ${5 * MiB}-${5 * MiB + 10}/${5 * MiB + 11}`);
    const g2 = await t.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, PartNumber: 2 }));
    assert.equal(await g2.Body!.transformToString(), 'second part');
    const r3 = await raw(`${key}?partNumber=3`, 'GET');
    assertError(r3, 416, 'InvalidPartNumber', { Message: 'The requested partnumber is not satisfiable' });
    assertError(await raw(`${key}?partNumber=0`, 'GET'), 400, 'InvalidArgument');
    assertError(await raw(`${key}?partNumber=1`, 'GET', undefined, { range: 'bytes=0-1' }), 400, 'InvalidRequest', {
      Message: 'Cannot specify both Range header and partNumber query parameter',
    });
    // An object written in one piece is its own part 1 (and has no parts count).
    await t.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'single', Body: 'abc' }));
    const s1 = await t.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'single', PartNumber: 1 }));
    assert.equal(s1.ContentLength, 3);
    assert.equal(s1.PartsCount, undefined);
    assertError(await raw('single?partNumber=2', 'GET'), 416, 'InvalidPartNumber');
  });
});
