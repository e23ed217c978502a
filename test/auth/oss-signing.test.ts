import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ossResource,
  presignUrlOssV1,
  signOssV1,
  signRequestOssV1,
  stringToSignBytes,
  stringToSignOssV1,
} from '../../src/auth/oss-v1.js';
import {
  canonicalRequestOssV4,
  lowerHeaders,
  presignUrlOssV4,
  scopeOssV4,
  signatureOssV4,
  signingKeyOssV4,
  signRequestOssV4,
  stringToSignOssV4,
} from '../../src/auth/oss-v4.js';
import { verifyOssRequest, type OssAuthRequest } from '../../src/auth/oss-verify.js';
import type { Credential } from '../../src/auth/s3-verify.js';
import { isStorageError, type StorageError } from '../../src/engine/errors.js';

// The example from OSS's V1 signature documentation (also used by the Go and libcloud test suites).
const DOC_AK = '44CF9590006BF252F707';
const DOC_SK = 'OtxrzxIsfpFjA7SwPzILwy8Bw21TLhquhboDYROV';

// The Java/Android SDK's V4 signer tests (SingerTest): ak "ak", sk "sk", bucket "bucket", key "1234+-/123/1.txt".
const V4_HEADERS = { 'x-oss-head1': 'value', abc: 'value', ZAbc: 'value', XYZ: 'value', 'content-type': 'text/plain', 'x-oss-content-sha256': 'UNSIGNED-PAYLOAD' };
const V4_QUERY: Array<[string, string]> = [
  ['param1', 'value1'],
  ['|param1', 'value4'],
  ['+param1', 'value3'],
  ['+param2', ''],
  ['|param2', ''],
  ['param2', ''],
];

function v4Signature(timestamp: string, headers: Record<string, string>, query: Array<[string, string]>, additional: string[] = []): string {
  const canonicalRequest = canonicalRequestOssV4({
    method: 'PUT',
    bucket: 'bucket',
    key: '1234+-/123/1.txt',
    query,
    headers: lowerHeaders(headers),
    additionalHeaders: additional,
    payloadHash: 'UNSIGNED-PAYLOAD',
  });
  const scope = scopeOssV4(timestamp.slice(0, 8), 'cn-hangzhou');
  return signatureOssV4(signingKeyOssV4('sk', timestamp.slice(0, 8), 'cn-hangzhou'), stringToSignOssV4(timestamp, scope, canonicalRequest));
}

describe('OSS V1 signing vectors', () => {
  it('signs the documented PUT example', () => {
    const headers = {
      'content-md5': 'ODBGOERFMDMzQTczRUY3NUE3NzA5QzdFNUYzMDQxNEM=',
      'content-type': 'text/html',
      date: 'Thu, 17 Nov 2005 18:49:58 GMT',
      'x-oss-meta-author': 'foo@bar.com',
      'x-oss-magic': 'abracadabra',
    };
    const sts = stringToSignOssV1({ method: 'PUT', headers, resource: ossResource('oss-example', 'nelson'), date: headers.date });
    assert.equal(
      sts,
      'PUT\nODBGOERFMDMzQTczRUY3NUE3NzA5QzdFNUYzMDQxNEM=\ntext/html\nThu, 17 Nov 2005 18:49:58 GMT\nx-oss-magic:abracadabra\nx-oss-meta-author:foo@bar.com\n/oss-example/nelson',
    );
    assert.equal(signOssV1(DOC_SK, sts), '26NBxoKdsyly4EDv6inkoDft/yA=');
  });

  it('signs the documented signed-URL example', () => {
    const url = presignUrlOssV1({
      method: 'GET',
      url: new URL('http://oss-example.oss-cn-hangzhou.aliyuncs.com/oss-api.pdf'),
      bucket: 'oss-example',
      key: 'oss-api.pdf',
      credentials: { accessKeyId: DOC_AK, secretAccessKey: DOC_SK },
      expires: 1141889120,
    });
    assert.equal(url, 'http://oss-example.oss-cn-hangzhou.aliyuncs.com/oss-api.pdf?OSSAccessKeyId=44CF9590006BF252F707&Expires=1141889120&Signature=EwaNTn1erJGkimiJ9WmXgwnANLc%3D');
  });

  it('signs only OSS sub-resources, sorted, values decoded, and keys unencoded', () => {
    const sts = stringToSignOssV1({
      method: 'POST',
      headers: {},
      resource: ossResource('b', 'a b/c+d'),
      rawQuery: 'position=5&append&prefix=x&response-content-disposition=attachment%3B%20f',
      date: 'D',
    });
    assert.equal(sts, 'POST\n\n\nD\n/b/a b/c+d?append&position=5&response-content-disposition=attachment; f');
    assert.equal(stringToSignBytes('GET\n'), '47 45 54 0A');
  });
});

