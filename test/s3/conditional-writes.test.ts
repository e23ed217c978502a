import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  ListMultipartUploadsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { signRequestV4 } from '../../src/auth/sigv4.js';
import { signedRequest, xmlField } from '../helpers/raw.js';
import { ACCESS_KEY, bucketName, SECRET_KEY, startTestServer, storedFiles, type TestServer } from '../helpers/server.js';
import { INLINE_MAX } from '../../src/engine/inline.js';
import { waitFor } from '../helpers/wait.js';

type SdkError = Error & { $metadata?: { httpStatusCode?: number } };

const rejectsWith = (p: Promise<unknown>, name: string, status: number) =>
  assert.rejects(p, (e: SdkError) => {
    assert.equal(e.name, name);
    assert.equal(e.$metadata?.httpStatusCode, status);
    return true;
  });

describe('S3 conditional writes', () => {
  let t: TestServer;
  const create = async (versioned = false) => {
    const b = bucketName('cond');
    await t.s3.send(new CreateBucketCommand({ Bucket: b }));
    if (versioned) await t.s3.send(new PutBucketVersioningCommand({ Bucket: b, VersioningConfiguration: { Status: 'Enabled' } }));
    return b;
  };
  const body = async (Bucket: string, Key: string) => (await t.s3.send(new GetObjectCommand({ Bucket, Key }))).Body!.transformToString();
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.stop());

  describe('PutObject', () => {
    it('If-None-Match: * creates a missing key and refuses an existing one (412)', async () => {
      const b = await create();
      await t.s3.send(new PutObjectCommand({ Bucket: b, Key: 'k', Body: 'first', IfNoneMatch: '*' }));
      await rejectsWith(t.s3.send(new PutObjectCommand({ Bucket: b, Key: 'k', Body: 'second', IfNoneMatch: '*' })), 'PreconditionFailed', 412);
      assert.equal(await body(b, 'k'), 'first');
      const raw = await signedRequest(t.url, `/${b}/k`, { method: 'PUT', body: 'third', headers: { 'if-none-match': '*' } });
      assert.equal(raw.status, 412);
      assert.equal(xmlField(raw.body, 'Condition'), 'If-None-Match');
    });

    it('If-None-Match: * succeeds when only a delete marker is left', async () => {
      const b = await create(true);
      await t.s3.send(new PutObjectCommand({ Bucket: b, Key: 'k', Body: 'first' }));
      await t.s3.send(new DeleteObjectCommand({ Bucket: b, Key: 'k' }));
      const r = await t.s3.send(new PutObjectCommand({ Bucket: b, Key: 'k', Body: 'again', IfNoneMatch: '*' }));
      assert.ok(r.VersionId);
      assert.equal(await body(b, 'k'), 'again');
    });

    it('If-Match writes over the matching ETag only; a missing key is NoSuchKey', async () => {
      const b = await create();
      await rejectsWith(t.s3.send(new PutObjectCommand({ Bucket: b, Key: 'k', Body: 'x', IfMatch: '"5eb63bbbe01eeed093cb22bb8f5acdc3"' })), 'NoSuchKey', 404);
      const first = await t.s3.send(new PutObjectCommand({ Bucket: b, Key: 'k', Body: 'first' }));
      await rejectsWith(t.s3.send(new PutObjectCommand({ Bucket: b, Key: 'k', Body: 'wrong', IfMatch: '"5eb63bbbe01eeed093cb22bb8f5acdc3"' })), 'PreconditionFailed', 412);
      const second = await t.s3.send(new PutObjectCommand({ Bucket: b, Key: 'k', Body: 'second', IfMatch: first.ETag }));
      assert.equal(await body(b, 'k'), 'second');
      // Unquoted ETags match as well.
      await t.s3.send(new PutObjectCommand({ Bucket: b, Key: 'k', Body: 'third', IfMatch: second.ETag!.replace(/"/g, '') }));
      assert.equal(await body(b, 'k'), 'third');
    });

    it('answers NotImplemented for If-None-Match with an ETag, or with If-Match', async () => {
      const b = await create();
      const variants: Record<string, string>[] = [{ 'if-none-match': '"5eb63bbbe01eeed093cb22bb8f5acdc3"' }, { 'if-none-match': '*', 'if-match': '*' }];
      for (const headers of variants) {
        const r = await signedRequest(t.url, `/${b}/k`, { method: 'PUT', body: 'x', headers });
        assert.equal(r.status, 501);
        assert.equal(xmlField(r.body, 'Code'), 'NotImplemented');
        assert.equal(xmlField(r.body, 'Header'), 'If-None-Match');
      }
      await rejectsWith(t.s3.send(new GetObjectCommand({ Bucket: b, Key: 'k' })), 'NoSuchKey', 404);
    });

    it('answers 409 ConditionalRequestConflict when the key is deleted while the body streams, and stores nothing', async () => {
      const b = await create();
      // A blob, so that the test can see it go.
      const first = await t.s3.send(new PutObjectCommand({ Bucket: b, Key: 'k', Body: Buffer.alloc(INLINE_MAX + 1, 0x66) }));
      const filesBefore = await storedFiles(t.dataDir);
      const url = new URL(`/${b}/k`, t.url);
      // Declared above the inline bound, so that the body streams to a temporary file the test can see.
      const headers: Record<string, string> = { 'if-match': first.ETag!, 'content-length': String(INLINE_MAX + 5) };
      signRequestV4({ method: 'PUT', url, headers, credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY }, region: 'us-east-1', service: 's3' });
      let started: http.ClientRequest | undefined;
      const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = http.request(url, { method: 'PUT', headers }, (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode!, body: text }));
        });
        req.on('error', reject);
        req.write('01234');
        started = req;
      });
      // Once the upload's temporary file exists, the conditions were checked and the body is streaming.
      await waitFor(async () => (await storedFiles(t.dataDir)).some((f) => f.startsWith('objects/tmp/')), { what: 'the upload started (a temporary file exists)', intervalMs: 1 });
      await t.s3.send(new DeleteObjectCommand({ Bucket: b, Key: 'k' }));
      started!.end(Buffer.alloc(INLINE_MAX, 0x35));
      const r = await response;
      assert.equal(r.status, 409);
      assert.equal(xmlField(r.body, 'Code'), 'ConditionalRequestConflict');
      await rejectsWith(t.s3.send(new GetObjectCommand({ Bucket: b, Key: 'k' })), 'NoSuchKey', 404);
      const filesAfter = await storedFiles(t.dataDir);
      assert.ok(filesAfter.every((f) => filesBefore.includes(f)), 'no new blob and no temporary file left');
      assert.equal(filesAfter.length, filesBefore.length - 1, "the deleted object's blob is gone");
    });
  });

  describe('CompleteMultipartUpload', () => {
    const MiB = 1024 * 1024;
    async function upload(b: string, key: string) {
      const { UploadId } = await t.s3.send(new CreateMultipartUploadCommand({ Bucket: b, Key: key }));
      const p1 = await t.s3.send(new UploadPartCommand({ Bucket: b, Key: key, UploadId, PartNumber: 1, Body: Buffer.alloc(5 * MiB, 1) }));
      const p2 = await t.s3.send(new UploadPartCommand({ Bucket: b, Key: key, UploadId, PartNumber: 2, Body: 'tail' }));
      return { UploadId: UploadId!, Parts: [{ PartNumber: 1, ETag: p1.ETag }, { PartNumber: 2, ETag: p2.ETag }] };
    }

    it('If-None-Match: * completes for a new key and fails (412) once the key exists, leaving the upload in place', async () => {
      const b = await create();
      const u1 = await upload(b, 'mp');
      const u2 = await upload(b, 'mp');
      const done = await t.s3.send(new CompleteMultipartUploadCommand({ Bucket: b, Key: 'mp', UploadId: u1.UploadId, MultipartUpload: { Parts: u1.Parts }, IfNoneMatch: '*' }));
      assert.match(done.ETag!, /-2"$/);
      await rejectsWith(
        t.s3.send(new CompleteMultipartUploadCommand({ Bucket: b, Key: 'mp', UploadId: u2.UploadId, MultipartUpload: { Parts: u2.Parts }, IfNoneMatch: '*' })),
        'PreconditionFailed',
        412,
      );
      const uploads = await t.s3.send(new ListMultipartUploadsCommand({ Bucket: b }));
      assert.deepEqual(uploads.Uploads?.map((u) => u.UploadId), [u2.UploadId]);
      // With the right If-Match the same upload completes.
      await t.s3.send(new CompleteMultipartUploadCommand({ Bucket: b, Key: 'mp', UploadId: u2.UploadId, MultipartUpload: { Parts: u2.Parts }, IfMatch: done.ETag }));
    });

    it('If-Match with a stale ETag is 412, and on a missing key NoSuchKey', async () => {
      const b = await create();
      const u = await upload(b, 'mp');
      await rejectsWith(
        t.s3.send(new CompleteMultipartUploadCommand({ Bucket: b, Key: 'mp', UploadId: u.UploadId, MultipartUpload: { Parts: u.Parts }, IfMatch: '"0123456789abcdef0123456789abcdef"' })),
        'NoSuchKey',
        404,
      );
      await t.s3.send(new PutObjectCommand({ Bucket: b, Key: 'mp', Body: 'small' }));
      await rejectsWith(
        t.s3.send(new CompleteMultipartUploadCommand({ Bucket: b, Key: 'mp', UploadId: u.UploadId, MultipartUpload: { Parts: u.Parts }, IfMatch: '"0123456789abcdef0123456789abcdef"' })),
        'PreconditionFailed',
        412,
      );
      assert.equal(await body(b, 'mp'), 'small');
    });
  });

  describe('CopyObject destination', () => {
    it('If-None-Match: * and If-Match apply to the destination key', async () => {
      const b = await create();
      await t.s3.send(new PutObjectCommand({ Bucket: b, Key: 'src', Body: 'source' }));
      const dst = await t.s3.send(new PutObjectCommand({ Bucket: b, Key: 'dst', Body: 'dest' }));
      await rejectsWith(t.s3.send(new CopyObjectCommand({ Bucket: b, Key: 'dst', CopySource: `${b}/src`, IfNoneMatch: '*' })), 'PreconditionFailed', 412);
      await rejectsWith(t.s3.send(new CopyObjectCommand({ Bucket: b, Key: 'dst', CopySource: `${b}/src`, IfMatch: '"0123456789abcdef0123456789abcdef"' })), 'PreconditionFailed', 412);
      assert.equal(await body(b, 'dst'), 'dest');
      await t.s3.send(new CopyObjectCommand({ Bucket: b, Key: 'dst', CopySource: `${b}/src`, IfMatch: dst.ETag }));
      assert.equal(await body(b, 'dst'), 'source');
      await t.s3.send(new CopyObjectCommand({ Bucket: b, Key: 'new', CopySource: `${b}/src`, IfNoneMatch: '*' }));
      assert.equal(await body(b, 'new'), 'source');
    });
  });

  describe('DeleteObject', () => {
    it('If-Match deletes only the matching object; no object is NoSuchKey', async () => {
      const b = await create();
      await rejectsWith(t.s3.send(new DeleteObjectCommand({ Bucket: b, Key: 'k', IfMatch: '*' })), 'NoSuchKey', 404);
      const p = await t.s3.send(new PutObjectCommand({ Bucket: b, Key: 'k', Body: 'data' }));
      await rejectsWith(t.s3.send(new DeleteObjectCommand({ Bucket: b, Key: 'k', IfMatch: '"0123456789abcdef0123456789abcdef"' })), 'PreconditionFailed', 412);
      assert.equal(await body(b, 'k'), 'data');
      await t.s3.send(new DeleteObjectCommand({ Bucket: b, Key: 'k', IfMatch: p.ETag }));
      await rejectsWith(t.s3.send(new GetObjectCommand({ Bucket: b, Key: 'k' })), 'NoSuchKey', 404);
    });

    it('in a versioned bucket: a delete marker is no object, and If-Match with a version id is NotImplemented', async () => {
      const b = await create(true);
      const p = await t.s3.send(new PutObjectCommand({ Bucket: b, Key: 'k', Body: 'data' }));
      const raw = await signedRequest(t.url, `/${b}/k?versionId=${p.VersionId}`, { method: 'DELETE', headers: { 'if-match': p.ETag! } });
      assert.equal(raw.status, 501);
      assert.equal(xmlField(raw.body, 'Header'), 'If-Match');
      const d = await t.s3.send(new DeleteObjectCommand({ Bucket: b, Key: 'k', IfMatch: '*' }));
      assert.equal(d.DeleteMarker, true);
      await rejectsWith(t.s3.send(new DeleteObjectCommand({ Bucket: b, Key: 'k', IfMatch: p.ETag })), 'NoSuchKey', 404);
    });

    it('DeleteObjects honours a per-key ETag', async () => {
      const b = await create();
      const a = await t.s3.send(new PutObjectCommand({ Bucket: b, Key: 'a', Body: 'a' }));
      await t.s3.send(new PutObjectCommand({ Bucket: b, Key: 'b', Body: 'b' }));
      const r = await t.s3.send(
        new DeleteObjectsCommand({ Bucket: b, Delete: { Objects: [{ Key: 'a', ETag: a.ETag }, { Key: 'b', ETag: '"0123456789abcdef0123456789abcdef"' }] } }),
      );
      assert.deepEqual(r.Deleted?.map((d) => d.Key), ['a']);
      assert.deepEqual(r.Errors?.map((e) => [e.Key, e.Code]), [['b', 'PreconditionFailed']]);
      assert.equal(await body(b, 'b'), 'b');
    });
  });
});
