/**
 * Server-side encryption is not built: every write path of every XML dialect
 * refuses the SSE headers (and POST form fields) with NotImplemented and
 * stores nothing, instead of storing the object in the clear.
 */
import {
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  PutObjectCommand,
  S3ServiceException,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { fails, obsClient, startObsServer } from '../obs/helpers.js';
import { ossClient, ossError } from '../oss/helpers.js';
import { submitForm, xmlError } from '../helpers/post-form.js';
import { bucketName, storedFiles, type TestServer } from '../helpers/server.js';

const NOT_IMPLEMENTED = 'A header you provided implies functionality that is not implemented';
const sseKey = Buffer.alloc(32, 7);
const sseC = { SSECustomerAlgorithm: 'AES256', SSECustomerKey: sseKey.toString('base64'), SSECustomerKeyMD5: createHash('md5').update(sseKey).digest('base64') };

async function s3Refuses(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof S3ServiceException, String(e));
    assert.equal(e.name, 'NotImplemented');
    assert.equal(e.$metadata.httpStatusCode, 501);
    assert.equal(e.message, NOT_IMPLEMENTED);
    return;
  }
  assert.fail('expected NotImplemented');
}

describe('server-side encryption headers are refused, never silently dropped', () => {
  let t: TestServer;
  let s3: S3Client;
  const bucket = bucketName('sse');
  before(async () => {
    t = await startObsServer();
    s3 = t.s3;
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'plain', Body: 'plain' }));
  });
  after(() => t.stop());

  const missing = async (key: string) => {
    await assert.rejects(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key })), (e: Error) => e.name === 'NotFound');
  };

  it('S3: PutObject with SSE-S3, SSE-KMS or SSE-C', async () => {
    const files = await storedFiles(t.dataDir);
    await s3Refuses(s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'sse-s3', Body: 'x', ServerSideEncryption: 'AES256' })));
    await s3Refuses(s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'sse-kms', Body: 'x', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'k' })));
    await s3Refuses(s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'sse-c', Body: 'x', ...sseC })));
    for (const k of ['sse-s3', 'sse-kms', 'sse-c']) await missing(k);
    assert.deepEqual(await storedFiles(t.dataDir), files);
  });

  it('S3: CopyObject (to an encrypted copy, or from an SSE-C source), CreateMultipartUpload and UploadPart', async () => {
    await s3Refuses(s3.send(new CopyObjectCommand({ Bucket: bucket, Key: 'copy', CopySource: `${bucket}/plain`, ServerSideEncryption: 'AES256' })));
    await s3Refuses(
      s3.send(new CopyObjectCommand({ Bucket: bucket, Key: 'copy', CopySource: `${bucket}/plain`, CopySourceSSECustomerAlgorithm: 'AES256', CopySourceSSECustomerKey: sseC.SSECustomerKey, CopySourceSSECustomerKeyMD5: sseC.SSECustomerKeyMD5 })),
    );
    await missing('copy');
    await s3Refuses(s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'mp', ...sseC })));
    assert.equal((await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket }))).Uploads, undefined);
    const up = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'mp' }));
    await s3Refuses(s3.send(new UploadPartCommand({ Bucket: bucket, Key: 'mp', UploadId: up.UploadId, PartNumber: 1, Body: 'part', ...sseC })));
  });

  it('S3: a POST form carrying x-amz-server-side-encryption (minio-built policy)', async () => {
    const policy = t.minio.newPostPolicy();
    policy.setBucket(bucket);
    policy.setKey('form');
    policy.setExpires(new Date(Date.now() + 600_000));
    policy.policy.conditions.push(['eq', '$x-amz-server-side-encryption', 'AES256']);
    policy.formData['x-amz-server-side-encryption'] = 'AES256';
    const { postURL, formData } = await t.minio.presignedPostPolicy(policy);
    const files = await storedFiles(t.dataDir);
    const r = await submitForm(postURL, formData, { data: 'secret form' });
    assert.equal(r.status, 501, r.body);
    assert.deepEqual(xmlError(r.body), { code: 'NotImplemented', message: NOT_IMPLEMENTED });
    await missing('form');
    assert.deepEqual(await storedFiles(t.dataDir), files);
  });

  it('OSS: put with x-oss-server-side-encryption (ali-oss)', async () => {
    const oss = ossClient(t, { bucket });
    for (const headers of [{ 'x-oss-server-side-encryption': 'AES256' }, { 'x-oss-server-side-encryption': 'KMS', 'x-oss-server-side-encryption-key-id': 'k' }]) {
      const e = await ossError(oss.put('oss-sse', Buffer.from('x'), { headers }));
      assert.equal(e.status, 501);
      assert.equal(e.code, 'NotImplemented');
      assert.ok(e.requestId);
    }
    const e = await ossError(oss.initMultipartUpload('oss-mp', { headers: { 'x-oss-server-side-encryption': 'AES256' } }));
    assert.equal(e.code, 'NotImplemented');
    await missing('oss-sse');
  });

  for (const mode of ['obs', 'v2'] as const) {
    it(`OBS (${mode} mode): putObject with SSE-KMS or SSE-C (esdk-obs-nodejs)`, async () => {
      const c = await obsClient(t, mode);
      const m = await fails(c.putObject({ Bucket: bucket, Key: 'obs-sse', Body: 'x', SseKms: 'kms' }), 501, 'NotImplemented');
      assert.ok(m.RequestId);
      await fails(c.putObject({ Bucket: bucket, Key: 'obs-sse', Body: 'x', SseC: 'AES256', SseCKey: sseKey }), 501, 'NotImplemented');
      await fails(c.initiateMultipartUpload({ Bucket: bucket, Key: 'obs-sse', SseC: 'AES256', SseCKey: sseKey }), 501, 'NotImplemented');
      await fails(c.copyObject({ Bucket: bucket, Key: 'obs-sse', CopySource: `${bucket}/plain`, SseKms: 'kms' }), 501, 'NotImplemented');
      await missing('obs-sse');
      c.close();
    });
  }
});
