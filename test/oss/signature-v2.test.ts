/**
 * OSS signature version 2 (oss2.AuthV2: `Authorization: OSS2 ...` and
 * x-oss-signature-version=OSS2 URLs): verified by the OSS dialect, and
 * always answered in OSS's format (it used to reach the S3 dialect).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { signOssV2, signRequestOssV2, stringToSignOssV2 } from '../../src/auth/oss-v2.js';
import { parseRawQuery } from '../../src/auth/uri.js';
import { ACCESS_KEY, SECRET_KEY, bucketName, startTestServer, type TestServer } from '../helpers/server.js';
import { field, ossClient, rawOss } from './helpers.js';

const credentials = { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY };

it('the string to sign matches oss2.AuthV2 (known answer computed with oss2 2.19.1)', () => {
  const headers = { 'content-type': 'text/plain', 'x-oss-meta-x': '1', range: 'bytes=0-1', date: 'Fri, 04 Dec 2026 19:00:00 GMT' };
  const sts = stringToSignOssV2({ method: 'PUT', headers, bucket: 'b', key: 'dir/a b+c.txt', query: parseRawQuery('partNumber=1&uploadId=u-1&acl='), additionalHeaders: ['range'], date: headers.date });
  assert.equal(sts, 'PUT\n\ntext/plain\nFri, 04 Dec 2026 19:00:00 GMT\nrange:bytes=0-1\nx-oss-meta-x:1\nrange\n%2Fb%2Fdir%2Fa%20b%2Bc.txt?acl&partNumber=1&uploadId=u-1');
  assert.equal(signOssV2('SKSKSKSKSKSK', sts), 'jSgAJaeawRGcvIP5tBAYJvCvWkyU00qzDaPHL/V+eKs=');
});

describe('OSS signature V2', () => {
  let srv: TestServer;
  const bucket = bucketName('ossv2');
  before(async () => {
    srv = await startTestServer();
    const oss = ossClient(srv, { bucket });
    await oss.putBucket(bucket);
    await oss.put('dir/a b+c.txt', Buffer.from('hello v2'));
  });
  after(() => srv.stop());

  const v2 = (method: string, key: string | undefined, opts: { query?: string; headers?: Record<string, string>; additional?: string[]; secret?: string; body?: string } = {}) => {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    signRequestOssV2({ method, bucket, key, rawQuery: opts.query, headers, credentials: { ...credentials, secretAccessKey: opts.secret ?? SECRET_KEY }, additionalHeaders: opts.additional });
    const path = `/${bucket}/${key ? encodeURIComponent(key).replace(/%2F/g, '/') : ''}${opts.query ? '?' + opts.query : ''}`;
    return rawOss(srv, path, { method, headers, body: opts.body });
  };

  it('header form: GET with a signed Range, PUT with metadata, a bucket listing with parameters', async () => {
    const got = await v2('GET', 'dir/a b+c.txt', { headers: { range: 'bytes=0-4' }, additional: ['range'] });
    assert.equal(got.status, 206, got.body.toString());
    assert.equal(got.body.toString(), 'hello');
    const put = await v2('PUT', 'v2.txt', { headers: { 'x-oss-meta-who': 'v2', 'content-type': 'text/plain' }, body: 'put by v2' });
    assert.equal(put.status, 200, put.body.toString());
    const back = await ossClient(srv, { bucket }).get('v2.txt');
    assert.equal(back.content.toString(), 'put by v2');
    assert.equal(back.res.headers['x-oss-meta-who'], 'v2');
    const list = await v2('GET', undefined, { query: 'prefix=dir%2F&max-keys=10' });
    assert.equal(list.status, 200, list.body.toString());
    assert.equal(field(list.body, 'Key'), 'dir/a b+c.txt');
  });

  it('a wrong secret, or an unsigned x-oss-* header, is SignatureDoesNotMatch in OSS format', async () => {
    const bad = await v2('GET', 'dir/a b+c.txt', { secret: 'wrong' });
    assert.equal(bad.status, 403);
    assert.equal(field(bad.body, 'Code'), 'SignatureDoesNotMatch');
    assert.ok(bad.headers['x-oss-request-id'], 'answered by the OSS dialect');
    assert.ok(field(bad.body, 'StringToSignBytes'));
    assert.equal(bad.headers['x-amz-request-id'], undefined);

    const headers: Record<string, string> = {};
    signRequestOssV2({ method: 'PUT', bucket, key: 'copy', headers, credentials });
    headers['x-oss-copy-source'] = `/${bucket}/dir/a b+c.txt`;
    const forged = await rawOss(srv, `/${bucket}/copy`, { method: 'PUT', headers });
    assert.equal(forged.status, 403);
    assert.equal(field(forged.body, 'Code'), 'SignatureDoesNotMatch');
    // A header listed as additional but changed after signing is caught too.
    const h2: Record<string, string> = { range: 'bytes=0-1' };
    signRequestOssV2({ method: 'GET', bucket, key: 'dir/a b+c.txt', headers: h2, credentials, additionalHeaders: ['range'] });
    h2.range = 'bytes=0-7';
    assert.equal((await rawOss(srv, `/${bucket}/dir/a%20b%2Bc.txt`, { headers: h2 })).status, 403);
  });

  it('signed URLs (x-oss-signature-version=OSS2): valid, tampered and expired', async () => {
    const expires = String(Math.floor(Date.now() / 1000) + 300);
    const query: Array<[string, string]> = [
      ['x-oss-signature-version', 'OSS2'],
      ['x-oss-expires', expires],
      ['x-oss-access-key-id', ACCESS_KEY],
    ];
    const sign = (q: Array<[string, string]>, exp: string) => signOssV2(SECRET_KEY, stringToSignOssV2({ method: 'GET', headers: {}, bucket, key: 'dir/a b+c.txt', query: q, additionalHeaders: [], date: exp }));
    const qs = (q: Array<[string, string]>) => q.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
    const path = `/${bucket}/dir/a%20b%2Bc.txt`;
    const ok = await rawOss(srv, `${path}?${qs([...query, ['x-oss-signature', sign(query, expires)]])}`);
    assert.equal(ok.status, 200, ok.body.toString());
    assert.equal(ok.body.toString(), 'hello v2');
    const tampered = await rawOss(srv, `${path}?${qs([...query, ['x-oss-signature', sign(query, expires)], ['response-content-type', 'text/html']])}`);
    assert.equal(field(tampered.body, 'Code'), 'SignatureDoesNotMatch');
    const past = String(Math.floor(Date.now() / 1000) - 10);
    const old: Array<[string, string]> = [['x-oss-signature-version', 'OSS2'], ['x-oss-expires', past], ['x-oss-access-key-id', ACCESS_KEY]];
    const expired = await rawOss(srv, `${path}?${qs([...old, ['x-oss-signature', sign(old, past)]])}`);
    assert.equal(expired.status, 403);
    assert.equal(field(expired.body, 'Message'), 'Request has expired.');
  });
});
