/**
 * The rule SigV4 now enforces (every x-amz-* header signed) holds by
 * construction in the other schemes: OSS V1, V2 and V4 and both OBS
 * families put every header of their prefix in the string to sign, so a
 * header added to a signed URL breaks the signature. Signed URLs carrying
 * extra signed headers, built by the official clients, keep working.
 */
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { OBS_MODES, obsClient, ok, startObsServer } from '../obs/helpers.js';
import { field, ossClient } from '../oss/helpers.js';
import { rawRequest } from '../helpers/raw.js';
import { bucketName, type TestServer } from '../helpers/server.js';

describe('headers added to a signed OSS or OBS request are refused', () => {
  let t: TestServer;
  const bucket = bucketName('unsigned');
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let byName: any;
  before(async () => {
    t = await startObsServer();
    const oss = ossClient(t, { bucket });
    await oss.putBucket(bucket);
    await oss.put('secret', Buffer.from('the secret'));
    byName = ossClient(t, { bucket, endpoint: `http://localhost:${t.port}`, sldEnable: true, region: 'oss-us-east-1' });
  });
  after(() => t.stop());

  const exists = (key: string) => t.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key })).then(() => true, () => false);

  it('OSS V1 and V4 signed PUT URLs (ali-oss) plus x-oss-copy-source, x-oss-object-acl or x-oss-meta-*', async () => {
    const v1 = byName.signatureUrl('v1-target', { method: 'PUT', expires: 300 });
    const v4 = await byName.signatureUrlV4('PUT', 300, undefined, 'v4-target');
    for (const [url, key] of [[v1, 'v1-target'], [v4, 'v4-target']] as const) {
      const extras: Record<string, string>[] = [{ 'x-oss-copy-source': `/${bucket}/secret` }, { 'x-oss-object-acl': 'public-read' }, { 'x-oss-meta-owner': 'mallory' }];
      for (const extra of extras) {
        const r = await rawRequest(url, { method: 'PUT', headers: extra, body: '' });
        assert.equal(r.status, 403, r.body.toString());
        assert.equal(field(r.body, 'Code'), 'SignatureDoesNotMatch');
      }
      assert.equal(await exists(key), false);
      assert.equal((await rawRequest(url, { method: 'PUT', body: 'fine' })).status, 200);
    }
  });

  for (const mode of OBS_MODES) {
    it(`OBS ${mode} temporary URLs (esdk-obs createSignedUrlSync): extra signed headers work, added ones are refused`, async () => {
      const c = await obsClient(t, mode);
      const p = mode === 'obs' ? 'x-obs-' : 'x-amz-';
      const send = (s: { SignedUrl: string; ActualSignedRequestHeaders: Record<string, string> }, extra: Record<string, string> = {}, body = 'x') => {
        const u = new URL(s.SignedUrl);
        const headers: Record<string, string> = { ...s.ActualSignedRequestHeaders, host: u.host, ...extra };
        delete headers.Host;
        return rawRequest(`http://127.0.0.1:${t.port}${u.pathname}${u.search}`, { method: 'PUT', headers, body });
      };
      const key = `obs-${mode}`;
      const signed = c.createSignedUrlSync({ Method: 'PUT', Bucket: bucket, Key: key, Expires: 300, Headers: { [p + 'meta-owner']: 'alice' } });
      for (const extra of [{ [p + 'copy-source']: `/${bucket}/secret` }, { [p + 'acl']: 'public-read' }, { [p + 'meta-other']: 'mallory' }]) {
        const r = await send(signed, extra, '');
        assert.equal(r.status, 403, r.body.toString());
        assert.equal(field(r.body, 'Code'), 'SignatureDoesNotMatch');
      }
      assert.equal(await exists(key), false);
      const r = await send(signed);
      assert.equal(r.status, 200, r.body.toString());
      const meta = await ok(c.getObjectMetadata({ Bucket: bucket, Key: key }));
      assert.equal(meta.Metadata.owner, 'alice');
      c.close();
    });
  }
});
