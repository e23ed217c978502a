import type ObsClient from 'esdk-obs-nodejs';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { presignObsUrl } from '../../src/auth/obs.js';
import { rawRequest, xmlField } from '../helpers/raw.js';
import { ACCESS_KEY, bucketName, SECRET_KEY, type TestServer } from '../helpers/server.js';
import { obsClient, ok, OBS_DOMAIN, OBS_MODES, startObsServer } from './helpers.js';

/**
 * createSignedUrlSync URLs used from a plain HTTP client. In 'obs' mode the
 * URL names the virtual host; the request goes to 127.0.0.1 with that Host.
 */
for (const mode of OBS_MODES) {
  describe(`OBS temporary URLs from createSignedUrlSync (${mode} mode)`, () => {
    let t: TestServer;
    let c: ObsClient;
    const bucket = bucketName('obs-url');
    before(async () => {
      t = await startObsServer();
      c = await obsClient(t, mode);
      await ok(c.createBucket({ Bucket: bucket }));
    });
    after(async () => {
      c.close();
      await t.stop();
    });

    /** Sends a signed URL with a plain client: to the test server, keeping the URL's Host. */
    function send(signed: { SignedUrl: string; ActualSignedRequestHeaders: Record<string, string> }, method: string, body?: string) {
      const u = new URL(signed.SignedUrl);
      const headers: Record<string, string> = { ...signed.ActualSignedRequestHeaders, host: u.hostname };
      delete headers.Host;
      return rawRequest(`http://127.0.0.1:${t.port}${u.pathname}${u.search}`, { method, headers, body });
    }

    it('PUT, GET and DELETE an object', async () => {
      const put = c.createSignedUrlSync({ Method: 'PUT', Bucket: bucket, Key: 'signed/a b.txt', Expires: 600, Headers: { 'Content-Type': 'text/plain' } });
      assert.match(put.SignedUrl, mode === 'obs' ? /[?&]AccessKeyId=/ : /[?&]AWSAccessKeyId=/);
      let r = await send(put, 'PUT', 'from a temporary URL');
      assert.equal(r.status, 200, r.body.toString());
      const get = c.createSignedUrlSync({ Method: 'GET', Bucket: bucket, Key: 'signed/a b.txt', Expires: 600 });
      r = await send(get, 'GET');
      assert.equal(r.status, 200);
      assert.equal(r.body.toString(), 'from a temporary URL');
      assert.equal(r.headers['content-type'], 'text/plain');
      r = await send(c.createSignedUrlSync({ Method: 'DELETE', Bucket: bucket, Key: 'signed/a b.txt', Expires: 600 }), 'DELETE');
      assert.equal(r.status, 204);
      r = await send(get, 'GET');
      assert.equal(r.status, 404);
    });

    it('runs bucket operations with a special parameter', async () => {
      await ok(c.putObject({ Bucket: bucket, Key: 'listed', Body: 'x' }));
      // ?storageinfo is OBS-only: in either mode it reaches the OBS front end.
      let r = await send(c.createSignedUrlSync({ Method: 'GET', Bucket: bucket, SpecialParam: 'storageinfo', Expires: 600 }), 'GET');
      assert.equal(r.status, 200, r.body.toString());
      assert.equal(xmlField(r.body, 'ObjectNumber'), '1');
      r = await send(c.createSignedUrlSync({ Method: 'GET', Bucket: bucket, Expires: 600 }), 'GET');
      assert.equal(r.status, 200);
      assert.equal(xmlField(r.body, 'Key'), 'listed');
      if (mode === 'obs') {
        // ?acl: a V2 URL without other OBS markers is S3's (see the front door), so the ACL case runs in OBS mode.
        r = await send(c.createSignedUrlSync({ Method: 'PUT', Bucket: bucket, SpecialParam: 'acl', Expires: 600, Headers: { 'x-obs-acl': 'public-read' } }), 'PUT');
        assert.equal(r.status, 200, r.body.toString());
        r = await send(c.createSignedUrlSync({ Method: 'GET', Bucket: bucket, SpecialParam: 'acl', Expires: 600 }), 'GET');
        assert.equal(r.status, 200);
        assert.match(r.body.toString(), /<Canned>Everyone<\/Canned><\/Grantee><Permission>READ<\/Permission>/);
        r = await send(c.createSignedUrlSync({ Method: 'GET', Bucket: bucket, Key: 'listed', SpecialParam: 'acl', Expires: 600 }), 'GET');
        assert.equal(r.status, 200);
        assert.equal(xmlField(r.body, 'Permission'), 'FULL_CONTROL');
      }
    });

    it('refuses a tampered URL and an expired one', async () => {
      await ok(c.putObject({ Bucket: bucket, Key: 'guarded', Body: 'secret' }));
      const get = c.createSignedUrlSync({ Method: 'GET', Bucket: bucket, Key: 'guarded', Expires: 600 });
      const tampered = { ...get, SignedUrl: get.SignedUrl.replace(/Expires=(\d+)/, (_, n) => `Expires=${Number(n) + 1}`) };
      let r = await send(tampered, 'GET');
      assert.equal(r.status, 403);
      assert.equal(xmlField(r.body, 'Code'), 'SignatureDoesNotMatch');
      // The SDK only signs forward in time; the project's signer makes a URL that expired a minute ago.
      const host = mode === 'obs' ? `${bucket}.${OBS_DOMAIN}:${t.port}` : `127.0.0.1:${t.port}`;
      const url = new URL(mode === 'obs' ? `http://${host}/guarded` : `http://${host}/${bucket}/guarded`);
      const expired = presignObsUrl({
        method: 'GET',
        url,
        credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY },
        family: mode,
        expires: Math.floor(Date.now() / 1000) - 60,
        virtualHostBucket: mode === 'obs' ? bucket : undefined,
      });
      r = await send({ SignedUrl: expired, ActualSignedRequestHeaders: {} }, 'GET');
      assert.equal(r.status, 403);
      assert.equal(xmlField(r.body, 'Code'), 'AccessDenied');
      assert.match(xmlField(r.body, 'Message') ?? '', /expired/);
      // The same signer with a future expiry is accepted: the signature itself was right.
      const fresh = presignObsUrl({ method: 'GET', url, credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY }, family: mode, expiresSeconds: 60, virtualHostBucket: mode === 'obs' ? bucket : undefined });
      r = await send({ SignedUrl: fresh, ActualSignedRequestHeaders: {} }, 'GET');
      assert.equal(r.status, 200);
      assert.equal(r.body.toString(), 'secret');
    });
  });
}
