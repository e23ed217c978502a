import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ossResource, stringToSignBytes, stringToSignOssV1 } from '../../src/auth/oss-v1.js';
import { signRequestOssV4 } from '../../src/auth/oss-v4.js';
import { rawRequest } from '../helpers/raw.js';
import { ACCESS_KEY, SECRET_KEY, bucketName, startTestServer, type TestServer } from '../helpers/server.js';
import { field, ossClient, ossError, rawOss, signedV1 } from './helpers.js';

describe('OSS authentication', () => {
  let srv: TestServer;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let oss: any;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let byName: any;
  let bucket: string;

  before(async () => {
    srv = await startTestServer();
    bucket = bucketName('auth');
    oss = ossClient(srv, { bucket });
    await oss.putBucket(bucket);
    await oss.put('doc.txt', Buffer.from('signed content'), { headers: { 'Content-Type': 'text/plain' } });
    // ali-oss refuses to build URLs for an IP endpoint; by name with sldEnable it builds path-style URLs.
    byName = ossClient(srv, { bucket, endpoint: `http://localhost:${srv.port}`, sldEnable: true, region: 'oss-us-east-1' });
  });
  after(() => srv.stop());

  it('V1 signed URLs from signatureUrl work with a plain HTTP client (GET with overrides, PUT)', async () => {
    const url = byName.signatureUrl('doc.txt', { expires: 300, response: { 'content-disposition': 'attachment; filename="d.txt"' } });
    assert.match(url, /OSSAccessKeyId=/);
    const got = await rawRequest(url);
    assert.equal(got.status, 200);
    assert.equal(got.body.toString(), 'signed content');
    assert.equal(got.headers['content-disposition'], 'attachment; filename="d.txt"');

    const putUrl = byName.signatureUrl('uploaded.txt', { method: 'PUT', expires: 300, 'Content-Type': 'text/markdown' });
    const put = await rawRequest(putUrl, { method: 'PUT', body: '# up', headers: { 'content-type': 'text/markdown' } });
    assert.equal(put.status, 200);
    const back = await oss.get('uploaded.txt');
    assert.equal(back.content.toString(), '# up');
    assert.equal(back.res.headers['content-type'], 'text/markdown');

    // The same URL with another Content-Type no longer matches its signature.
    const wrongType = await rawRequest(putUrl, { method: 'PUT', body: 'x', headers: { 'content-type': 'text/plain' } });
    assert.equal(wrongType.status, 403);
    assert.equal(field(wrongType.body, 'Code'), 'SignatureDoesNotMatch');
  });

  it('an expired signed URL is AccessDenied "Request has expired."', async () => {
    const url = byName.signatureUrl('doc.txt', { expires: -60 });
    const r = await rawRequest(url);
    assert.equal(r.status, 403);
    assert.equal(field(r.body, 'Code'), 'AccessDenied');
    assert.equal(field(r.body, 'Message'), 'Request has expired.');
    assert.ok(field(r.body, 'Expires'));
    assert.ok(r.headers['x-oss-request-id']);
  });

  it('V4 signed URLs from signatureUrlV4 work with a plain HTTP client', async () => {
    const url = await byName.signatureUrlV4('GET', 300, undefined, 'doc.txt');
    assert.match(url, /x-oss-signature-version=OSS4-HMAC-SHA256/);
    const got = await rawRequest(url);
    assert.equal(got.status, 200, got.body.toString());
    assert.equal(got.body.toString(), 'signed content');
    const tampered = await rawRequest(url.replace('doc.txt', 'other.txt'));
    assert.equal(tampered.status, 403);
    assert.equal(field(tampered.body, 'Code'), 'SignatureDoesNotMatch');
  });

  it('a broken V1 signature is SignatureDoesNotMatch with the string to sign, in text and bytes', async () => {
    const r = await signedV1(srv, 'GET', bucket, 'doc.txt', { secret: 'not-the-secret', headers: { 'x-oss-meta-z': '1' } });
    assert.equal(r.status, 403);
    assert.equal(field(r.body, 'Code'), 'SignatureDoesNotMatch');
    assert.equal(field(r.body, 'Message'), 'The request signature we calculated does not match the signature you provided. Check your key and signing method.');
    const sts = field(r.body, 'StringToSign')!;
    const expected = stringToSignOssV1({ method: 'GET', headers: { 'x-oss-meta-z': '1' }, resource: ossResource(bucket, 'doc.txt'), date: sts.split('\n')[3]! });
    assert.equal(sts, expected);
    assert.equal(field(r.body, 'StringToSignBytes'), stringToSignBytes(expected));
    assert.equal(field(r.body, 'OSSAccessKeyId'), ACCESS_KEY);
    assert.ok(field(r.body, 'SignatureProvided'));
  });

  it('with --region set, a V4 request with a wrong region is refused as OSS does', async () => {
    const s2 = await startTestServer({ region: 'us-east-1' });
    await ossClient(s2, { bucket }).putBucket(bucket);
    await ossClient(s2, { bucket }).put('doc.txt', Buffer.from('signed content'));
    const headers: Record<string, string> = { host: `${bucket}.oss-cn-hangzhou.aliyuncs.com` };
    signRequestOssV4({ method: 'GET', bucket, key: 'doc.txt', headers, credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY }, region: 'cn-beijing' });
    const r = await rawOss(s2, '/doc.txt', { headers });
    assert.equal(r.status, 400);
    assert.equal(field(r.body, 'Code'), 'InvalidArgument');
    assert.equal(field(r.body, 'Message'), 'Invalid signing region in Authorization header.');
    assert.equal(field(r.body, 'EC'), '0002-00000226');

    // Signed for the endpoint's region, the same request goes through.
    const ok: Record<string, string> = { host: `${bucket}.oss-cn-hangzhou.aliyuncs.com` };
    signRequestOssV4({ method: 'GET', bucket, key: 'doc.txt', headers: ok, credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY }, region: 'cn-hangzhou' });
    const good = await rawOss(s2, '/doc.txt', { headers: ok });
    assert.equal(good.status, 200);
    assert.equal(good.body.toString(), 'signed content');

    // Path style to the server's address: the server's own region (us-east-1) is expected.
    const path: Record<string, string> = {};
    signRequestOssV4({ method: 'GET', bucket, key: 'doc.txt', headers: path, credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY }, region: 'cn-hangzhou' });
    assert.equal((await rawOss(s2, `/${bucket}/doc.txt`, { headers: path })).status, 400);
    await s2.stop();
  });

  it('without --region, V4 signed for any region is accepted and a bucket created so reports that region', async () => {
    const credentials = { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY };
    const name = bucketName('region');
    // Path style to the server's address, signed for cn-shenzhen (as oss2 AuthV4 with region cn-shenzhen does).
    const put: Record<string, string> = {};
    signRequestOssV4({ method: 'PUT', bucket: name, headers: put, credentials, region: 'cn-shenzhen' });
    assert.equal((await rawOss(srv, `/${name}/`, { method: 'PUT', headers: put })).status, 200);
    const loc: Record<string, string> = {};
    signRequestOssV4({ method: 'GET', bucket: name, rawQuery: 'location', headers: loc, credentials, region: 'cn-beijing' });
    const r = await rawOss(srv, `/${name}/?location`, { headers: loc });
    assert.equal(r.status, 200, r.body.toString());
    assert.equal(field(r.body, 'LocationConstraint'), 'oss-cn-shenzhen');
    // ali-oss (V4 at its region) reads the same.
    const c = ossClient(srv, { authorizationV4: true, region: 'oss-cn-shenzhen' });
    assert.equal((await c.getBucketLocation(name)).location, 'oss-cn-shenzhen');
  });

  it('unknown keys, skewed clocks, security tokens and unsigned OSS requests get OSS errors', async () => {
    const unknown = await ossError(ossClient(srv, { bucket, accessKeyId: 'NOSUCHKEY' }).get('doc.txt'));
    assert.equal(unknown.status, 403);
    assert.equal(unknown.code, 'InvalidAccessKeyId');
    assert.equal(unknown.message, 'The OSS Access Key Id you provided does not exist in our records.');

    // A HEAD answer has no body: the error travels in x-oss-err (base64 XML), which ali-oss decodes.
    const headErr = await ossError(ossClient(srv, { bucket, accessKeyId: 'NOSUCHKEY' }).head('doc.txt'));
    assert.equal(headErr.status, 403);
    assert.equal(headErr.code, 'InvalidAccessKeyId');
    const missing = await signedV1(srv, 'HEAD', bucket, 'no-such-doc');
    assert.equal(missing.status, 404);
    assert.equal(missing.headers['x-oss-ec'], '0026-00000001');
    assert.equal(field(Buffer.from(String(missing.headers['x-oss-err']), 'base64'), 'Code'), 'NoSuchKey');

    const skewed = await ossError(ossClient(srv, { bucket, amendTimeSkewed: -3600_000 }).get('doc.txt'));
    assert.equal(skewed.status, 403);
    assert.equal(skewed.code, 'RequestTimeTooSkewed');

    const sts = await ossError(ossClient(srv, { bucket, stsToken: 'token-from-sts', refreshSTSToken: async () => ({}) }).get('doc.txt'));
    assert.equal(sts.status, 403);
    assert.equal(sts.code, 'InvalidSecurityToken', 'a security token on a long-term key');

    const anon = await rawOss(srv, `/${bucket}/doc.txt`, { headers: { 'x-oss-date': new Date().toUTCString() } });
    assert.equal(anon.status, 403);
    assert.equal(field(anon.body, 'Code'), 'AccessDenied');
    assert.ok(anon.headers['x-oss-request-id']);
  });

  it('the whole client works in V4 mode (authorizationV4)', async () => {
    const v4 = ossClient(srv, { bucket, authorizationV4: true });
    await v4.put('v4/one.txt', Buffer.from('one'), { meta: { a: 'b' } });
    assert.equal((await v4.get('v4/one.txt')).content.toString(), 'one');
    assert.deepEqual((await v4.head('v4/one.txt')).meta, { a: 'b' });
    const r = await v4.append('v4/app', Buffer.from('12'));
    await v4.append('v4/app', Buffer.from('34'), { position: r.nextAppendPosition });
    assert.equal((await v4.get('v4/app')).content.toString(), '1234');
    await v4.copy('v4/two.txt', 'v4/one.txt');
    const listed = await v4.listV2({ prefix: 'v4/', 'max-keys': 2 });
    assert.equal(listed.isTruncated, true);
    const next = await v4.listV2({ prefix: 'v4/', 'continuation-token': listed.nextContinuationToken });
    assert.equal(listed.objects.length + next.objects.length, 3);
    await v4.putSymlink('v4/link', 'v4/one.txt');
    assert.equal((await v4.get('v4/link')).content.toString(), 'one');
    const mp = await v4.multipartUpload('v4/mp', Buffer.alloc(150 * 1024, 3), { partSize: 100 * 1024 });
    assert.equal(mp.res.status, 200);
    await v4.deleteMulti(['v4/one.txt', 'v4/two.txt', 'v4/app', 'v4/link', 'v4/mp']);
    assert.deepEqual((await v4.list({ prefix: 'v4/' })).objects, []);
    assert.ok((await v4.listBuckets()).buckets.some((b: { name: string }) => b.name === bucket));
  });
});
