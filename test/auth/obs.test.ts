/**
 * OBS signatures. Vectors: the OBS API reference's StringToSign example, and
 * strings and signatures computed by esdk-obs-nodejs's own signing code
 * (lib/utils.js doAuth and createSignedUrlSync) for the same requests.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { obsStringToSign, presignObsUrl, signObsRequest, verifyObsRequest, type ObsFamily } from '../../src/auth/obs.js';
import type { Credential } from '../../src/auth/s3-verify.js';
import { signV2 } from '../../src/auth/sigv2.js';
import { isStorageError } from '../../src/engine/errors.js';

const require = createRequire(import.meta.url);
// The SDK's signing code, driven directly (it is not exported as an API).
const SdkUtils = require('esdk-obs-nodejs/lib/utils.js');

const AK = 'UDSIAMSTUBTEST000001';
const SK = 'Udsiamstubtest000000UDSIAMSTUBTEST000001';
const CONTEXT = {
  obs: { signature: 'obs', headerPrefix: 'x-obs-', headerMetaPrefix: 'x-obs-meta-', authPrefix: 'OBS', stsToken: 'x-obs-security-token' },
  v2: { signature: 'v2', headerPrefix: 'x-amz-', headerMetaPrefix: 'x-amz-meta-', authPrefix: 'AWS', stsToken: 'x-amz-security-token' },
};

function sdk(overrides: Record<string, unknown> = {}) {
  const u = new SdkUtils({ isLevelEnabled: () => false, runLog: () => undefined });
  Object.assign(u, { ak: AK, sk: SK, server: 'obs.example.com', port: 443, isSecure: true, pathStyle: false, isCname: false, ...overrides });
  return u;
}

/** The Authorization header the SDK computes for a request. */
function sdkAuthorization(family: ObsFamily, method: string, uri: string, urlPath: string, headers: Record<string, string>): string {
  const opt = { method, uri, urlPath, headers: { ...headers } };
  sdk().doAuth(opt, 'Test', CONTEXT[family]);
  return opt.headers.Authorization as unknown as string;
}

const DATE = 'Sat, 12 Oct 2015 08:12:38 GMT';

test('the API reference example: GET /object.txt on bucket "bucket"', () => {
  const sts = obsStringToSign({ method: 'GET', headers: { host: 'bucket.obs.cn-north-4.myhuaweicloud.com', date: DATE }, resource: '/bucket/object.txt', family: 'obs' });
  assert.equal(sts, `GET\n\n\n${DATE}\n/bucket/object.txt`);
});

const CASES: { name: string; method: string; uri: string; query: string; headers: Record<string, string> }[] = [
  { name: 'a plain GET', method: 'GET', uri: '/bucket/object.txt', query: '', headers: { Date: DATE } },
  {
    name: 'a PUT with content headers, metadata, ACL and storage class',
    method: 'PUT',
    uri: '/bucket/dir/a%20b%2Bc.txt',
    query: '',
    headers: {
      Date: DATE,
      'Content-Type': 'text/plain',
      'Content-MD5': 'rL0Y20zC+Fzt72VPzMSk2A==',
      'x-obs-meta-Owner': 'me',
      'x-obs-acl': 'public-read',
      'x-obs-storage-class': 'WARM',
      'x-amz-meta-other': 'x',
    },
  },
  { name: 'multipart part: uploadId and partNumber are sub-resources', method: 'PUT', uri: '/bucket/big', query: '?partNumber=3&uploadId=00000170ABCDEF', headers: { Date: DATE } },
  { name: 'append with a position', method: 'POST', uri: '/bucket/log', query: '?append&position=1024', headers: { Date: DATE, 'Content-Type': 'application/json' } },
  { name: 'storagePolicy', method: 'GET', uri: '/bucket/', query: '?storagePolicy', headers: { Date: DATE } },
  { name: 'a listing: its parameters are not signed', method: 'GET', uri: '/bucket/', query: '?delimiter=%2F&max-keys=10&prefix=a%2Fb', headers: { Date: DATE } },
  { name: 'acl on a version, with response overrides', method: 'GET', uri: '/bucket/k', query: '?acl&response-content-type=text%2Fplain&versionId=abc', headers: { Date: DATE } },
];