describe('OSS V4 signing vectors (Java SDK tests)', () => {
  it('header form', () => {
    assert.equal(
      v4Signature('20231216T162057Z', { ...V4_HEADERS, date: 'Sat, 16 Dec 2023 16:20:57 GMT' }, V4_QUERY),
      '9efc975fb94480f28a9ab2fcf5b23b4170d83a069838df4e77501d79868bd829',
    );
  });

  it('header form with a security token and additional headers', () => {
    const headers = { ...V4_HEADERS, 'x-oss-security-token': 'token' };
    assert.equal(v4Signature('20231217T034736Z', headers, V4_QUERY), '0436fec1623c737d5827c11d200afd3df51d067b80196080438f57c94d99b9b0');
    assert.equal(v4Signature('20231217T034736Z', headers, V4_QUERY, ['abc', 'zabc']), '53452bf8805332ba233a2b3e9e710b668fdccc02c6d012f9ceac05eae4f85462');
  });

  it('query form', () => {
    const query: Array<[string, string]> = [
      ...V4_QUERY,
      ['x-oss-signature-version', 'OSS4-HMAC-SHA256'],
      ['x-oss-date', '20231217T034736Z'],
      ['x-oss-expires', '599'],
      ['x-oss-credential', 'ak/20231217/cn-hangzhou/oss/aliyun_v4_request'],
    ];
    assert.equal(v4Signature('20231217T034736Z', V4_HEADERS, query), 'c79e8654f07e7361c4c6eb02cdb500c1e65888d7dc38affe1f92dc388b2402c4');
  });
});

