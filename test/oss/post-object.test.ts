/** OSS PostObject: forms signed as the SDK builds OSS policies (OSSAccessKeyId, Signature), read back with ali-oss; refusals in OSS's error form. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { encodePostPolicy, signPostPolicyV2 } from '../../src/auth/post-policy.js';
import type { StratusClient } from '../../src/sdk/index.js';
import { submitForm, xmlError } from '../helpers/post-form.js';
import { ACCESS_KEY, bucketName, SECRET_KEY, startTestServer, storedFiles, type TestServer } from '../helpers/server.js';
import { sdkClient } from '../sdk/helpers.js';
import { ossClient } from './helpers.js';

describe('OSS PostObject (browser form uploads)', () => {
  let t: TestServer;
  let c: StratusClient;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let oss: any;
  const bucket = bucketName('osspost');
  before(async () => {
    t = await startTestServer();
    c = sdkClient(t.url, 'oss');
    oss = ossClient(t, { bucket });
    await oss.putBucket(bucket);
  });
  after(async () => {
    c.destroy();
    await t.stop();
  });

  async function refused(fields: Record<string, string>, file: { data: string } | undefined, code: string, status: number, message?: string) {
    const beforeFiles = await storedFiles(t.dataDir);
    const r = await submitForm(`${t.url}/${bucket}`, fields, file);
    assert.equal(r.status, status, r.body);
    const e = xmlError(r.body);
    assert.equal(e.code, code, r.body);
    assert.ok(r.headers.get('x-oss-request-id'), 'an OSS answer');
    if (message) assert.equal(e.message, message);
    assert.deepEqual(await storedFiles(t.dataDir), beforeFiles);
  }

  it('uploads with an SDK-built OSS policy: object ACL, metadata and content type land', async () => {
    const p = await c.createPostPolicy(bucket, { key: 'form/upload.txt', acl: 'public-read', contentType: 'text/plain', contentLengthRange: [0, 100], fields: { 'x-oss-meta-owner': 'alice' } });
    assert.equal(p.fields['OSSAccessKeyId'], ACCESS_KEY);
    const r = await submitForm(`${t.url}/${bucket}`, p.fields, { data: 'oss form body', filename: 'local.txt' });
    assert.equal(r.status, 204, r.body);
    assert.ok(r.headers.get('x-oss-request-id'));
    assert.match(r.headers.get('etag') ?? '', /^"[0-9a-f]{32}"$/i);
    const h = await oss.head('form/upload.txt');
    assert.equal(h.res.headers['content-type'], 'text/plain');
    assert.equal(h.meta.owner, 'alice');
    assert.equal((await oss.get('form/upload.txt')).content.toString(), 'oss form body');
    assert.equal((await oss.getACL('form/upload.txt')).acl, 'public-read');
  });

  it('answers success_action_status 201 with PostResponse, and substitutes ${filename}', async () => {
    const p = await c.createPostPolicy(bucket, { keyPrefix: 'named/', fields: { success_action_status: '201' } });
    const r = await submitForm(`${t.url}/${bucket}`, p.fields, { data: 'named', filename: 'report.csv' });
    assert.equal(r.status, 201, r.body);
    assert.match(r.body, /<Key>named\/report\.csv<\/Key>/);
    assert.equal((await oss.get('named/report.csv')).content.toString(), 'named');
  });

  it('refuses a bad signature, an expired policy, a violated condition, an oversized file and a missing file', async () => {
    const p = await c.createPostPolicy(bucket, { keyPrefix: 'in/', contentLengthRange: [0, 8], contentType: 'text/plain' });
    const f: Record<string, string> = { ...p.fields, key: 'in/x' };
    await refused({ ...f, Signature: signPostPolicyV2(f['policy']!, 'not-the-secret') }, { data: 'x' }, 'SignatureDoesNotMatch', 403);
    await refused({ ...f, key: 'out/x' }, { data: 'x' }, 'AccessDenied', 403, 'Invalid according to Policy: Policy Condition failed: ["starts-with", "$key", "in/"]');
    await refused({ ...f, 'Content-Type': 'text/html' }, { data: 'x' }, 'AccessDenied', 403);
    await refused(f, { data: 'x'.repeat(9) }, 'EntityTooLarge', 400);
    await refused(f, undefined, 'InvalidArgument', 400);
    const policy = encodePostPolicy({ expiration: new Date(Date.now() - 1000).toISOString(), conditions: [{ bucket }] });
    await refused({ key: 'late', OSSAccessKeyId: ACCESS_KEY, policy, Signature: signPostPolicyV2(policy, SECRET_KEY) }, { data: 'x' }, 'AccessDenied', 403, 'Invalid according to Policy: Policy expired.');
  });
});
