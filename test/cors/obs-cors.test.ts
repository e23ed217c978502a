import type ObsClient from 'esdk-obs-nodejs';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bucketName, type TestServer } from '../helpers/server.js';
import { fails, obsClient, ok, OBS_MODES, startObsServer } from '../obs/helpers.js';

for (const mode of OBS_MODES) {
  describe(`OBS CORS and website configuration through esdk-obs-nodejs (${mode} mode)`, () => {
    let t: TestServer;
    let c: ObsClient;
    const b = bucketName('obs-cors');
    before(async () => {
      t = await startObsServer();
      c = await obsClient(t, mode);
      await ok(c.createBucket({ Bucket: b }));
      await ok(c.putObject({ Bucket: b, Key: 'k', Body: 'v' }));
    });
    after(async () => {
      c.close();
      await t.stop();
    });

    // The seed's sample rules (OBS SDK guide §11).
    const rules = [
      { ID: 'rule1', AllowedMethod: ['PUT', 'HEAD', 'GET'], AllowedOrigin: ['http://www.a.com', 'http://www.b.com'], AllowedHeader: ['Authorization1'], MaxAgeSeconds: 100, ExposeHeader: ['x-obs-test1'] },
      { ID: 'rule2', AllowedMethod: ['PUT', 'HEAD', 'GET'], AllowedOrigin: ['http://www.c.com', 'http://www.d.com'], AllowedHeader: ['Authorization2'], MaxAgeSeconds: 200, ExposeHeader: ['x-obs-test2'] },
    ];

    it('getBucketCors without a configuration: NoSuchCORSConfiguration 404', async () => {
      await fails(c.getBucketCors({ Bucket: b }), 404, 'NoSuchCORSConfiguration');
    });

    it('setBucketCors (Content-MD5 sent by the SDK), getBucketCors returns the rules', async () => {
      await ok(c.setBucketCors({ Bucket: b, CorsRules: rules }));
      const got = await ok(c.getBucketCors({ Bucket: b }));
      assert.equal(got.CorsRules.length, 2);
      assert.equal(got.CorsRules[0].ID, 'rule1');
      assert.deepEqual(got.CorsRules[0].AllowedMethod, ['PUT', 'HEAD', 'GET']);
      assert.deepEqual(got.CorsRules[1].AllowedOrigin, ['http://www.c.com', 'http://www.d.com']);
      assert.equal(String(got.CorsRules[1].MaxAgeSeconds), '200');
      assert.deepEqual(got.CorsRules[1].ExposeHeader, ['x-obs-test2']);
    });

    it('optionsBucket and optionsObject answer the matching rule; a refused one is 403 AccessForbidden', async () => {
      const bucket = await ok(c.optionsBucket({ Bucket: b, Origin: 'http://www.a.com', AccessControlRequestMethods: ['GET', 'PUT'], AccessControlRequestHeaders: ['Authorization1'] }));
      assert.equal(bucket.AllowOrigin, 'http://www.a.com');
      assert.equal(bucket.AllowMethod, 'PUT, HEAD, GET');
      assert.equal(bucket.AllowHeader, 'authorization1');
      assert.equal(bucket.ExposeHeader, 'x-obs-test1');
      assert.equal(String(bucket.MaxAgeSeconds), '100');
      const object = await ok(c.optionsObject({ Bucket: b, Key: 'k', Origin: 'http://www.d.com', AccessControlRequestMethods: ['PUT'] }));
      assert.equal(object.AllowOrigin, 'http://www.d.com');
      assert.equal(String(object.MaxAgeSeconds), '200');
      await fails(c.optionsObject({ Bucket: b, Key: 'k', Origin: 'http://www.a.com', AccessControlRequestMethods: ['DELETE'] }), 403, 'AccessForbidden');
      await fails(c.optionsBucket({ Bucket: b, Origin: 'http://www.a.com', AccessControlRequestMethods: ['GET'], AccessControlRequestHeaders: ['Authorization2'] }), 403, 'AccessForbidden');
    });

    it('getBucketMetadata with an Origin and request headers returns the CORS fields (seed 002)', async () => {
      const meta = await ok(c.getBucketMetadata({ Bucket: b, Origin: 'http://www.b.com', RequestHeader: 'Authorization1' }));
      assert.equal(meta.AllowOrigin, 'http://www.b.com');
      assert.equal(String(meta.MaxAgeSeconds), '100');
      assert.equal(meta.ExposeHeader, 'x-obs-test1');
      assert.equal(meta.AllowMethod, 'PUT, HEAD, GET');
      assert.equal(meta.AllowHeader, 'authorization1');
      const plain = await ok(c.getBucketMetadata({ Bucket: b }));
      assert.equal(plain.AllowOrigin, undefined);
    });

    it('refuses an invalid method with InvalidRequest, keeping the rules', async () => {
      const msg = await fails(c.setBucketCors({ Bucket: b, CorsRules: [{ AllowedMethod: ['PATCH'], AllowedOrigin: ['*'] }] }), 400, 'InvalidRequest');
      assert.match(msg.Message, /Unsupported method is PATCH/);
      assert.equal((await ok(c.getBucketCors({ Bucket: b }))).CorsRules.length, 2);
    });

    it('deleteBucketCors removes the rules', async () => {
      await ok(c.deleteBucketCors({ Bucket: b }));
      await fails(c.getBucketCors({ Bucket: b }), 404, 'NoSuchCORSConfiguration');
      await fails(c.optionsBucket({ Bucket: b, Origin: 'http://www.a.com', AccessControlRequestMethods: ['GET'] }), 403, 'AccessForbidden');
    });

    it('setBucketWebsite / getBucketWebsite / deleteBucketWebsite, and a configuration redirecting everything next to an index refused', async () => {
      await fails(c.getBucketWebsite({ Bucket: b }), 404, 'NoSuchWebsiteConfiguration');
      await ok(
        c.setBucketWebsite({
          Bucket: b,
          IndexDocument: { Suffix: 'index.html' },
          ErrorDocument: { Key: 'error.html' },
          RoutingRules: [{ Condition: { HttpErrorCodeReturnedEquals: '404', KeyPrefixEquals: 'keyprefix' }, Redirect: { Protocol: 'http', HostName: 'www.example.com', ReplaceKeyPrefixWith: 'replacekeyprefix', HttpRedirectCode: '305' } }],
        }),
      );
      const got = await ok(c.getBucketWebsite({ Bucket: b }));
      assert.equal(got.IndexDocument.Suffix, 'index.html');
      assert.equal(got.ErrorDocument.Key, 'error.html');
      assert.equal(got.RoutingRules[0].Redirect.HostName, 'www.example.com');
      assert.equal(String(got.RoutingRules[0].Redirect.HttpRedirectCode), '305');
      await fails(c.setBucketWebsite({ Bucket: b, IndexDocument: { Suffix: 'index.html' }, RedirectAllRequestsTo: { HostName: 'www.example.com' } }), 400, 'InvalidArgument');
      assert.equal((await ok(c.getBucketWebsite({ Bucket: b }))).IndexDocument.Suffix, 'index.html');
      await ok(c.setBucketWebsite({ Bucket: b, RedirectAllRequestsTo: { HostName: 'www.example.com', Protocol: 'https' } }));
      assert.equal((await ok(c.getBucketWebsite({ Bucket: b }))).RedirectAllRequestsTo.HostName, 'www.example.com');
      await ok(c.deleteBucketWebsite({ Bucket: b }));
      await fails(c.getBucketWebsite({ Bucket: b }), 404, 'NoSuchWebsiteConfiguration');
    });
  });
}
