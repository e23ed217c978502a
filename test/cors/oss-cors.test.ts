import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bucketName, startTestServer, type TestServer } from '../helpers/server.js';
import { field, ossClient, ossError, rawOss, signedV1 } from '../oss/helpers.js';

describe('OSS CORS and website configuration through ali-oss', () => {
  let srv: TestServer;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let oss: any;
  const b = bucketName('oss-cors');
  before(async () => {
    srv = await startTestServer();
    oss = ossClient(srv);
    await oss.putBucket(b);
    oss.useBucket(b);
    await oss.put('k.txt', Buffer.from('hello'));
  });
  after(() => srv.stop());

  it('getBucketCORS without rules: NoSuchCORSConfiguration 404', async () => {
    const e = await ossError(oss.getBucketCORS(b));
    assert.equal(e.status, 404);
    assert.equal(e.code, 'NoSuchCORSConfiguration');
  });

  it('putBucketCORS / getBucketCORS; actual requests and preflights follow the rules', async () => {
    await oss.putBucketCORS(b, [
      { allowedOrigin: 'http://app.example', allowedMethod: ['GET', 'PUT'], allowedHeader: '*', exposeHeader: ['ETag', 'x-oss-hash-crc64ecma', 'x-oss-request-id'], maxAgeSeconds: '30' },
    ]);
    const got = await oss.getBucketCORS(b);
    assert.equal(got.rules.length, 1);
    assert.equal(got.rules[0].allowedOrigin, 'http://app.example');
    assert.deepEqual(got.rules[0].allowedMethod, ['GET', 'PUT']);
    assert.equal(got.rules[0].maxAgeSeconds, '30');
    const r = await oss.get('k.txt', { headers: { Origin: 'http://app.example' } });
    assert.equal(r.res.headers['access-control-allow-origin'], 'http://app.example');
    assert.equal(r.res.headers['access-control-expose-headers'], 'ETag, x-oss-hash-crc64ecma, x-oss-request-id');
    const pre = await rawOss(srv, `/${b}/k.txt`, { method: 'OPTIONS', headers: { origin: 'http://app.example', 'access-control-request-method': 'PUT', 'access-control-request-headers': 'x-oss-date, authorization, content-type' } });
    assert.equal(pre.status, 200);
    assert.equal(pre.headers['access-control-allow-headers'], 'x-oss-date, authorization, content-type');
    // As a browser sends it to an OSS endpoint host (virtual-hosted, unsigned): OSS answers.
    const hosted = await rawOss(srv, '/k.txt', { method: 'OPTIONS', headers: { host: `${b}.oss-cn-hangzhou.aliyuncs.com`, origin: 'http://app.example', 'access-control-request-method': 'GET' } });
    assert.equal(hosted.status, 200);
    assert.equal(hosted.headers['access-control-allow-origin'], 'http://app.example');
    assert.ok(hosted.headers['x-oss-request-id']);
    const refused = await rawOss(srv, `/${b}/k.txt`, { method: 'OPTIONS', headers: { origin: 'http://other.example', 'access-control-request-method': 'GET' } });
    assert.equal(refused.status, 403);
    assert.equal(field(refused.body, 'Code'), 'AccessForbidden');
  });

  it('ResponseVary is kept (OSS XML)', async () => {
    const xml = '<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule><ResponseVary>true</ResponseVary></CORSConfiguration>';
    const put = await signedV1(srv, 'PUT', b, undefined, { query: 'cors', body: xml, headers: { 'content-type': 'application/xml' } });
    assert.equal(put.status, 200, put.body.toString());
    const get = await signedV1(srv, 'GET', b, undefined, { query: 'cors' });
    assert.equal(field(get.body, 'ResponseVary'), 'true');
    const r = await oss.get('k.txt', { headers: { Origin: 'http://any.example' } });
    assert.equal(r.res.headers['access-control-allow-origin'], '*');
  });

  it('refuses an invalid method and more than 10 rules, keeping what was stored', async () => {
    const bad = await ossError(oss.putBucketCORS(b, [{ allowedOrigin: '*', allowedMethod: 'PATCH' }]));
    assert.equal(bad.status, 400);
    assert.equal(bad.code, 'InvalidRequest');
    const many = await ossError(oss.putBucketCORS(b, Array.from({ length: 11 }, () => ({ allowedOrigin: '*', allowedMethod: 'GET' }))));
    assert.equal(many.status, 400);
    assert.equal(many.code, 'MalformedXML');
    const malformed = await signedV1(srv, 'PUT', b, undefined, { query: 'cors', body: '<CORSConfiguration><CORSRule>', headers: { 'content-type': 'application/xml' } });
    assert.equal(malformed.status, 400);
    assert.equal(field(malformed.body, 'Code'), 'MalformedXML');
    assert.equal((await oss.getBucketCORS(b)).rules[0].allowedOrigin, '*');
  });

  it('deleteBucketCORS', async () => {
    await oss.deleteBucketCORS(b);
    assert.equal((await ossError(oss.getBucketCORS(b))).code, 'NoSuchCORSConfiguration');
  });

  it('putBucketWebsite / getBucketWebsite (SupportSubDir, Type, routing rules) / deleteBucketWebsite; mirror-back is NotImplemented', async () => {
    assert.equal((await ossError(oss.getBucketWebsite(b))).code, 'NoSuchWebsiteConfiguration');
    await oss.putBucketWebsite(b, {
      index: 'index.html',
      supportSubDir: 'true',
      type: '1',
      error: 'error.html',
      routingRules: [{ RuleNumber: 1, Condition: { KeyPrefixEquals: 'abc/', HttpErrorCodeReturnedEquals: 404 }, Redirect: { RedirectType: 'External', Protocol: 'https', HostName: 'example.com', ReplaceKeyPrefixWith: 'def/', HttpRedirectCode: 302 } }],
    });
    const got = await oss.getBucketWebsite(b);
    assert.equal(got.index, 'index.html');
    assert.equal(got.supportSubDir, 'true');
    assert.equal(got.type, '1');
    assert.equal(got.error, 'error.html');
    assert.equal(got.routingRules[0].Redirect.HostName, 'example.com');
    assert.equal(got.routingRules[0].Condition.KeyPrefixEquals, 'abc/');
    const mirror = await ossError(oss.putBucketWebsite(b, { index: 'i.html', routingRules: [{ RuleNumber: 1, Redirect: { RedirectType: 'Mirror', MirrorURL: 'http://origin.example/' } }] }));
    assert.equal(mirror.status, 501);
    assert.equal(mirror.code, 'NotImplemented');
    assert.equal((await oss.getBucketWebsite(b)).type, '1');
    // ErrorDocument HttpStatus (OSS XML; ali-oss cannot send it): 200 or 404 only.
    const xml = (status: number) => `<WebsiteConfiguration><IndexDocument><Suffix>i.html</Suffix></IndexDocument><ErrorDocument><Key>e.html</Key><HttpStatus>${status}</HttpStatus></ErrorDocument></WebsiteConfiguration>`;
    const okPut = await signedV1(srv, 'PUT', b, undefined, { query: 'website', body: xml(200), headers: { 'content-type': 'application/xml' } });
    assert.equal(okPut.status, 200, okPut.body.toString());
    assert.equal(field((await signedV1(srv, 'GET', b, undefined, { query: 'website' })).body, 'HttpStatus'), '200');
    const badPut = await signedV1(srv, 'PUT', b, undefined, { query: 'website', body: xml(500), headers: { 'content-type': 'application/xml' } });
    assert.equal(badPut.status, 400);
    assert.equal(field(badPut.body, 'Code'), 'InvalidArgument');
    await oss.deleteBucketWebsite(b);
    assert.equal((await ossError(oss.getBucketWebsite(b))).code, 'NoSuchWebsiteConfiguration');
  });
});