for (const family of ['obs', 'v2'] as ObsFamily[]) {
  for (const c of CASES) {
    test(`${family} family: ${c.name} signs as esdk-obs-nodejs does`, () => {
      const expected = sdkAuthorization(family, c.method, c.uri, c.query, c.headers);
      const lower = Object.fromEntries(Object.entries(c.headers).map(([k, v]) => [k.toLowerCase(), v]));
      const sts = obsStringToSign({ method: c.method, headers: lower, resource: c.uri, rawQuery: c.query, family });
      assert.equal(`${family === 'obs' ? 'OBS' : 'AWS'} ${AK}:${signV2(SK, sts)}`, expected, sts);
    });
  }
}

test('sub-resource names are matched case-insensitively and signed as spelled', () => {
  const sts = obsStringToSign({ method: 'PUT', headers: { date: DATE }, resource: '/b/', rawQuery: 'storagePolicy', family: 'obs' });
  assert.equal(sts, `PUT\n\n\n${DATE}\n/b/?storagePolicy`);
  const q = obsStringToSign({ method: 'GET', headers: { date: DATE }, resource: '/b/', rawQuery: 'quota&storageinfo', family: 'obs' });
  assert.ok(q.endsWith('/b/?quota&storageinfo'));
});

test('x-obs-date empties the Date slot', () => {
  const sts = obsStringToSign({ method: 'GET', headers: { date: DATE, 'x-obs-date': DATE }, resource: '/b/k', family: 'obs' });
  assert.equal(sts, `GET\n\n\n\nx-obs-date:${DATE}\n/b/k`);
});

for (const family of ['obs', 'v2'] as ObsFamily[]) {
  test(`${family} family: temporary URLs match createSignedUrlSync`, () => {
    const u = sdk({ signatureContext: CONTEXT[family], pathStyle: true, server: '127.0.0.1', port: 9000, isSecure: false });
    const made = u.createV2SignedUrlSync({ Method: 'PUT', Bucket: 'bucket', Key: 'a b/c.txt', SpecialParam: 'acl', Expires: 300, Headers: { 'Content-Type': 'text/plain', [CONTEXT[family].headerPrefix + 'acl']: 'public-read' } });
    const url = new URL(made.SignedUrl);
    const expires = Number(url.searchParams.get('Expires'));
    const ours = presignObsUrl({
      method: 'PUT',
      url: new URL(`http://127.0.0.1:9000/bucket/a%20b/c.txt?acl`),
      credentials: { accessKeyId: AK, secretAccessKey: SK },
      family,
      expires,
      headers: { 'content-type': 'text/plain', [CONTEXT[family].headerPrefix + 'acl']: 'public-read' },
    });
    assert.equal(new URL(ours).searchParams.get('Signature'), url.searchParams.get('Signature'));
    assert.equal(new URL(ours).searchParams.get(family === 'obs' ? 'AccessKeyId' : 'AWSAccessKeyId'), AK);
  });
}

// ---------------------------------------------------------------- verification

const credential: Credential = { accessKeyId: AK, secretAccessKey: SK, owner: 'root' };
const lookup = async (id: string) => (id === AK ? credential : undefined);
const NOW = new Date(Date.parse(DATE));

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (isStorageError(e)) return e.code;
    throw e;
  }
  return 'ok';
}

