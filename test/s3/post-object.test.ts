/** S3 POST Object: browser form uploads signed with SigV4 (the SDK's policies) and SigV2, and every way a form is refused. */
import assert from 'node:assert/strict';
import { GetObjectAclCommand, GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { encodePostPolicy, signPostPolicyV2 } from '../../src/auth/post-policy.js';
import type { StratusClient } from '../../src/sdk/index.js';
import { submitForm, xmlError } from '../helpers/post-form.js';
import { ACCESS_KEY, bucketName, SECRET_KEY, startTestServer, storedFiles, type TestServer } from '../helpers/server.js';
import { sdkClient } from '../sdk/helpers.js';

describe('S3 POST Object (browser form uploads)', () => {
  let t: TestServer;
  let c: StratusClient;
  const bucket = bucketName('postform');
  before(async () => {
    t = await startTestServer();
    c = sdkClient(t.url);
    await c.createBucket(bucket);
  });
  after(async () => {
    c.destroy();
    await t.stop();
  });

  const head = (key: string) => t.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  const body = async (key: string) => (await t.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToString();

  /** Submits a form that must be refused with `code` (and `message`, if given) and store nothing. */
  async function refused(fields: Record<string, string>, file: { data: string; filename?: string; type?: string } | undefined, code: string, status: number, message?: string | RegExp) {
    const beforeFiles = await storedFiles(t.dataDir);
    const r = await submitForm(`${t.url}/${bucket}`, fields, file);
    const e = xmlError(r.body);
    assert.equal(r.status, status, r.body);
    assert.equal(e.code, code, r.body);
    if (typeof message === 'string') assert.equal(e.message, message);
    else if (message) assert.match(e.message ?? '', message);
    assert.deepEqual(await storedFiles(t.dataDir), beforeFiles);
  }

  it('uploads with an SDK-built V4 policy: ${filename}, metadata, content type, acl, 204 with ETag and Location', async () => {
    const p = await c.createPostPolicy(bucket, { keyPrefix: 'uploads/', contentLengthRange: [1, 1024], contentType: 'text/plain', acl: 'public-read', fields: { 'x-amz-meta-who': 'me' } });
    const r = await submitForm(p.url, p.fields, { data: 'hello form', filename: 'hello.txt', type: 'text/plain' });
    assert.equal(r.status, 204, r.body);
    assert.match(r.headers.get('etag') ?? '', /^"[0-9a-f]{32}"$/);
    assert.equal(r.headers.get('location'), `${t.url}/${bucket}/uploads/hello.txt`);
    const h = await head('uploads/hello.txt');
    assert.equal(h.ContentType, 'text/plain');
    assert.deepEqual(h.Metadata, { who: 'me' });
    assert.equal(h.ETag, r.headers.get('etag'));
    assert.equal(await body('uploads/hello.txt'), 'hello form');
    const acl = await t.s3.send(new GetObjectAclCommand({ Bucket: bucket, Key: 'uploads/hello.txt' }));
    assert.ok(acl.Grants?.some((g) => g.Grantee?.URI === 'http://acs.amazonaws.com/groups/global/AllUsers' && g.Permission === 'READ'), 'the form\'s acl field applied');
  });

  it('answers 201 with a PostResponse document, 200 with no body, and 303 to success_action_redirect', async () => {
    const p201 = await c.createPostPolicy(bucket, { key: 'status/201', fields: { success_action_status: '201' } });
    const r201 = await submitForm(p201.url, p201.fields, { data: 'x' });
    assert.equal(r201.status, 201, r201.body);
    assert.match(r201.body, /<PostResponse><Location>http:\/\/127\.0\.0\.1:\d+\/[^<]+\/status\/201<\/Location><Bucket>[^<]+<\/Bucket><Key>status\/201<\/Key><ETag>&quot;[0-9a-f]{32}&quot;<\/ETag><\/PostResponse>/);

    const p200 = await c.createPostPolicy(bucket, { key: 'status/200', fields: { success_action_status: '200' } });
    const r200 = await submitForm(p200.url, p200.fields, { data: 'y' });
    assert.equal(r200.status, 200);
    assert.equal(r200.body, '');
    assert.ok(r200.headers.get('etag'));

    const pr = await c.createPostPolicy(bucket, { key: 'status/redirect', fields: { success_action_redirect: 'https://example.com/done?x=1' } });
    const rr = await submitForm(pr.url, pr.fields, { data: 'z' });
    assert.equal(rr.status, 303);
    const loc = new URL(rr.headers.get('location')!);
    assert.equal(loc.origin + loc.pathname, 'https://example.com/done');
    assert.equal(loc.searchParams.get('x'), '1');
    assert.equal(loc.searchParams.get('bucket'), bucket);
    assert.equal(loc.searchParams.get('key'), 'status/redirect');
    assert.equal(loc.searchParams.get('etag'), rr.headers.get('etag'));
    assert.equal(await body('status/redirect'), 'z');
  });

  it('accepts a SigV2 form (AWSAccessKeyId, signature) with x-ignore- fields uncovered', async () => {
    const policy = encodePostPolicy({ expiration: new Date(Date.now() + 600_000).toISOString(), conditions: [{ bucket }, ['starts-with', '$key', 'v2/'], ['eq', '$Content-Type', 'image/png']] });
    const r = await submitForm(`${t.url}/${bucket}`, { key: 'v2/pic.png', 'Content-Type': 'image/png', AWSAccessKeyId: ACCESS_KEY, policy, signature: signPostPolicyV2(policy, SECRET_KEY), 'x-ignore-me': 'anything' }, { data: 'png' });
    assert.equal(r.status, 204, r.body);
    assert.equal((await head('v2/pic.png')).ContentType, 'image/png');
  });

  it('ignores fields that come after the file, as S3 does', async () => {
    const p = await c.createPostPolicy(bucket, { key: 'late/fields' });
    const fd = new FormData();
    for (const [k, v] of Object.entries(p.fields)) fd.append(k, v);
    fd.append('file', new Blob(['body']), 'f.txt');
    fd.append('x-amz-meta-late', 'ignored'); // would be an uncovered field were it read
    const r = await fetch(p.url, { method: 'POST', body: fd });
    assert.equal(r.status, 204, await r.text());
    assert.deepEqual((await head('late/fields')).Metadata, {});
  });

  it('refuses a form whose body ends inside the file part, storing nothing', async () => {
    const p = await c.createPostPolicy(bucket, { key: 'cut/off' });
    const b = 'CuTbOuNdArY';
    let body = '';
    for (const [k, v] of Object.entries(p.fields)) body += `--${b}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`;
    body += `--${b}\r\nContent-Disposition: form-data; name="file"; filename="f"\r\n\r\n` + 'data with no closing boundary';
    const beforeFiles = await storedFiles(t.dataDir);
    const res = await fetch(p.url, { method: 'POST', headers: { 'content-type': `multipart/form-data; boundary=${b}` }, body });
    const text = await res.text();
    assert.equal(res.status, 400, text);
    assert.equal(xmlError(text).code, 'MalformedPOSTRequest');
    await assert.rejects(head('cut/off'));
    assert.deepEqual(await storedFiles(t.dataDir), beforeFiles);
  });

  it('does not capture other bucket POSTs: ?delete still deletes', async () => {
    await c.putObject(bucket, 'del/me', 'x');
    await c.deleteObjects(bucket, ['del/me']);
    await assert.rejects(head('del/me'));
  });

  it('refuses a bad signature', async () => {
    const p = await c.createPostPolicy(bucket, { key: 'bad/sig' });
    await refused({ ...p.fields, 'x-amz-signature': '0'.repeat(64) }, { data: 'x' }, 'SignatureDoesNotMatch', 403);
    const policy = encodePostPolicy({ expiration: new Date(Date.now() + 600_000).toISOString(), conditions: [{ bucket }, { key: 'bad/v2' }] });
    await refused({ key: 'bad/v2', AWSAccessKeyId: ACCESS_KEY, policy, signature: signPostPolicyV2(policy, 'wrong-secret') }, { data: 'x' }, 'SignatureDoesNotMatch', 403);
    await refused({ key: 'bad/v2', AWSAccessKeyId: 'NOSUCHKEY', policy, signature: 'x' }, { data: 'x' }, 'InvalidAccessKeyId', 403);
  });

  it('refuses an expired policy', async () => {
    const p = await c.createPostPolicy(bucket, { key: 'old', expiresSeconds: -60 });
    await refused(p.fields, { data: 'x' }, 'AccessDenied', 403, 'Invalid according to Policy: Policy expired.');
  });

  it('refuses a form that violates a condition: key prefix, content type, extra field', async () => {
    const p = await c.createPostPolicy(bucket, { keyPrefix: 'only/', contentType: 'text/plain' });
    await refused({ ...p.fields, key: 'elsewhere/x' }, { data: 'x' }, 'AccessDenied', 403, 'Invalid according to Policy: Policy Condition failed: ["starts-with", "$key", "only/"]');
    await refused({ ...p.fields, 'Content-Type': 'text/html' }, { data: 'x' }, 'AccessDenied', 403, 'Invalid according to Policy: Policy Condition failed: ["eq", "$Content-Type", "text/plain"]');
    await refused({ ...p.fields, 'x-amz-meta-sneaky': '1' }, { data: 'x' }, 'AccessDenied', 403, 'Invalid according to Policy: Extra input fields: x-amz-meta-sneaky');
  });

  it('enforces content-length-range against the file: too large, too small', async () => {
    const p = await c.createPostPolicy(bucket, { key: 'sized', contentLengthRange: [4, 8] });
    await refused(p.fields, { data: 'x'.repeat(64 * 1024) }, 'EntityTooLarge', 400);
    await refused(p.fields, { data: 'abc' }, 'EntityTooSmall', 400);
    const ok = await submitForm(p.url, p.fields, { data: 'abcd' });
    assert.equal(ok.status, 204, ok.body);
  });

  it('refuses a form with no file, an unsigned form, and a malformed body', async () => {
    const p = await c.createPostPolicy(bucket, { key: 'nofile' });
    await refused(p.fields, undefined, 'InvalidArgument', 400, 'POST requires exactly one file upload per request.');
    await refused({ key: 'anon' }, { data: 'x' }, 'AccessDenied', 403);
    const beforeFiles = await storedFiles(t.dataDir);
    const res = await fetch(`${t.url}/${bucket}`, { method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=zzz' }, body: '--zzz\r\nContent-Disposition: form-data; name="key"\r\n\r\nv\r\n--zzz\r\nbroken' });
    const text = await res.text();
    assert.equal(res.status, 400, text);
    assert.equal(xmlError(text).code, 'MalformedPOSTRequest');
    assert.deepEqual(await storedFiles(t.dataDir), beforeFiles);
  });

  it('fails a form whose client stalls mid-file with RequestTimeout, storing nothing', async () => {
    const slow = await startTestServer({ bodyIdleMs: 300 });
    try {
      const sc = sdkClient(slow.url);
      await sc.createBucket(bucket);
      const p = await sc.createPostPolicy(bucket, { key: 'stalled' });
      sc.destroy();
      const beforeFiles = await storedFiles(slow.dataDir);
      const b = 'XyZbOuNdArY';
      let head = '';
      for (const [k, v] of Object.entries(p.fields)) head += `--${b}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`;
      head += `--${b}\r\nContent-Disposition: form-data; name="file"; filename="f.bin"\r\nContent-Type: application/octet-stream\r\n\r\n` + 'partial data';
      const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = http.request(`${slow.url}/${bucket}`, { method: 'POST', headers: { 'content-type': `multipart/form-data; boundary=${b}`, 'content-length': String(head.length + 1000) } }, (res) => {
          let body = '';
          res.on('data', (d) => (body += d));
          res.on('end', () => resolve({ status: res.statusCode!, body }));
        });
        req.on('error', reject);
        req.write(head); // and never the rest
      });
      assert.equal(answer.status, 400, answer.body);
      assert.equal(xmlError(answer.body).code, 'RequestTimeout');
      await assert.rejects(slow.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'stalled' })));
      assert.deepEqual(await storedFiles(slow.dataDir), beforeFiles);
    } finally {
      await slow.stop();
    }
  });
});