describe('verifyOssRequest', () => {
  const cred: Credential = { accessKeyId: 'AKID', secretAccessKey: 'SECRET', owner: 'root' };
  const lookup = async (id: string) => (id === cred.accessKeyId ? cred : undefined);
  const creds = { accessKeyId: 'AKID', secretAccessKey: 'SECRET' };
  const region = 'cn-hangzhou';

  async function rejects(p: Promise<unknown>, code: string): Promise<StorageError> {
    try {
      await p;
    } catch (e) {
      assert.ok(isStorageError(e), String(e));
      assert.equal(e.code, code, e.message);
      return e;
    }
    assert.fail(`expected ${code}`);
  }

  function v1Request(mutate?: (r: OssAuthRequest) => void): OssAuthRequest {
    const headers: Record<string, string> = { 'content-type': 'text/plain', 'x-oss-meta-a': 'b' };
    signRequestOssV1({ method: 'PUT', bucket: 'bk', key: 'dir/k ey', rawQuery: 'acl', headers, credentials: creds });
    const r: OssAuthRequest = { method: 'PUT', rawQuery: 'acl', headers, bucket: 'bk', key: 'dir/k ey' };
    mutate?.(r);
    return r;
  }

  it('accepts a V1 header signature and rejects a tampered one with the string to sign', async () => {
    const ok = await verifyOssRequest(v1Request(), lookup, { region });
    assert.equal(ok?.scheme, 'v1-header');
    const err = await rejects(verifyOssRequest(v1Request((r) => (r.key = 'other')), lookup, { region }), 'SignatureDoesNotMatch');
    assert.match(err.detail.StringToSign!, /\/bk\/other\?acl$/);
    assert.equal(err.detail.StringToSignBytes, stringToSignBytes(err.detail.StringToSign!));
    assert.equal(err.detail.OSSAccessKeyId, 'AKID');
  });

  it('accepts ali-oss style V1 (date slot from x-oss-date, no Date header)', async () => {
    const date = new Date().toUTCString();
    const headers: Record<string, string> = { 'x-oss-date': date };
    const sts = stringToSignOssV1({ method: 'GET', headers, resource: ossResource('bk', 'k'), date });
    headers.authorization = `OSS AKID:${signOssV1('SECRET', sts)}`;
    assert.equal((await verifyOssRequest({ method: 'GET', rawQuery: '', headers, bucket: 'bk', key: 'k' }, lookup, { region }))?.scheme, 'v1-header');
  });

  it('refuses unknown keys, skewed clocks and security tokens on permanent keys', async () => {
    await rejects(verifyOssRequest(v1Request((r) => (r.headers.authorization = String(r.headers.authorization).replace('AKID', 'NOPE'))), lookup, { region }), 'InvalidAccessKeyId');
    const old = new Date(Date.now() - 3600_000);
    const headers: Record<string, string> = {};
    signRequestOssV1({ method: 'GET', bucket: 'bk', key: 'k', headers, credentials: creds, date: old });
    await rejects(verifyOssRequest({ method: 'GET', rawQuery: '', headers, bucket: 'bk', key: 'k' }, lookup, { region }), 'RequestTimeTooSkewed');
    const withToken: Record<string, string> = {};
    signRequestOssV1({ method: 'GET', bucket: 'bk', key: 'k', headers: withToken, credentials: { ...creds, sessionToken: 'tok' } });
    const err = await rejects(verifyOssRequest({ method: 'GET', rawQuery: '', headers: withToken, bucket: 'bk', key: 'k' }, lookup, { region }), 'InvalidToken');
    assert.match(err.message, /token/);
  });

  it('verifies V1 signed URLs and refuses expired ones', async () => {
    const url = new URL(presignUrlOssV1({ method: 'GET', url: new URL('http://h/bk/k?response-content-type=text%2Fplain'), bucket: 'bk', key: 'k', credentials: creds }));
    const r = { method: 'GET', rawQuery: url.search.slice(1), headers: {}, bucket: 'bk', key: 'k' };
    assert.equal((await verifyOssRequest(r, lookup, { region }))?.scheme, 'v1-query');
    const expired = new URL(presignUrlOssV1({ method: 'GET', url: new URL('http://h/bk/k'), bucket: 'bk', key: 'k', credentials: creds, expires: Math.floor(Date.now() / 1000) - 10 }));
    const err = await rejects(verifyOssRequest({ ...r, rawQuery: expired.search.slice(1) }, lookup, { region }), 'AccessDenied');
    assert.equal(err.message, 'Request has expired.');
  });

  it('verifies V4 headers, checks the region and reports the payload hash', async () => {
    const headers: Record<string, string> = { 'content-type': 'text/plain', host: 'h' };
    const body = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
    signRequestOssV4({ method: 'PUT', bucket: 'bk', key: 'a/b c', rawQuery: 'uploads=', headers, credentials: creds, region, payloadHash: body, additionalHeaders: ['host'] });
    const r = { method: 'PUT', rawQuery: 'uploads=', headers, bucket: 'bk', key: 'a/b c' };
    const ok = await verifyOssRequest(r, lookup, { region });
    assert.deepEqual(ok?.payload, { kind: 'sha256', expected: body });
    const err = await rejects(verifyOssRequest(r, lookup, { region: 'cn-beijing' }), 'InvalidArgument');
    assert.equal(err.message, 'Invalid signing region in Authorization header.');
    assert.equal(err.detail.EC, '0002-00000226');
    const bad = await rejects(verifyOssRequest({ ...r, headers: { ...headers, host: 'other' } }, lookup, { region }), 'SignatureDoesNotMatch');
    assert.ok(bad.detail.CanonicalRequest?.includes('host:other'));
  });

  it('verifies V4 signed URLs and refuses expired ones', async () => {
    const signed = new URL(presignUrlOssV4({ method: 'GET', url: new URL('http://h/k?acl'), bucket: 'bk', key: 'k', credentials: creds, region, expiresSeconds: 60 }));
    const r = { method: 'GET', rawQuery: signed.search.slice(1), headers: {}, bucket: 'bk', key: 'k' };
    assert.equal((await verifyOssRequest(r, lookup, { region }))?.scheme, 'v4-query');
    const old = new URL(presignUrlOssV4({ method: 'GET', url: new URL('http://h/k'), bucket: 'bk', key: 'k', credentials: creds, region, expiresSeconds: 60, date: new Date(Date.now() - 120_000) }));
    await rejects(verifyOssRequest({ ...r, rawQuery: old.search.slice(1) }, lookup, { region }), 'AccessDenied');
  });

  it('returns undefined for unsigned requests', async () => {
    assert.equal(await verifyOssRequest({ method: 'GET', rawQuery: '', headers: {} }, lookup, { region }), undefined);
  });
});