test('verifies what the client side signs, in both families, path and virtual-hosted', async () => {
  for (const family of ['obs', 'v2'] as ObsFamily[]) {
    for (const virtual of [false, true]) {
      const url = new URL(virtual ? 'http://bucket.obs.test/dir/k?uploadId=u1&partNumber=2' : 'http://127.0.0.1/bucket/dir/k?uploadId=u1&partNumber=2');
      const headers: Record<string, string> = { 'content-type': 'application/octet-stream', [family === 'obs' ? 'x-obs-meta-a' : 'x-amz-meta-a']: 'b' };
      signObsRequest({ method: 'PUT', url, headers, credentials: { accessKeyId: AK, secretAccessKey: SK }, family, virtualHostBucket: virtual ? 'bucket' : undefined, date: NOW });
      const req = { method: 'PUT', rawPath: url.pathname, rawQuery: url.search.slice(1), headers, bucket: virtual ? 'bucket' : undefined };
      const r = await verifyObsRequest(req, lookup, { now: NOW });
      assert.equal(r?.family, family);
      assert.equal(r?.credential.owner, 'root');
      // Any change to a signed part fails.
      assert.equal(await code(verifyObsRequest({ ...req, rawQuery: 'uploadId=u1&partNumber=3' }, lookup, { now: NOW })), 'SignatureDoesNotMatch');
      assert.equal(await code(verifyObsRequest({ ...req, headers: { ...headers, 'content-type': 'text/plain' } }, lookup, { now: NOW })), 'SignatureDoesNotMatch');
    }
  }
});

test('accepts both readings of a request carrying x-obs-date and Date (the guide\'s and the SDKs\')', async () => {
  const headers = { date: DATE, 'x-obs-date': DATE };
  const req = { method: 'GET', rawPath: '/bucket/', rawQuery: 'quota', headers };
  for (const date of ['', DATE]) {
    const sts = obsStringToSign({ method: 'GET', headers, resource: '/bucket/', rawQuery: 'quota', family: 'obs', date });
    const r = await verifyObsRequest({ ...req, headers: { ...headers, authorization: `OBS ${AK}:${signV2(SK, sts)}` } }, lookup, { now: NOW });
    assert.equal(r?.family, 'obs');
  }
});

test('refuses unknown keys, skewed clocks, expired URLs and wrong tokens with OBS codes', async () => {
  const url = new URL('http://127.0.0.1/bucket/k');
  const headers: Record<string, string> = {};
  signObsRequest({ method: 'GET', url, headers, credentials: { accessKeyId: 'NOSUCHKEY', secretAccessKey: SK }, date: NOW });
  const req = { method: 'GET', rawPath: '/bucket/k', rawQuery: '', headers };
  assert.equal(await code(verifyObsRequest(req, lookup, { now: NOW })), 'InvalidAccessKeyId');
  signObsRequest({ method: 'GET', url, headers, credentials: { accessKeyId: AK, secretAccessKey: SK }, date: NOW });
  assert.equal(await code(verifyObsRequest(req, lookup, { now: new Date(NOW.getTime() + 16 * 60_000) })), 'RequestTimeTooSkewed');
  assert.equal(await code(verifyObsRequest(req, lookup, { now: new Date(NOW.getTime() + 14 * 60_000) })), 'ok');
  signObsRequest({ method: 'GET', url, headers, credentials: { accessKeyId: AK, secretAccessKey: SK, sessionToken: 'tok' }, date: NOW });
  assert.equal(await code(verifyObsRequest(req, lookup, { now: NOW })), 'InvalidToken', 'a token on a long-term key (OBS answers InvalidSecurity)');

  const presigned = new URL(presignObsUrl({ method: 'GET', url, credentials: { accessKeyId: AK, secretAccessKey: SK }, expires: Math.floor(NOW.getTime() / 1000) + 60 }));
  const q = { method: 'GET', rawPath: presigned.pathname, rawQuery: presigned.search.slice(1), headers: {} };
  assert.equal((await verifyObsRequest(q, lookup, { now: NOW }))?.scheme, 'query');
  assert.equal(await code(verifyObsRequest(q, lookup, { now: new Date(NOW.getTime() + 61_000) })), 'AccessDenied');
  assert.equal(await code(verifyObsRequest({ ...q, method: 'DELETE' }, lookup, { now: NOW })), 'SignatureDoesNotMatch');
  assert.equal(await code(verifyObsRequest({ ...q, rawQuery: 'AccessKeyId=' + AK }, lookup, { now: NOW })), 'AccessDenied');
  assert.equal(await verifyObsRequest({ method: 'GET', rawPath: '/', rawQuery: '', headers: {} }, lookup), undefined);
});
