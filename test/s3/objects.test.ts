import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { assertS3Error, signedRequest, xmlField } from '../helpers/raw.js';
import { bytes, md5b64, md5hex, minioRejects, readAll, sdkRejects, sha256hex } from '../helpers/sdk.js';
import { bucketName, startTestServer, storedData, type TestServer } from '../helpers/server.js';

const TEXT = 'The quick brown fox jumps over the lazy dog';

describe('objects', () => {
  let t: TestServer;
  const bucket = bucketName('objects');
  before(async () => {
    t = await startTestServer();
    await t.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await t.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'fox.txt', Body: TEXT, ContentType: 'text/plain' }));
  });
  after(() => t.stop());

  const get = (key: string, extra: Record<string, unknown> = {}) => t.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, ...extra }));

  describe('put, get, head and delete through @aws-sdk/client-s3', () => {
    it('returns the quoted MD5 of the body as ETag on put, get, head and list', async () => {
      const body = bytes(1000, 7);
      const put = await t.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'etag.bin', Body: body }));
      assert.equal(put.ETag, `"${md5hex(body)}"`);
      const got = await get('etag.bin');
      assert.equal(got.ETag, put.ETag);
      assert.deepEqual(Buffer.from(await got.Body!.transformToByteArray()), body);
      const head = await t.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'etag.bin' }));
      assert.equal(head.ETag, put.ETag);
      assert.equal(head.ContentLength, 1000);
      assert.equal(head.ContentType, 'application/octet-stream'); // the SDK's default for a body
      assert.equal(head.AcceptRanges, 'bytes');
      assert.ok(head.LastModified instanceof Date && Math.abs(head.LastModified.getTime() - Date.now()) < 60_000);
    });

    it('returns the checksum the SDK sent when asked, so the SDK verifies the body', async () => {
      const body = 'checksummed body';
      const put = await t.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'crc.txt', Body: body, ChecksumAlgorithm: 'CRC32' }));
      assert.ok(put.ChecksumCRC32);
      const got = await get('crc.txt', { ChecksumMode: 'ENABLED' });
      assert.equal(got.ChecksumCRC32, put.ChecksumCRC32);
      assert.equal(await got.Body!.transformToString(), body);
      const head = await t.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'crc.txt', ChecksumMode: 'ENABLED' }));
      assert.equal(head.ChecksumCRC32, put.ChecksumCRC32);
      // Not for a range, and not unless asked.
      assert.equal((await get('crc.txt', { ChecksumMode: 'ENABLED', Range: 'bytes=0-3' })).ChecksumCRC32, undefined);
      const raw = await signedRequest(t.url, `/${bucket}/crc.txt`);
      assert.equal(raw.headers['x-amz-checksum-crc32'], undefined);
      const asked = await signedRequest(t.url, `/${bucket}/crc.txt`, { headers: { 'x-amz-checksum-mode': 'ENABLED' } });
      assert.equal(asked.headers['x-amz-checksum-crc32'], put.ChecksumCRC32);
    });

    it('round-trips the standard content headers and user metadata', async () => {
      const expires = new Date('2031-01-02T03:04:05Z');
      await t.s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: 'headers.txt',
          Body: 'hi',
          ContentType: 'text/html; charset=utf-8',
          ContentEncoding: 'identity',
          ContentDisposition: 'attachment; filename="report.txt"',
          ContentLanguage: 'de-CH',
          CacheControl: 'no-cache, max-age=0',
          Expires: expires,
          Metadata: { color: 'blue', 'Mixed-Case': 'Value With Spaces', empty: '' },
        }),
      );
      for (const r of [await get('headers.txt'), await t.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'headers.txt' }))]) {
        assert.equal(r.ContentType, 'text/html; charset=utf-8');
        assert.equal(r.ContentEncoding, 'identity');
        assert.equal(r.ContentDisposition, 'attachment; filename="report.txt"');
        assert.equal(r.ContentLanguage, 'de-CH');
        assert.equal(r.CacheControl, 'no-cache, max-age=0');
        assert.equal(r.ExpiresString, expires.toUTCString());
        // Metadata names come back lower-cased, as S3 stores them.
        assert.deepEqual(r.Metadata, { color: 'blue', 'mixed-case': 'Value With Spaces', empty: '' });
      }
    });

    it('keeps a Content-Encoding list as sent, and drops only aws-chunked from it', async () => {
      for (const [sent, kept] of [
        ['deflate, gzip', 'deflate, gzip'],
        ['gzip, aws-chunked', 'gzip'],
        ['aws-chunked, br,gzip', 'br, gzip'],
        ['aws-chunked', undefined],
      ] as const) {
        await t.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'encoding', Body: 'x', ContentEncoding: sent }));
        assert.equal((await t.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'encoding' }))).ContentEncoding, kept, sent);
      }
    });

    it('overwrites an object whole and keeps only the newest', async () => {
      await t.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'over', Body: 'first version', Metadata: { v: '1' } }));
      await t.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'over', Body: '2nd' }));
      const r = await get('over');
      assert.equal(await r.Body!.transformToString(), '2nd');
      assert.deepEqual(r.Metadata, {});
    });

    it('reports binary/octet-stream for an object stored without Content-Type', async () => {
      const r = await signedRequest(t.url, `/${bucket}/untyped`, { method: 'PUT', body: 'raw' });
      assert.equal(r.status, 200);
      const head = await t.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'untyped' }));
      assert.equal(head.ContentType, 'binary/octet-stream');
    });

    it('lets one of many concurrent writers of a key win whole', async () => {
      const b = bucketName('race');
      await t.s3.send(new CreateBucketCommand({ Bucket: b }));
      const before = await storedData(t.dataDir);
      const bodies = Array.from({ length: 10 }, (_, i) => bytes(100_000 + i * 1000, 50 + i));
      await Promise.all(bodies.map((Body) => t.s3.send(new PutObjectCommand({ Bucket: b, Key: 'contended', Body }))));
      const r = await t.s3.send(new GetObjectCommand({ Bucket: b, Key: 'contended' }));
      const got = md5hex(Buffer.from(await r.Body!.transformToByteArray()));
      assert.ok(bodies.some((x) => md5hex(x) === got), 'the object is one of the bodies, whole');
      assert.equal(r.ETag, `"${got}"`);
      assert.equal(await storedData(t.dataDir), before + 1, 'the losers left no blobs');
    });

    it('stores an empty object', async () => {
      const put = await t.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'empty', Body: '' }));
      assert.equal(put.ETag, '"d41d8cd98f00b204e9800998ecf8427e"');
      const r = await get('empty');
      assert.equal(r.ContentLength, 0);
      assert.equal((await r.Body!.transformToByteArray()).length, 0);
    });

    it('streams a body from a Readable and serves a large object in full', async () => {
      const body = bytes(3 * 1024 * 1024 + 17, 3);
      await t.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'big.bin', Body: Readable.from([body.subarray(0, 1 << 20), body.subarray(1 << 20)]), ContentLength: body.length }));
      const r = await get('big.bin');
      assert.equal(r.ContentLength, body.length);
      const got = Buffer.from(await r.Body!.transformToByteArray());
      assert.equal(md5hex(got), md5hex(body));
    });

    it('keeps keys with spaces, unicode, plus signs and slashes apart', async () => {
      const keys = ['a b/c d.txt', 'a+b/c+d.txt', 'ünï/cødé ✓.txt', 'emoji/😀.txt', 'dots/./x', 'sl//ash', 'q?uery#frag&amp'];
      for (const k of keys) await t.s3.send(new PutObjectCommand({ Bucket: bucket, Key: k, Body: `body of ${k}` }));
      for (const k of keys) assert.equal(await (await get(k)).Body!.transformToString(), `body of ${k}`, k);
    });

    it('deletes an object; deleting a missing key also succeeds', async () => {
      await t.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'doomed', Body: 'x' }));
      const del = await t.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'doomed' }));
      assert.equal(del.$metadata.httpStatusCode, 204);
      await sdkRejects(get('doomed'), 'NoSuchKey', 404);
      await sdkRejects(t.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'doomed' })), 'NotFound', 404);
      const again = await t.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'doomed' }));
      assert.equal(again.$metadata.httpStatusCode, 204);
    });

    it('answers NoSuchBucket for objects in a missing bucket', async () => {
      const nb = bucketName('missing');
      await sdkRejects(t.s3.send(new PutObjectCommand({ Bucket: nb, Key: 'k', Body: 'x' })), 'NoSuchBucket', 404);
      await sdkRejects(t.s3.send(new GetObjectCommand({ Bucket: nb, Key: 'k' })), 'NoSuchBucket', 404);
      await sdkRejects(t.s3.send(new DeleteObjectCommand({ Bucket: nb, Key: 'k' })), 'NoSuchBucket', 404);
    });

    it('refuses user metadata over 2 KB with MetadataTooLarge and stores nothing', async () => {
      // Name and value bytes count: 'big' (3) + 2045 = 2048 is the limit.
      await t.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'meta-ok', Body: 'x', Metadata: { big: 'v'.repeat(2045) } }));
      assert.equal((await t.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'meta-ok' }))).Metadata?.big?.length, 2045);
      await sdkRejects(t.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'meta-big', Body: 'x', Metadata: { big: 'v'.repeat(2046) } })), 'MetadataTooLarge', 400);
      const many: Record<string, string> = {};
      for (let i = 0; i < 30; i++) many[`key-${i}`] = 'x'.repeat(70);
      await sdkRejects(t.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'meta-big', Body: 'x', Metadata: many })), 'MetadataTooLarge', 400);
      await sdkRejects(t.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'meta-big' })), 'NotFound', 404);
    });
  });

  describe('ranges', () => {
    it('serves a single byte range with 206 and Content-Range', async () => {
      const r = await get('fox.txt', { Range: 'bytes=4-8' });
      assert.equal(r.$metadata.httpStatusCode, 206);
      assert.equal(r.ContentRange, `bytes 4-8/${TEXT.length}`);
      assert.equal(r.ContentLength, 5);
      assert.equal(await r.Body!.transformToString(), 'quick');
    });

    it('serves open-ended, suffix and over-long ranges', async () => {
      const n = TEXT.length;
      const open = await get('fox.txt', { Range: 'bytes=40-' });
      assert.equal(open.ContentRange, `bytes 40-${n - 1}/${n}`);
      assert.equal(await open.Body!.transformToString(), 'dog');
      const suffix = await get('fox.txt', { Range: 'bytes=-4' });
      assert.equal(suffix.ContentRange, `bytes ${n - 4}-${n - 1}/${n}`);
      assert.equal(await suffix.Body!.transformToString(), ' dog');
      const long = await get('fox.txt', { Range: 'bytes=35-1000' });
      assert.equal(long.ContentRange, `bytes 35-${n - 1}/${n}`);
      assert.equal(await long.Body!.transformToString(), 'lazy dog');
      const bigSuffix = await get('fox.txt', { Range: 'bytes=-1000' });
      assert.equal(bigSuffix.$metadata.httpStatusCode, 206);
      assert.equal(await bigSuffix.Body!.transformToString(), TEXT);
    });

    it('serves a range from the middle of a large object', async () => {
      const body = bytes(2 * 1024 * 1024, 11);
      await t.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'range-big', Body: body }));
      const r = await get('range-big', { Range: 'bytes=100000-1200000' });
      assert.equal(r.$metadata.httpStatusCode, 206);
      assert.deepEqual(Buffer.from(await r.Body!.transformToByteArray()), body.subarray(100000, 1200001));
    });

    it('answers an unsatisfiable range with 416 InvalidRange', async () => {
      await sdkRejects(get('fox.txt', { Range: `bytes=${TEXT.length}-` }), 'InvalidRange', 416);
      await sdkRejects(get('fox.txt', { Range: 'bytes=1000-2000' }), 'InvalidRange', 416);
      await sdkRejects(get('empty', { Range: 'bytes=0-' }), 'InvalidRange', 416);
      const raw = await signedRequest(t.url, `/${bucket}/fox.txt`, { headers: { range: 'bytes=500-600' } });
      assertS3Error(raw, 416, 'InvalidRange');
      assert.equal(raw.headers['content-range'], `bytes */${TEXT.length}`);
    });

    it('ignores a malformed or multiple range and serves the whole object', async () => {
      for (const range of ['bytes=5-2', 'bytes=0-1,3-4', 'items=0-3', 'bytes=x-y']) {
        const r = await signedRequest(t.url, `/${bucket}/fox.txt`, { headers: { range } });
        assert.equal(r.status, 200, range);
        assert.equal(r.body.toString(), TEXT);
      }
    });

    it('answers HEAD with a range as 206 without a body', async () => {
      const r = await t.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'fox.txt', Range: 'bytes=0-2' }));
      assert.equal(r.$metadata.httpStatusCode, 206);
      assert.equal(r.ContentLength, 3);
      assert.equal(r.ContentRange, `bytes 0-2/${TEXT.length}`);
    });
  });

  describe('response-* overrides', () => {
    it('overrides the response headers of a GET', async () => {
      const r = await get('fox.txt', {
        ResponseContentType: 'application/x-fox',
        ResponseContentLanguage: 'fr',
        ResponseExpires: new Date('2030-05-06T07:08:09Z'),
        ResponseCacheControl: 'private',
        ResponseContentDisposition: 'inline; filename="f.txt"',
        ResponseContentEncoding: 'x-none',
      });
      assert.equal(r.ContentType, 'application/x-fox');
      assert.equal(r.ContentLanguage, 'fr');
      assert.equal(r.ExpiresString, 'Mon, 06 May 2030 07:08:09 GMT');
      assert.equal(r.CacheControl, 'private');
      assert.equal(r.ContentDisposition, 'inline; filename="f.txt"');
      assert.equal(r.ContentEncoding, 'x-none');
      assert.equal(await r.Body!.transformToString(), TEXT);
      // The stored headers are untouched.
      assert.equal((await get('fox.txt')).ContentType, 'text/plain');
    });
  });

  describe('conditional GET and HEAD', () => {
    let etag: string;
    let lastModified: Date;
    before(async () => {
      const h = await t.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'fox.txt' }));
      etag = h.ETag!;
      lastModified = h.LastModified!;
    });
    const past = () => new Date(lastModified.getTime() - 3600_000);
    const future = () => new Date(lastModified.getTime() + 3600_000);

    it('If-Match: 200 when it matches (also as *), 412 when not', async () => {
      assert.equal((await get('fox.txt', { IfMatch: etag })).$metadata.httpStatusCode, 200);
      assert.equal((await get('fox.txt', { IfMatch: '*' })).$metadata.httpStatusCode, 200);
      assert.equal((await get('fox.txt', { IfMatch: `"nope", ${etag}` })).$metadata.httpStatusCode, 200);
      await sdkRejects(get('fox.txt', { IfMatch: '"0123456789abcdef0123456789abcdef"' }), 'PreconditionFailed', 412);
    });

    it('If-None-Match: 304 when it matches, 200 when not', async () => {
      await sdkRejects(get('fox.txt', { IfNoneMatch: etag }), '', 304);
      await sdkRejects(get('fox.txt', { IfNoneMatch: '*' }), '', 304);
      assert.equal((await get('fox.txt', { IfNoneMatch: '"0123456789abcdef0123456789abcdef"' })).$metadata.httpStatusCode, 200);
    });

    it('If-Modified-Since: 304 when not modified since, 200 when modified', async () => {
      await sdkRejects(get('fox.txt', { IfModifiedSince: future() }), '', 304);
      await sdkRejects(get('fox.txt', { IfModifiedSince: lastModified }), '', 304);
      assert.equal((await get('fox.txt', { IfModifiedSince: past() })).$metadata.httpStatusCode, 200);
    });

    it('If-Unmodified-Since: 412 when modified since, 200 when not', async () => {
      await sdkRejects(get('fox.txt', { IfUnmodifiedSince: past() }), 'PreconditionFailed', 412);
      assert.equal((await get('fox.txt', { IfUnmodifiedSince: lastModified })).$metadata.httpStatusCode, 200);
      assert.equal((await get('fox.txt', { IfUnmodifiedSince: future() })).$metadata.httpStatusCode, 200);
    });

    it("follows S3's precedence between the conditions", async () => {
      // If-Match true wins over If-Unmodified-Since false.
      assert.equal((await get('fox.txt', { IfMatch: etag, IfUnmodifiedSince: past() })).$metadata.httpStatusCode, 200);
      // If-None-Match false (it differs) wins over If-Modified-Since true... still 304 when If-None-Match matches.
      await sdkRejects(get('fox.txt', { IfNoneMatch: etag, IfModifiedSince: past() }), '', 304);
      // If-None-Match not matching makes If-Modified-Since irrelevant: 200.
      assert.equal((await get('fox.txt', { IfNoneMatch: '"other"', IfModifiedSince: future() })).$metadata.httpStatusCode, 200);
      // A failing If-Match is 412 even when If-None-Match would give 304.
      await sdkRejects(get('fox.txt', { IfMatch: '"other"', IfNoneMatch: etag }), 'PreconditionFailed', 412);
      // If-Unmodified-Since false and If-None-Match true: 412 comes first.
      await sdkRejects(get('fox.txt', { IfUnmodifiedSince: past(), IfNoneMatch: etag }), 'PreconditionFailed', 412);
    });

    it('applies the same conditions to HEAD', async () => {
      await sdkRejects(t.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'fox.txt', IfNoneMatch: etag })), '', 304);
      await sdkRejects(t.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'fox.txt', IfMatch: '"x"' })), '', 412);
      assert.equal((await t.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'fox.txt', IfMatch: etag }))).$metadata.httpStatusCode, 200);
    });

    it('answers 304 with the ETag and no body, 412 with S3 XML', async () => {
      const nm = await signedRequest(t.url, `/${bucket}/fox.txt`, { headers: { 'if-none-match': etag } });
      assert.equal(nm.status, 304);
      assert.equal(nm.body.length, 0);
      assert.equal(nm.headers.etag, etag);
      assert.ok(nm.headers['last-modified']);
      assert.ok(nm.headers['x-amz-request-id']);
      const pf = await signedRequest(t.url, `/${bucket}/fox.txt`, { headers: { 'if-match': '"x"' } });
      assertS3Error(pf, 412, 'PreconditionFailed');
      assert.equal(xmlField(pf.body, 'Condition'), 'If-Match');
    });
  });

  describe('through minio', () => {
    it('puts, stats, gets, ranges and removes an object', async () => {
      const body = bytes(70_000, 5);
      const put = await t.minio.putObject(bucket, 'minio/obj.bin', body, body.length, { 'Content-Type': 'application/x-test', 'X-Amz-Meta-Owner': 'minio', 'Cache-Control': 'max-age=5' });
      assert.equal(put.etag, md5hex(body));
      const stat = await t.minio.statObject(bucket, 'minio/obj.bin');
      assert.equal(stat.size, body.length);
      assert.equal(stat.etag, md5hex(body));
      assert.equal(stat.metaData['content-type'], 'application/x-test');
      assert.equal(stat.metaData['cache-control'], 'max-age=5');
      assert.equal(stat.metaData['owner'], 'minio');
      assert.deepEqual(await readAll(await t.minio.getObject(bucket, 'minio/obj.bin')), body);
      assert.deepEqual(await readAll(await t.minio.getPartialObject(bucket, 'minio/obj.bin', 1000, 2000)), body.subarray(1000, 3000));
      assert.deepEqual(await readAll(await t.minio.getPartialObject(bucket, 'minio/obj.bin', 69_000)), body.subarray(69_000));
      await t.minio.removeObject(bucket, 'minio/obj.bin');
      await minioRejects(t.minio.statObject(bucket, 'minio/obj.bin'), 'NotFound');
      await minioRejects(t.minio.getObject(bucket, 'minio/obj.bin'), 'NoSuchKey');
    });

    it('streams a Readable of known size', async () => {
      const body = bytes(1024 * 1024 + 3, 9);
      await t.minio.putObject(bucket, 'minio/stream.bin', Readable.from([body]), body.length);
      const stat = await t.minio.statObject(bucket, 'minio/stream.bin');
      assert.equal(stat.size, body.length);
      assert.equal(md5hex(await readAll(await t.minio.getObject(bucket, 'minio/stream.bin'))), md5hex(body));
    });

    it('answers an unsatisfiable range with InvalidRange', async () => {
      await minioRejects(t.minio.getPartialObject(bucket, 'fox.txt', 10_000, 5), 'InvalidRange');
    });

    it('refuses metadata over 2 KB and a missing bucket', async () => {
      await minioRejects(t.minio.putObject(bucket, 'minio/meta', Buffer.from('x'), 1, { 'X-Amz-Meta-Big': 'v'.repeat(2100) }), 'MetadataTooLarge');
      await minioRejects(t.minio.statObject(bucket, 'minio/meta'), 'NotFound');
      await minioRejects(t.minio.putObject(bucketName('absent'), 'k', Buffer.from('x')), 'NoSuchBucket');
    });

    it('returns the standard content headers it stored', async () => {
      await t.minio.putObject(bucket, 'minio/headers', Buffer.from('h'), 1, {
        'Content-Type': 'text/csv',
        'Content-Encoding': 'identity',
        'Content-Disposition': 'attachment',
        'Content-Language': 'nl',
        'Cache-Control': 'no-store',
        Expires: 'Thu, 01 Jan 2032 00:00:00 GMT',
      });
      const m = (await t.minio.statObject(bucket, 'minio/headers')).metaData;
      assert.equal(m['content-type'], 'text/csv');
      assert.equal(m['content-encoding'], 'identity');
      assert.equal(m['content-disposition'], 'attachment');
      assert.equal(m['content-language'], 'nl');
      assert.equal(m['cache-control'], 'no-store');
      assert.equal(m['expires'], 'Thu, 01 Jan 2032 00:00:00 GMT');
    });
  });

  describe('on the wire', () => {
    it('puts with a signed payload hash and Content-MD5', async () => {
      const body = Buffer.from('signed body');
      const r = await signedRequest(t.url, `/${bucket}/signed`, { method: 'PUT', body, payloadHash: sha256hex(body), headers: { 'content-md5': md5b64(body) } });
      assert.equal(r.status, 200, r.body.toString());
      assert.equal(r.headers.etag, `"${md5hex(body)}"`);
      assert.ok(r.headers['x-amz-request-id']);
    });

    it('leaves exactly one blob per object after overwrites', async () => {
      const b = bucketName('blobs');
      await t.s3.send(new CreateBucketCommand({ Bucket: b }));
      const before = await storedData(t.dataDir);
      for (let i = 0; i < 5; i++) await t.s3.send(new PutObjectCommand({ Bucket: b, Key: 'k', Body: `v${i}` }));
      assert.equal(await storedData(t.dataDir), before + 1);
    });
  });
});
