/**
 * POST Object cases from ceph/s3-tests' test_post_object_*. Only the part named "file" is the file. Python's requests
 * (`files=`, as ceph/s3-tests posts its forms) sends every field as a part
 * with a filename; S3 reads those as fields.
 */
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { encodePostPolicy, signPostPolicyV2 } from '../../src/auth/post-policy.js';
import { rawRequest, xmlField } from '../helpers/raw.js';
import { ACCESS_KEY, SECRET_KEY, bucketName, startTestServer, storedFiles, type TestServer } from '../helpers/server.js';

/** A multipart body in which every field is sent as a file part, as requests' `files=` does. */
function formWithFileParts(fields: Record<string, string>, file: string): { body: Buffer; contentType: string } {
  const boundary = 'b0undary' + Date.now();
  const parts = Object.entries(fields).map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"; filename="${k}"\r\n\r\n${v}\r\n`);
  parts.push(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="file"\r\n\r\n${file}\r\n--${boundary}--\r\n`);
  return { body: Buffer.from(parts.join('')), contentType: `multipart/form-data; boundary=${boundary}` };
}

describe('POST Object fields sent as file parts', () => {
  let t: TestServer;
  const bucket = bucketName('postparts');
  before(async () => {
    t = await startTestServer();
    await t.minio.makeBucket(bucket);
  });
  after(() => t.stop());

  it('are read as fields (minio-built policy); the part named "file" is the object', async () => {
    const policy = t.minio.newPostPolicy();
    policy.setBucket(bucket);
    policy.setKey('from-parts.txt');
    policy.setContentType('text/plain');
    policy.setExpires(new Date(Date.now() + 600_000));
    const { postURL, formData } = await t.minio.presignedPostPolicy(policy);
    const { body, contentType } = formWithFileParts(formData, 'bar');
    const r = await rawRequest(postURL, { method: 'POST', headers: { 'content-type': contentType }, body });
    assert.equal(r.status, 204, r.body.toString());
    const got = await t.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'from-parts.txt' }));
    assert.equal(await got.Body!.transformToString(), 'bar');
    assert.equal(got.ContentType, 'text/plain');
  });

  it('a wrong signature in such a part is still refused', async () => {
    const policy = t.minio.newPostPolicy();
    policy.setBucket(bucket);
    policy.setKey('forged.txt');
    policy.setExpires(new Date(Date.now() + 600_000));
    const { postURL, formData } = await t.minio.presignedPostPolicy(policy);
    formData['x-amz-signature'] = '0'.repeat(64);
    const { body, contentType } = formWithFileParts(formData, 'bar');
    const r = await rawRequest(postURL, { method: 'POST', headers: { 'content-type': contentType }, body });
    assert.equal(r.status, 403, r.body.toString());
    assert.equal(xmlField(r.body, 'Code'), 'SignatureDoesNotMatch');
    await assert.rejects(t.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'forged.txt' })));
  });

  /** A V2-signed form (as s3-tests builds them) for `policy`, with `fields`, posted with fields as file parts. */
  async function postV2(doc: { expiration: string; conditions: unknown[] }, fields: Record<string, string>, file: { name: string; data: string }) {
    const policy = encodePostPolicy(doc);
    const all = { ...fields, AWSAccessKeyId: ACCESS_KEY, policy, signature: signPostPolicyV2(policy, SECRET_KEY) };
    const boundary = 'b0undary' + Date.now();
    const parts = Object.entries(all).map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`);
    parts.push(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\n\r\n${file.data}\r\n--${boundary}--\r\n`);
    return rawRequest(`${t.url}/${bucket}`, { method: 'POST', headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }, body: Buffer.from(parts.join('')) });
  }
  const later = () => new Date(Date.now() + 600_000).toISOString().replace(/\.\d+Z$/, 'Z');

  it('an expiration not in ISO 8601 UTC is 400 InvalidPolicyDocument (test_post_object_invalid_date_format)', async () => {
    const files = await storedFiles(t.dataDir);
    const expiration = later().replace('T', ' ').replace('Z', '+00:00');
    const r = await postV2({ expiration, conditions: [{ bucket }, ['starts-with', '$key', 'foo']] }, { key: 'foo.txt' }, { name: 'f', data: 'bar' });
    assert.equal(r.status, 400, r.body.toString());
    assert.equal(xmlField(r.body, 'Code'), 'InvalidPolicyDocument');
    assert.deepEqual(await storedFiles(t.dataDir), files);
  });

  it('the key condition matches the key with ${filename} replaced (test_post_object_set_key_from_filename)', async () => {
    const r = await postV2({ expiration: later(), conditions: [{ bucket }, ['starts-with', '$key', 'foo']] }, { key: '${filename}' }, { name: 'foo.txt', data: 'bar' });
    assert.equal(r.status, 204, r.body.toString());
    const got = await t.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'foo.txt' }));
    assert.equal(await got.Body!.transformToString(), 'bar');
    // A key outside the condition is still refused.
    const bad = await postV2({ expiration: later(), conditions: [{ bucket }, ['starts-with', '$key', 'foo']] }, { key: '${filename}' }, { name: 'bar.txt', data: 'x' });
    assert.equal(bad.status, 403, bad.body.toString());
  });

  it('a checksum field is verified against the file and stored (test_post_object_upload_checksum)', async () => {
    const doc = () => ({ expiration: later(), conditions: [{ bucket }, ['starts-with', '$key', 'cksum']] });
    const data = 'x'.repeat(1000);
    const good = createHash('sha256').update(data).digest('base64');
    const r = await postV2(doc(), { key: 'cksum.txt', 'x-amz-checksum-sha256': good }, { name: 'f', data });
    assert.equal(r.status, 204, r.body.toString());
    const head = await t.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'cksum.txt', ChecksumMode: 'ENABLED' }));
    assert.equal(head.ChecksumSHA256, good);
    const files = await storedFiles(t.dataDir);
    const malformed = await postV2(doc(), { key: 'cksum-bad.txt', 'x-amz-checksum-sha256': 'sailorjerry' }, { name: 'f', data });
    assert.equal(malformed.status, 400, malformed.body.toString());
    assert.equal(xmlField(malformed.body, 'Code'), 'InvalidRequest');
    const wrong = await postV2(doc(), { key: 'cksum-bad.txt', 'x-amz-checksum-sha256': createHash('sha256').update('other').digest('base64') }, { name: 'f', data });
    assert.equal(wrong.status, 400, wrong.body.toString());
    assert.equal(xmlField(wrong.body, 'Code'), 'BadDigest');
    assert.deepEqual(await storedFiles(t.dataDir), files);
  });
});
