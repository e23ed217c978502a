/**
 * POST Object forms whose policy and signature come from the official clients,
 * not from Stratus' own signing code: minio `presignedPostPolicy` (S3 SigV4),
 * ali-oss `calculatePostSignature` (OSS), esdk-obs-nodejs
 * `createPostSignatureSync` (OBS, and its AWS-compatible V2 mode). Each form is
 * sent as a real multipart body (fetch + FormData), read back through the same
 * official client, and a form that breaks its policy or signature is refused
 * in the dialect's own error format with nothing stored.
 */
import type ObsClient from 'esdk-obs-nodejs';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { submitForm, xmlError } from '../helpers/post-form.js';
import { ACCESS_KEY, bucketName, storedFiles, type TestServer } from '../helpers/server.js';
import { obsClient, ok, startObsServer } from '../obs/helpers.js';
import { ossClient } from '../oss/helpers.js';

/** The same signature with its first character changed ('0' / '1': valid hex and base64, and caseless, so never equal ignoring case). */
const altered = (sig: string) => (sig[0] === '0' ? '1' : '0') + sig.slice(1);

describe('POST Object forms signed by the official clients', () => {
  let t: TestServer;
  before(async () => {
    t = await startObsServer();
  });
  after(() => t.stop());

  /** Submits a form that must be refused with `code` and store nothing; returns the answer. */
  async function refused(url: string, fields: Record<string, string>, data: string, status: number, code: string) {
    const beforeFiles = await storedFiles(t.dataDir);
    const r = await submitForm(url, fields, { data });
    assert.equal(r.status, status, r.body);
    assert.match(r.body, /^<\?xml[^>]*\?>\s*<Error>/, r.body);
    assert.equal(xmlError(r.body).code, code, r.body);
    assert.deepEqual(await storedFiles(t.dataDir), beforeFiles, 'nothing stored');
    return r;
  }

  describe('S3: minio presignedPostPolicy (SigV4)', () => {
    const bucket = bucketName('mpost');
    before(() => t.minio.makeBucket(bucket, 'us-east-1'));

    const policy = (key: string, max = 1024) => {
      const p = t.minio.newPostPolicy();
      p.setBucket(bucket);
      p.setKey(key);
      p.setExpires(new Date(Date.now() + 10 * 60_000));
      p.setContentType('text/plain');
      p.setContentLengthRange(1, max);
      p.setUserMetaData({ origin: 'minio' });
      return t.minio.presignedPostPolicy(p);
    };

    it('uploads, and minio reads the object, its type and metadata back', async () => {
      const { postURL, formData } = await policy('from-minio.txt');
      assert.equal(formData['x-amz-algorithm'], 'AWS4-HMAC-SHA256');
      const r = await submitForm(postURL, formData, { data: 'signed by minio', type: 'text/plain' });
      assert.equal(r.status, 204, r.body);
      const st = await t.minio.statObject(bucket, 'from-minio.txt');
      assert.equal(st.metaData['content-type'], 'text/plain');
      assert.equal(st.metaData['origin'], 'minio');
      assert.equal(st.etag, r.headers.get('etag')?.replace(/"/g, ''));
      const chunks: Buffer[] = [];
      for await (const c of await t.minio.getObject(bucket, 'from-minio.txt')) chunks.push(c as Buffer);
      assert.equal(Buffer.concat(chunks).toString(), 'signed by minio');
    });

    it("refuses a file over the policy's content-length-range, and a form whose signature was altered", async () => {
      const { postURL, formData } = await policy('too-big.txt', 4);
      const big = await refused(postURL, formData, 'more than four bytes', 400, 'EntityTooLarge');
      assert.ok(big.headers.get('x-amz-request-id'), 'an S3 answer');
      await refused(postURL, { ...formData, 'x-amz-signature': altered(formData['x-amz-signature']!) }, 'x', 403, 'SignatureDoesNotMatch');
      await assert.rejects(t.minio.statObject(bucket, 'too-big.txt'), /Not Found|NotFound|NoSuchKey/);
    });
  });

  describe('OSS: ali-oss calculatePostSignature', () => {
    const bucket = bucketName('apost');
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    let oss: any;
    before(async () => {
      oss = ossClient(t, { bucket });
      await oss.putBucket(bucket);
    });

    const form = (key: string, conditions: unknown[]) => {
      const s = oss.calculatePostSignature({ expiration: new Date(Date.now() + 10 * 60_000).toISOString(), conditions: [{ bucket }, ...conditions] });
      return { key, OSSAccessKeyId: s.OSSAccessKeyId, policy: s.policy, Signature: s.Signature };
    };

    it('uploads, and ali-oss reads the object, its type and metadata back', async () => {
      const fields = { ...form('from-ali-oss.txt', [['eq', '$key', 'from-ali-oss.txt'], ['content-length-range', 1, 1024], ['starts-with', '$x-oss-meta-origin', '']]), 'x-oss-meta-origin': 'ali-oss', 'Content-Type': 'text/plain' };
      assert.equal(fields.OSSAccessKeyId, ACCESS_KEY);
      const r = await submitForm(`${t.url}/${bucket}`, fields, { data: 'signed by ali-oss' });
      assert.equal(r.status, 204, r.body);
      assert.ok(r.headers.get('x-oss-request-id'), 'an OSS answer');
      const h = await oss.head('from-ali-oss.txt');
      assert.equal(h.meta.origin, 'ali-oss');
      assert.equal(h.res.headers['content-type'], 'text/plain');
      assert.equal((await oss.get('from-ali-oss.txt')).content.toString(), 'signed by ali-oss');
    });

    it('refuses a key the policy does not allow, a file over its length range, and an altered signature', async () => {
      const url = `${t.url}/${bucket}`;
      const wrongKey = { ...form('other.txt', [['eq', '$key', 'allowed.txt']]) };
      const k = await refused(url, wrongKey, 'x', 403, 'AccessDenied');
      assert.ok(k.headers.get('x-oss-request-id'), 'an OSS answer');
      await refused(url, form('big.txt', [['content-length-range', 0, 4]]), 'more than four bytes', 400, 'EntityTooLarge');
      const good = form('forged.txt', []);
      await refused(url, { ...good, Signature: altered(good.Signature) }, 'x', 403, 'SignatureDoesNotMatch');
      for (const key of ['other.txt', 'big.txt', 'forged.txt']) assert.equal((await oss.head(key).catch((e: { status: number }) => e)).status, 404, key);
    });
  });

  for (const mode of ['obs', 'v2'] as const) {
    describe(`OBS: esdk-obs-nodejs createPostSignatureSync (${mode === 'obs' ? 'OBS signature' : 'AWS-compatible V2'})`, () => {
      const bucket = bucketName(`opost${mode}`);
      const prefix = mode === 'obs' ? 'x-obs-' : 'x-amz-';
      let obs: ObsClient;
      before(async () => {
        obs = await obsClient(t, mode);
        await ok(obs.createBucket({ Bucket: bucket }));
      });
      after(() => obs.close());

      /** The form the OBS documentation builds from createPostSignatureSync's answer. */
      const form = (key: string, params: Record<string, string>) => {
        const s = obs.createPostSignatureSync({ Bucket: bucket, Key: key, Expires: 600, FormParams: params }) as { Policy: string; Signature: string };
        const idField = mode === 'obs' ? 'AccessKeyId' : 'AWSAccessKeyId';
        return { ...params, key, [idField]: ACCESS_KEY, policy: s.Policy, signature: s.Signature };
      };

      it('uploads, and esdk-obs-nodejs reads the object, its type, ACL and metadata back', async () => {
        const fields = form('from-esdk.txt', { 'content-type': 'text/plain', [`${prefix}acl`]: 'public-read', [`${prefix}meta-origin`]: 'esdk' });
        const r = await submitForm(`${t.url}/${bucket}`, fields, { data: 'signed by esdk-obs' });
        assert.equal(r.status, 204, r.body);
        const m = await ok<{ ContentType: string; Metadata: Record<string, string> }>(obs.getObjectMetadata({ Bucket: bucket, Key: 'from-esdk.txt' }));
        assert.equal(m.ContentType, 'text/plain');
        assert.equal(m.Metadata['origin'], 'esdk');
        const g = await ok<{ Content: Buffer | string }>(obs.getObject({ Bucket: bucket, Key: 'from-esdk.txt' }));
        assert.equal(g.Content.toString(), 'signed by esdk-obs');
        const acl = await ok<{ Grants: { Grantee: { URI?: string }; Permission: string }[] }>(obs.getObjectAcl({ Bucket: bucket, Key: 'from-esdk.txt' }));
        // OBS names the public group "Everyone"; the AWS-compatible mode, AllUsers.
        assert.ok(acl.Grants.some((x) => /AllUsers$|^Everyone$/.test(x.Grantee.URI ?? '') && x.Permission === 'READ'), "the form's acl applied");
      });

      it('refuses a form whose key or content type differ from the policy, and an altered signature', async () => {
        const url = `${t.url}/${bucket}`;
        const good = form('policy-key.txt', { 'content-type': 'text/plain' });
        const r = await refused(url, { ...good, key: 'another-key.txt' }, 'x', 403, 'AccessDenied');
        if (mode === 'obs') assert.equal(r.headers.get('x-obs-error-code'), 'AccessDenied', 'an OBS answer');
        await refused(url, { ...good, 'content-type': 'text/html' }, 'x', 403, 'AccessDenied');
        await refused(url, { ...good, signature: altered(good.signature) }, 'x', 403, 'SignatureDoesNotMatch');
        const l = await ok<{ Contents: { Key: string }[] }>(obs.listObjects({ Bucket: bucket }));
        assert.deepEqual(l.Contents.map((x) => x.Key), ['from-esdk.txt'], 'only the first test\'s object');
      });
    });
  }
});
