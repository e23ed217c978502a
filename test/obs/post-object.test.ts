/** OBS POST upload: forms signed as the SDK builds OBS policies (AccessKeyId, signature), read back with esdk-obs-nodejs; refusals in OBS's error form. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { encodePostPolicy, signPostPolicyV2 } from '../../src/auth/post-policy.js';
import type { StratusClient } from '../../src/sdk/index.js';
import { submitForm, xmlError } from '../helpers/post-form.js';
import { ACCESS_KEY, bucketName, SECRET_KEY, storedFiles, type TestServer } from '../helpers/server.js';
import { sdkClient } from '../sdk/helpers.js';
import { obsClient, ok, startObsServer } from './helpers.js';
import type ObsClient from 'esdk-obs-nodejs';

describe('OBS POST upload (browser form uploads)', () => {
  let t: TestServer;
  let c: StratusClient;
  let obs: ObsClient;
  const bucket = bucketName('obspost');
  before(async () => {
    t = await startObsServer();
    c = sdkClient(t.url, 'obs');
    obs = await obsClient(t, 'v2');
    await ok(obs.createBucket({ Bucket: bucket }));
  });
  after(async () => {
    c.destroy();
    obs.close();
    await t.stop();
  });

  async function refused(fields: Record<string, string>, file: { data: string } | undefined, code: string, status: number, message?: string) {
    const beforeFiles = await storedFiles(t.dataDir);
    const r = await submitForm(`${t.url}/${bucket}`, fields, file);
    assert.equal(r.status, status, r.body);
    const e = xmlError(r.body);
    assert.equal(e.code, code, r.body);
    assert.equal(r.headers.get('x-obs-error-code'), code, 'an OBS answer');
    if (message) assert.equal(e.message, message);
    assert.deepEqual(await storedFiles(t.dataDir), beforeFiles);
  }

  it('uploads with an SDK-built OBS policy: metadata, content type and the x-obs-acl land', async () => {
    const p = await c.createPostPolicy(bucket, { key: 'form.txt', acl: 'public-read', contentType: 'text/plain', fields: { 'x-obs-meta-team': 'blue' } });
    assert.equal(p.fields['AccessKeyId'], ACCESS_KEY);
    const r = await submitForm(`${t.url}/${bucket}`, p.fields, { data: 'obs form body' });
    assert.equal(r.status, 204, r.body);
    assert.ok(r.headers.get('etag'));
    const m = await ok<{ ContentType: string; Metadata: Record<string, string> }>(obs.getObjectMetadata({ Bucket: bucket, Key: 'form.txt' }));
    assert.equal(m.ContentType, 'text/plain');
    assert.equal(m.Metadata['team'], 'blue');
    const g = await ok<{ Content: Buffer | string }>(obs.getObject({ Bucket: bucket, Key: 'form.txt' }));
    assert.equal(g.Content.toString(), 'obs form body');
    const acl = await ok<{ Grants: { Grantee: { URI?: string }; Permission: string }[] }>(obs.getObjectAcl({ Bucket: bucket, Key: 'form.txt' }));
    assert.ok(acl.Grants.some((g) => /AllUsers$/.test(g.Grantee.URI ?? '') && g.Permission === 'READ'), 'the form\'s x-obs-acl public-read applied');
  });

  it("takes the SDK's AWS-compatible-mode policy (AWSAccessKeyId, signature): signed as S3 V2, answered as S3", async () => {
    const v2 = sdkClient(t.url, 'obs-v2');
    try {
      const p = await v2.createPostPolicy(bucket, { key: 'aws-mode.txt', acl: 'private' });
      assert.equal(p.fields['AWSAccessKeyId'], ACCESS_KEY);
      const r = await submitForm(`${t.url}/${bucket}`, p.fields, { data: 'aws mode' });
      assert.equal(r.status, 204, r.body);
      const g = await ok<{ Content: Buffer | string }>(obs.getObject({ Bucket: bucket, Key: 'aws-mode.txt' }));
      assert.equal(g.Content.toString(), 'aws mode');
    } finally {
      v2.destroy();
    }
  });

  it('refuses a bad signature, an expired policy, a violated condition, an uncovered field, a too-small file and a missing file', async () => {
    const p = await c.createPostPolicy(bucket, { keyPrefix: 'in/', contentLengthRange: [2, 8] });
    const f: Record<string, string> = { ...p.fields, key: 'in/x' };
    await refused({ ...f, signature: signPostPolicyV2(f['policy']!, 'not-the-secret') }, { data: 'xy' }, 'SignatureDoesNotMatch', 403);
    await refused({ ...f, key: 'out/x' }, { data: 'xy' }, 'AccessDenied', 403, 'Invalid according to Policy: Policy Condition failed: ["starts-with", "$key", "in/"]');
    await refused({ ...f, 'x-obs-meta-extra': '1' }, { data: 'xy' }, 'AccessDenied', 403, 'Invalid according to Policy: Extra input fields: x-obs-meta-extra');
    await refused(f, { data: 'x' }, 'EntityTooSmall', 400);
    await refused(f, undefined, 'InvalidArgument', 400);
    const policy = encodePostPolicy({ expiration: new Date(Date.now() - 1000).toISOString(), conditions: [{ bucket }] });
    await refused({ key: 'late', AccessKeyId: ACCESS_KEY, policy, signature: signPostPolicyV2(policy, SECRET_KEY) }, { data: 'x' }, 'AccessDenied', 403, 'Invalid according to Policy: Policy expired.');
  });
});
