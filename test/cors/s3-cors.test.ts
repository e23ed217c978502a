import { CreateBucketCommand, DeleteBucketCorsCommand, GetBucketCorsCommand, PutBucketCorsCommand, PutObjectCommand, type CORSRule } from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { rawRequest, signedRequest, xmlField } from '../helpers/raw.js';
import { bucketName, startTestServer, type TestServer } from '../helpers/server.js';

type SdkError = Error & { $metadata?: { httpStatusCode?: number } };
const rejectsWith = (p: Promise<unknown>, name: string, status: number, message?: RegExp) =>
  assert.rejects(p, (e: SdkError) => {
    assert.equal(e.name, name);
    assert.equal(e.$metadata?.httpStatusCode, status);
    if (message) assert.match(e.message, message);
    return true;
  });

const md5 = (s: string) => createHash('md5').update(s).digest('base64');
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

describe('S3 CORS configuration and answers', () => {
  let srv: TestServer;
  const bucket = bucketName('cors');
  before(async () => {
    srv = await startTestServer();
    await srv.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await srv.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'a.txt', Body: 'hello' }));
  });
  after(() => srv.stop());

  const rules: CORSRule[] = [
    { ID: 'r1', AllowedOrigins: ['*suffix'], AllowedMethods: ['GET'] },
    { AllowedOrigins: ['start*end'], AllowedMethods: ['GET'] },
    { AllowedOrigins: ['http://app.example'], AllowedMethods: ['PUT', 'GET', 'HEAD'], AllowedHeaders: ['x-amz-*', 'Content-Type'], ExposeHeaders: ['ETag', 'x-amz-request-id'], MaxAgeSeconds: 600 },
    { AllowedOrigins: ['*'], AllowedMethods: ['DELETE'] },
  ];

  it('has no configuration at first: NoSuchCORSConfiguration 404', async () => {
    await rejectsWith(srv.s3.send(new GetBucketCorsCommand({ Bucket: bucket })), 'NoSuchCORSConfiguration', 404);
  });

  it('preflight without a configuration is 403 "CORS is not enabled", without Origin 400', async () => {
    const r = await rawRequest(`${srv.url}/${bucket}/a.txt`, { method: 'OPTIONS', headers: { origin: 'http://app.example', 'access-control-request-method': 'GET' } });
    assert.equal(r.status, 403);
    assert.equal(xmlField(r.body.toString(), 'Code'), 'AccessForbidden');
    assert.equal(xmlField(r.body.toString(), 'Message'), 'CORSResponse: CORS is not enabled for this bucket.');
    assert.equal((await rawRequest(`${srv.url}/${bucket}/a.txt`, { method: 'OPTIONS' })).status, 400);
  });

  it('stores and returns the rules (@aws-sdk/client-s3)', async () => {
    await srv.s3.send(new PutBucketCorsCommand({ Bucket: bucket, CORSConfiguration: { CORSRules: rules } }));
    const got = await srv.s3.send(new GetBucketCorsCommand({ Bucket: bucket }));
    assert.equal(got.CORSRules?.length, 4);
    assert.equal(got.CORSRules![0].ID, 'r1');
    assert.deepEqual(got.CORSRules![2].AllowedMethods, ['PUT', 'GET', 'HEAD']);
    assert.deepEqual(got.CORSRules![2].AllowedHeaders, ['x-amz-*', 'Content-Type']);
    assert.deepEqual(got.CORSRules![2].ExposeHeaders, ['ETag', 'x-amz-request-id']);
    assert.equal(got.CORSRules![2].MaxAgeSeconds, 600);
  });

  it('answers a matching preflight with the rule, headers matched case-insensitively', async () => {
    const r = await rawRequest(`${srv.url}/${bucket}/a.txt`, {
      method: 'OPTIONS',
      headers: { origin: 'http://app.example', 'access-control-request-method': 'PUT', 'access-control-request-headers': 'X-Amz-Date, content-type' },
    });
    assert.equal(r.status, 200);
    assert.equal(r.headers['access-control-allow-origin'], 'http://app.example');
    assert.equal(r.headers['access-control-allow-methods'], 'PUT, GET, HEAD');
    assert.equal(r.headers['access-control-allow-headers'], 'x-amz-date, content-type');
    assert.equal(r.headers['access-control-expose-headers'], 'ETag, x-amz-request-id');
    assert.equal(r.headers['access-control-max-age'], '600');
    assert.equal(r.headers['access-control-allow-credentials'], 'true');
    assert.equal(r.headers.vary, 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method');
  });

  it('matches origin wildcards as s3-tests does', async () => {
    const pre = (origin: string, method = 'GET') => rawRequest(`${srv.url}/${bucket}`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': method } });
    for (const o of ['foo.suffix', 'suffix', 'startend', 'start12end']) {
      const r = await pre(o);
      assert.equal(r.status, 200, o);
      assert.equal(r.headers['access-control-allow-origin'], o);
    }
    for (const o of ['foo.suffix.get', '0start12end', 'foo.bar']) {
      const r = await pre(o);
      assert.equal(r.status, 403, o);
      assert.equal(xmlField(r.body.toString(), 'Code'), 'AccessForbidden');
      assert.match(xmlField(r.body.toString(), 'Message') ?? '', /^CORSResponse: This CORS request is not allowed/);
      assert.equal(r.headers['access-control-allow-origin'], undefined);
    }
    // `*`: any origin, answered with `*` and no credentials.
    const any = await pre('http://else.where', 'DELETE');
    assert.equal(any.status, 200);
    assert.equal(any.headers['access-control-allow-origin'], '*');
    assert.equal(any.headers['access-control-allow-credentials'], undefined);
  });

  it('refuses a preflight asking a method or a header no rule allows', async () => {
    const method = await rawRequest(`${srv.url}/${bucket}/a.txt`, { method: 'OPTIONS', headers: { origin: 'http://app.example', 'access-control-request-method': 'POST' } });
    assert.equal(method.status, 403);
    const header = await rawRequest(`${srv.url}/${bucket}/a.txt`, {
      method: 'OPTIONS',
      headers: { origin: 'http://app.example', 'access-control-request-method': 'PUT', 'access-control-request-headers': 'x-amz-date, x-custom' },
    });
    assert.equal(header.status, 403);
    const noMethod = await rawRequest(`${srv.url}/${bucket}/a.txt`, { method: 'OPTIONS', headers: { origin: 'http://app.example' } });
    assert.equal(noMethod.status, 400);
  });

  it('a preflight on a presigned URL ignores the signature', async () => {
    const r = await rawRequest(`${srv.url}/${bucket}/a.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=00`, {
      method: 'OPTIONS',
      headers: { origin: 'foo.suffix', 'access-control-request-method': 'GET' },
    });
    assert.equal(r.status, 200);
    assert.equal(r.headers['access-control-allow-origin'], 'foo.suffix');
  });

  it('actual requests carry the matching rule, errors included; others and requests without Origin none', async () => {
    const get = await signedRequest(srv.url, `/${bucket}/a.txt`, { headers: { origin: 'http://app.example' } });
    assert.equal(get.status, 200);
    assert.equal(get.headers['access-control-allow-origin'], 'http://app.example');
    assert.equal(get.headers['access-control-expose-headers'], 'ETag, x-amz-request-id');
    assert.match(String(get.headers.vary), /Origin/);
    const missing = await signedRequest(srv.url, `/${bucket}/nope`, { headers: { origin: 'foo.suffix' } });
    assert.equal(missing.status, 404);
    assert.equal(missing.headers['access-control-allow-origin'], 'foo.suffix');
    assert.equal(missing.headers['access-control-allow-methods'], 'GET');
    // An unsigned PUT is refused, and still says which origin may read the refusal (the rule's method is asked).
    const denied = await rawRequest(`${srv.url}/${bucket}/x`, { method: 'PUT', headers: { origin: 'http://app.example', 'content-length': '0' } });
    assert.equal(denied.status, 403);
    assert.equal(denied.headers['access-control-allow-origin'], 'http://app.example');
    // foo.suffix may GET only: a PUT from it gets no CORS headers.
    const put = await rawRequest(`${srv.url}/${bucket}/x`, { method: 'PUT', headers: { origin: 'foo.suffix', 'content-length': '0' } });
    assert.equal(put.headers['access-control-allow-origin'], undefined);
    const plain = await signedRequest(srv.url, `/${bucket}/a.txt`);
    assert.equal(plain.headers['access-control-allow-origin'], undefined);
    assert.equal(plain.headers.vary, undefined);
  });

  it('refuses bad configurations with S3 errors, storing nothing', async () => {
    const put = (xml: string) => signedRequest(srv.url, `/${bucket}?cors`, { method: 'PUT', body: xml, payloadHash: sha(xml), headers: { 'content-md5': md5(xml) } });
    const rule = (m = 'GET', o = 'http://a') => `<CORSRule><AllowedOrigin>${o}</AllowedOrigin><AllowedMethod>${m}</AllowedMethod></CORSRule>`;
    const cases: [string, number, string, RegExp?][] = [
      ['<CORSConfiguration><CORSRule>', 400, 'MalformedXML'],
      ['<CORSConfiguration></CORSConfiguration>', 400, 'MalformedXML'],
      [`<CORSConfiguration><CORSRule><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>`, 400, 'MalformedXML'],
      [`<CORSConfiguration>${rule('PATCH')}</CORSConfiguration>`, 400, 'InvalidRequest', /^Found unsupported HTTP method in CORS config\. Unsupported method is PATCH$/],
      [`<CORSConfiguration>${rule('GET', 'http://*.a*')}</CORSConfiguration>`, 400, 'InvalidRequest', /can not have more than one wildcard/],
      [`<CORSConfiguration>${rule().repeat(101)}</CORSConfiguration>`, 400, 'MalformedXML'],
    ];
    for (const [xml, status, code, message] of cases) {
      const r = await put(xml);
      assert.equal(r.status, status, xml.slice(0, 80));
      assert.equal(xmlField(r.body.toString(), 'Code'), code);
      if (message) assert.match(xmlField(r.body.toString(), 'Message') ?? '', message);
    }
    // Without Content-MD5 (or a checksum), S3 refuses the request.
    const xml = `<CORSConfiguration>${rule()}</CORSConfiguration>`;
    const noMd5 = await signedRequest(srv.url, `/${bucket}?cors`, { method: 'PUT', body: xml, payloadHash: sha(xml) });
    assert.equal(noMd5.status, 400);
    assert.equal(xmlField(noMd5.body.toString(), 'Code'), 'InvalidRequest');
    // 100 rules are fine; the earlier configuration is still the one stored after the refusals.
    assert.equal((await srv.s3.send(new GetBucketCorsCommand({ Bucket: bucket }))).CORSRules?.length, 4);
  });

  it('delete removes the configuration; preflights are then refused', async () => {
    await srv.s3.send(new DeleteBucketCorsCommand({ Bucket: bucket }));
    await rejectsWith(srv.s3.send(new GetBucketCorsCommand({ Bucket: bucket })), 'NoSuchCORSConfiguration', 404);
    const r = await rawRequest(`${srv.url}/${bucket}/a.txt`, { method: 'OPTIONS', headers: { origin: 'foo.suffix', 'access-control-request-method': 'GET' } });
    assert.equal(r.status, 403);
    const get = await signedRequest(srv.url, `/${bucket}/a.txt`, { headers: { origin: 'foo.suffix' } });
    assert.equal(get.headers['access-control-allow-origin'], undefined);
  });
});
