import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as Minio from 'minio';
import { assertS3Error, signedRequest, xmlField } from '../helpers/raw.js';
import { md5hex, minioRejects, readAll, sdkRejects } from '../helpers/sdk.js';
import { bucketName, startTestServer, storedFiles, type TestServer } from '../helpers/server.js';

describe('CopyObject', () => {
  let t: TestServer;
  const bucket = bucketName('copy');
  const other = bucketName('copy-dst');
  const SRC = 'src/ünï köy.txt';
  const BODY = 'copy me, please';
  let srcEtag: string;
  let srcModified: Date;
  before(async () => {
    t = await startTestServer();
    await t.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await t.s3.send(new CreateBucketCommand({ Bucket: other }));
    const put = await t.s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: SRC, Body: BODY, ContentType: 'text/plain', CacheControl: 'max-age=9', Metadata: { origin: 'source' } }),
    );
    srcEtag = put.ETag!;
    srcModified = (await t.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: SRC }))).LastModified!;
  });
  after(() => t.stop());

  const source = `${bucket}/${encodeURIComponent(SRC)}`;
  const copy = (key: string, extra: Record<string, unknown> = {}) => t.s3.send(new CopyObjectCommand({ Bucket: bucket, Key: key, CopySource: source, ...extra }));
  const head = (key: string, b = bucket) => t.s3.send(new HeadObjectCommand({ Bucket: b, Key: key }));
  const text = async (key: string, b = bucket) => (await t.s3.send(new GetObjectCommand({ Bucket: b, Key: key }))).Body!.transformToString();

  it('copies data and metadata with the COPY directive (the default)', async () => {
    const r = await copy('dst/copied.txt');
    assert.equal(r.CopyObjectResult?.ETag, srcEtag);
    assert.ok(r.CopyObjectResult?.LastModified instanceof Date);
    const h = await head('dst/copied.txt');
    assert.equal(h.ETag, srcEtag);
    assert.equal(h.ContentType, 'text/plain');
    assert.equal(h.CacheControl, 'max-age=9');
    assert.deepEqual(h.Metadata, { origin: 'source' });
    assert.equal(await text('dst/copied.txt'), BODY);
    // Metadata sent alongside COPY is ignored.
    await copy('dst/copied2.txt', { MetadataDirective: 'COPY', Metadata: { ignored: 'yes' }, ContentType: 'x/ignored' });
    const h2 = await head('dst/copied2.txt');
    assert.deepEqual(h2.Metadata, { origin: 'source' });
    assert.equal(h2.ContentType, 'text/plain');
  });

  it('takes metadata and content headers from the request with REPLACE', async () => {
    await copy('dst/replaced.txt', { MetadataDirective: 'REPLACE', Metadata: { fresh: 'yes' }, ContentType: 'application/json', ContentLanguage: 'en' });
    const h = await head('dst/replaced.txt');
    assert.deepEqual(h.Metadata, { fresh: 'yes' });
    assert.equal(h.ContentType, 'application/json');
    assert.equal(h.ContentLanguage, 'en');
    assert.equal(h.CacheControl, undefined);
    assert.equal(h.ETag, srcEtag);
    assert.equal(await text('dst/replaced.txt'), BODY);
  });

  it('copies across buckets and keeps the copy when the source is deleted', async () => {
    await t.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'short-lived', Body: 'still here' }));
    await t.s3.send(new CopyObjectCommand({ Bucket: other, Key: 'kept', CopySource: `${bucket}/short-lived` }));
    await t.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'short-lived' }));
    assert.equal(await text('kept', other), 'still here');
    // Overwriting the copy then frees the shared data.
    const before = (await storedFiles(t.dataDir)).length;
    await t.s3.send(new PutObjectCommand({ Bucket: other, Key: 'kept', Body: 'new' }));
    assert.equal((await storedFiles(t.dataDir)).length, before);
  });

  it('accepts a copy source with a leading slash', async () => {
    await copy('dst/slash.txt', { CopySource: '/' + source });
    assert.equal(await text('dst/slash.txt'), BODY);
  });

  it('answers NoSuchKey and NoSuchBucket for a missing source', async () => {
    await sdkRejects(copy('x', { CopySource: `${bucket}/no-such-key` }), 'NoSuchKey', 404);
    await sdkRejects(copy('x', { CopySource: `${bucketName('gone')}/k` }), 'NoSuchBucket', 404);
    await sdkRejects(t.s3.send(new CopyObjectCommand({ Bucket: bucketName('gone'), Key: 'x', CopySource: source })), 'NoSuchBucket', 404);
    await sdkRejects(head('x'), 'NotFound', 404);
  });

  describe('copy-source conditions', () => {
    const past = () => new Date(srcModified.getTime() - 3600_000);
    const future = () => new Date(srcModified.getTime() + 3600_000);

    it('copies when the conditions hold', async () => {
      await copy('cond/ok1', { CopySourceIfMatch: srcEtag });
      await copy('cond/ok2', { CopySourceIfNoneMatch: '"0123456789abcdef0123456789abcdef"' });
      await copy('cond/ok3', { CopySourceIfModifiedSince: past() });
      await copy('cond/ok4', { CopySourceIfUnmodifiedSince: future() });
      for (const k of ['cond/ok1', 'cond/ok2', 'cond/ok3', 'cond/ok4']) assert.equal(await text(k), BODY);
    });

    it('answers 412 PreconditionFailed when one fails, and copies nothing', async () => {
      await sdkRejects(copy('cond/bad', { CopySourceIfMatch: '"0123456789abcdef0123456789abcdef"' }), 'PreconditionFailed', 412);
      await sdkRejects(copy('cond/bad', { CopySourceIfNoneMatch: srcEtag }), 'PreconditionFailed', 412);
      await sdkRejects(copy('cond/bad', { CopySourceIfModifiedSince: future() }), 'PreconditionFailed', 412);
      await sdkRejects(copy('cond/bad', { CopySourceIfUnmodifiedSince: past() }), 'PreconditionFailed', 412);
      await sdkRejects(head('cond/bad'), 'NotFound', 404);
    });

    it("follows S3's precedence between them", async () => {
      // if-match true and if-unmodified-since false: the copy happens.
      await copy('cond/prec1', { CopySourceIfMatch: srcEtag, CopySourceIfUnmodifiedSince: past() });
      assert.equal(await text('cond/prec1'), BODY);
      // if-none-match false and if-modified-since true: 412.
      await sdkRejects(copy('cond/prec2', { CopySourceIfNoneMatch: srcEtag, CopySourceIfModifiedSince: past() }), 'PreconditionFailed', 412);
    });

    it('names the failed condition in the error', async () => {
      const r = await signedRequest(t.url, `/${bucket}/cond/raw`, {
        method: 'PUT',
        headers: { 'x-amz-copy-source': source, 'x-amz-copy-source-if-match': '"nope"' },
      });
      assertS3Error(r, 412, 'PreconditionFailed');
      assert.equal(xmlField(r.body, 'Condition'), 'x-amz-copy-source-If-Match');
    });
  });

  describe('copying an object onto itself', () => {
    it('is refused with 400 InvalidRequest when nothing changes', async () => {
      await t.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'self', Body: 'self body', Metadata: { a: '1' } }));
      await sdkRejects(t.s3.send(new CopyObjectCommand({ Bucket: bucket, Key: 'self', CopySource: `${bucket}/self` })), 'InvalidRequest', 400);
      await sdkRejects(t.s3.send(new CopyObjectCommand({ Bucket: bucket, Key: 'self', CopySource: `${bucket}/self`, MetadataDirective: 'COPY' })), 'InvalidRequest', 400);
      const r = await signedRequest(t.url, `/${bucket}/self`, { method: 'PUT', headers: { 'x-amz-copy-source': `/${bucket}/self` } });
      assertS3Error(r, 400, 'InvalidRequest');
      assert.deepEqual((await head('self')).Metadata, { a: '1' });
    });

    it('is allowed with REPLACE, which rewrites the metadata and keeps the data', async () => {
      const before = (await storedFiles(t.dataDir)).length;
      await t.s3.send(
        new CopyObjectCommand({ Bucket: bucket, Key: 'self', CopySource: `${bucket}/self`, MetadataDirective: 'REPLACE', Metadata: { a: '2' }, ContentType: 'text/x-self' }),
      );
      const h = await head('self');
      assert.deepEqual(h.Metadata, { a: '2' });
      assert.equal(h.ContentType, 'text/x-self');
      assert.equal(await text('self'), 'self body');
      assert.equal((await storedFiles(t.dataDir)).length, before);
    });

    it('is allowed when the storage class changes', async () => {
      await t.s3.send(new CopyObjectCommand({ Bucket: bucket, Key: 'self', CopySource: `${bucket}/self`, StorageClass: 'STANDARD_IA' }));
      assert.equal((await head('self')).StorageClass, 'STANDARD_IA');
    });
  });

  describe('bad requests', () => {
    it('refuses an unknown metadata directive and a malformed copy source', async () => {
      assertS3Error(
        await signedRequest(t.url, `/${bucket}/bad`, { method: 'PUT', headers: { 'x-amz-copy-source': source, 'x-amz-metadata-directive': 'MERGE' } }),
        400,
        'InvalidArgument',
      );
      assertS3Error(await signedRequest(t.url, `/${bucket}/bad`, { method: 'PUT', headers: { 'x-amz-copy-source': 'just-a-bucket' } }), 400, 'InvalidArgument');
      assertS3Error(await signedRequest(t.url, `/${bucket}/bad`, { method: 'PUT', headers: { 'x-amz-copy-source': `${bucket}/%E0%A4%A` } }), 400, 'InvalidArgument');
    });

    it('renders CopyObjectResult with ETag and LastModified', async () => {
      const r = await signedRequest(t.url, `/${bucket}/raw-copy`, { method: 'PUT', headers: { 'x-amz-copy-source': source } });
      assert.equal(r.status, 200);
      assert.match(r.body.toString(), /<CopyObjectResult xmlns="http:\/\/s3.amazonaws.com\/doc\/2006-03-01\/">/);
      assert.equal(xmlField(r.body, 'ETag')?.replace(/&quot;/g, '"'), srcEtag);
      assert.ok(!Number.isNaN(Date.parse(xmlField(r.body, 'LastModified')!)));
    });
  });

  describe('through minio', () => {
    it('copies with the legacy API and CopyConditions', async () => {
      const conds = new Minio.CopyConditions();
      conds.setMatchETag(srcEtag.replace(/"/g, ''));
      await t.minio.copyObject(bucket, 'minio/copy1', `/${bucket}/${SRC}`, conds);
      assert.equal(md5hex(await readAll(await t.minio.getObject(bucket, 'minio/copy1'))), md5hex(BODY));
      const fail = new Minio.CopyConditions();
      fail.setMatchETagExcept(srcEtag.replace(/"/g, ''));
      await minioRejects(t.minio.copyObject(bucket, 'minio/copy2', `/${bucket}/${SRC}`, fail), 'PreconditionFailed');
    });

    it('is refused a self-copy that changes nothing, and allowed one with REPLACE', async () => {
      await t.minio.putObject(bucket, 'minio/self', Buffer.from('me'));
      await minioRejects(
        t.minio.copyObject(new Minio.CopySourceOptions({ Bucket: bucket, Object: 'minio/self' }), new Minio.CopyDestinationOptions({ Bucket: bucket, Object: 'minio/self' })),
        'InvalidRequest',
      );
      await t.minio.copyObject(
        new Minio.CopySourceOptions({ Bucket: bucket, Object: 'minio/self' }),
        new Minio.CopyDestinationOptions({ Bucket: bucket, Object: 'minio/self', MetadataDirective: 'REPLACE', UserMetadata: { again: '1' } }),
      );
      assert.equal((await t.minio.statObject(bucket, 'minio/self')).metaData.again, '1');
    });

    it('copies with CopySourceOptions and replaces metadata', async () => {
      await t.minio.copyObject(
        new Minio.CopySourceOptions({ Bucket: bucket, Object: SRC }),
        new Minio.CopyDestinationOptions({ Bucket: other, Object: 'minio/copy3', MetadataDirective: 'REPLACE', UserMetadata: { via: 'minio' } }),
      );
      const stat = await t.minio.statObject(other, 'minio/copy3');
      assert.equal(stat.metaData.via, 'minio');
      assert.equal(stat.size, BODY.length);
      await minioRejects(
        t.minio.copyObject(
          new Minio.CopySourceOptions({ Bucket: bucket, Object: SRC, MatchModifiedSince: new Date(Date.now() + 86400_000).toUTCString() }),
          new Minio.CopyDestinationOptions({ Bucket: other, Object: 'minio/copy4' }),
        ),
        'PreconditionFailed',
      );
    });
  });
});
