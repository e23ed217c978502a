/**
 * SigV4 against AWS's published examples (S3 API reference, "Signature
 * Calculations for the Authorization Header", "Authenticating Requests:
 * Using Query Parameters", "Transferring Payload in Multiple Chunks", and
 * the IAM guide's "Examples of how to derive a signing key").
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  EMPTY_SHA256,
  canonicalQueryStringV4,
  canonicalRequestV4,
  canonicalUriFromRawPath,
  credentialScopeV4,
  parseAmzDate,
  parseAuthorizationHeaderV4,
  presignUrlV4,
  sha256Hex,
  signRequestV4,
  signatureV4,
  signingKeyV4,
  stringToSignV4,
  toAmzDate,
} from '../../src/auth/sigv4.js';
import { parseRawQuery } from '../../src/auth/uri.js';
import { StorageError } from '../../src/engine/errors.js';

const AK = 'AKIAIOSFODNN7EXAMPLE';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const DATE = new Date(Date.UTC(2013, 4, 24, 0, 0, 0));
const AMZ_DATE = '20130524T000000Z';
const SCOPE = '20130524/us-east-1/s3/aws4_request';
const HOST = 'examplebucket.s3.amazonaws.com';
const creds = { accessKeyId: AK, secretAccessKey: SECRET };

function sign(method: string, canonicalUri: string, rawQuery: string, headers: Record<string, string>, payloadHash: string) {
  const signedHeaders = Object.keys(headers).sort();
  const canonicalRequest = canonicalRequestV4({
    method,
    canonicalUri,
    query: parseRawQuery(rawQuery),
    headers,
    signedHeaders,
    payloadHash,
  });
  const sts = stringToSignV4(AMZ_DATE, SCOPE, sha256Hex(canonicalRequest));
  return { canonicalRequest, sts, signature: signatureV4(signingKeyV4(SECRET, '20130524', 'us-east-1', 's3'), sts) };
}

test('signing key derivation matches the IAM guide example', () => {
  const key = signingKeyV4('wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', '20120215', 'us-east-1', 'iam');
  assert.equal(key.toString('hex'), 'f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d');
  // cached value is the same object content
  assert.equal(signingKeyV4('wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', '20120215', 'us-east-1', 'iam').toString('hex'), key.toString('hex'));
  assert.notEqual(signingKeyV4('wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', '20120215', 'us-west-2', 'iam').toString('hex'), key.toString('hex'));
});

test('S3 example: GET Object with Range', () => {
  const r = sign('GET', '/test.txt', '', {
    host: HOST,
    range: 'bytes=0-9',
    'x-amz-content-sha256': EMPTY_SHA256,
    'x-amz-date': AMZ_DATE,
  }, EMPTY_SHA256);
  assert.equal(
    r.canonicalRequest,
    'GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n' +
      `x-amz-content-sha256:${EMPTY_SHA256}\nx-amz-date:20130524T000000Z\n\n` +
      `host;range;x-amz-content-sha256;x-amz-date\n${EMPTY_SHA256}`,
  );
  assert.equal(r.sts, `AWS4-HMAC-SHA256\n${AMZ_DATE}\n${SCOPE}\n7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972`);
  assert.equal(r.signature, 'f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41');
});

test('S3 example: PUT Object with x-amz-storage-class', () => {
  const body = 'Welcome to Amazon S3.';
  const payload = sha256Hex(body);
  assert.equal(payload, '44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072');
  const r = sign('PUT', canonicalUriFromRawPath('/test$file.text'), '', {
    date: 'Fri, 24 May 2013 00:00:00 GMT',
    host: HOST,
    'x-amz-content-sha256': payload,
    'x-amz-date': AMZ_DATE,
    'x-amz-storage-class': 'REDUCED_REDUNDANCY',
  }, payload);
  assert.match(r.canonicalRequest, /^PUT\n\/test%24file\.text\n\n/);
  assert.equal(r.signature, '98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd');
});

test('S3 example: GET Bucket lifecycle', () => {
  const r = sign('GET', '/', 'lifecycle', { host: HOST, 'x-amz-content-sha256': EMPTY_SHA256, 'x-amz-date': AMZ_DATE }, EMPTY_SHA256);
  assert.match(r.canonicalRequest, /^GET\n\/\nlifecycle=\n/);
  assert.equal(r.signature, 'fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543');
});

test('S3 example: GET Bucket (List Objects) max-keys=2&prefix=J', () => {
  const r = sign('GET', '/', 'prefix=J&max-keys=2', { host: HOST, 'x-amz-content-sha256': EMPTY_SHA256, 'x-amz-date': AMZ_DATE }, EMPTY_SHA256);
  assert.match(r.canonicalRequest, /^GET\n\/\nmax-keys=2&prefix=J\n/);
  assert.equal(r.signature, '34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7');
});

test('S3 example: chunked upload seed signature', () => {
  const r = sign('PUT', '/examplebucket/chunkObject.txt', '', {
    'content-encoding': 'aws-chunked',
    'content-length': '66824',
    host: 's3.amazonaws.com',
    'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
    'x-amz-date': AMZ_DATE,
    'x-amz-decoded-content-length': '66560',
    'x-amz-storage-class': 'REDUCED_REDUNDANCY',
  }, 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD');
  assert.equal(r.sts.split('\n')[3], 'cee3fed04b70f867d036f722359b0b1f2f0e5dc0efadbc082b76c4c60e316455');
  assert.equal(r.signature, '4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9');
});

test('S3 example: chunked upload with trailer, seed signature', () => {
  const r = sign('PUT', '/examplebucket/chunkObject.txt', '', {
    'content-encoding': 'aws-chunked',
    host: 's3.amazonaws.com',
    'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER',
    'x-amz-date': AMZ_DATE,
    'x-amz-decoded-content-length': '66560',
    'x-amz-storage-class': 'REDUCED_REDUNDANCY',
    'x-amz-trailer': 'x-amz-checksum-crc32c',
  }, 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER');
  assert.equal(r.signature, '106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e');
});

test('client signer reproduces the GET and PUT examples', () => {
  const get: Record<string, string> = { Range: 'bytes=0-9' };
  const g = signRequestV4({ method: 'GET', url: new URL(`https://${HOST}/test.txt`), headers: get, payloadHash: EMPTY_SHA256, credentials: creds, region: 'us-east-1', date: DATE });
  assert.equal(g.signature, 'f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41');
  assert.equal(
    get['authorization'],
    `AWS4-HMAC-SHA256 Credential=${AK}/${SCOPE}, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=${g.signature}`,
  );
  assert.equal(get['host'], HOST);
  assert.equal(get['x-amz-date'], AMZ_DATE);

  const put: Record<string, string> = { Date: 'Fri, 24 May 2013 00:00:00 GMT', 'x-amz-storage-class': 'REDUCED_REDUNDANCY' };
  const p = signRequestV4({
    method: 'PUT',
    url: new URL(`https://${HOST}/test%24file.text`),
    headers: put,
    payloadHash: sha256Hex('Welcome to Amazon S3.'),
    credentials: creds,
    region: 'us-east-1',
    date: DATE,
  });
  assert.deepEqual(p.signedHeaders, ['date', 'host', 'x-amz-content-sha256', 'x-amz-date', 'x-amz-storage-class']);
  assert.equal(p.signature, '98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd');

  const l = signRequestV4({ method: 'GET', url: new URL(`https://${HOST}/?max-keys=2&prefix=J`), headers: {}, payloadHash: EMPTY_SHA256, credentials: creds, region: 'us-east-1', date: DATE });
  assert.equal(l.signature, '34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7');
});

test('client signer defaults to UNSIGNED-PAYLOAD and adds the session token', () => {
  const h: Record<string, string> = {};
  signRequestV4({ method: 'GET', url: new URL('http://127.0.0.1:9000/b/k'), headers: h, credentials: { ...creds, sessionToken: 'tok' }, region: 'us-east-1', date: DATE });
  assert.equal(h['x-amz-content-sha256'], 'UNSIGNED-PAYLOAD');
  assert.equal(h['x-amz-security-token'], 'tok');
  assert.equal(h['host'], '127.0.0.1:9000');
  assert.match(h['authorization']!, /SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token,/);
});

test('S3 example: presigned GET URL', () => {
  const url = presignUrlV4({ method: 'GET', url: new URL(`https://${HOST}/test.txt`), credentials: creds, region: 'us-east-1', expiresSeconds: 86400, date: DATE });
  assert.equal(
    url,
    `https://${HOST}/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request` +
      '&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host' +
      '&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404',
  );
});

test('canonicalUriFromRawPath re-encodes per segment without normalising', () => {
  assert.equal(canonicalUriFromRawPath('/test$file.text'), '/test%24file.text');
  assert.equal(canonicalUriFromRawPath('/test%24file.text'), '/test%24file.text');
  assert.equal(canonicalUriFromRawPath('/b/a%20b/c+d'), '/b/a%20b/c%2Bd');
  assert.equal(canonicalUriFromRawPath('/b/fran%c3%a7ais'), '/b/fran%C3%A7ais');
  assert.equal(canonicalUriFromRawPath('/b/a%2Fb'), '/b/a%2Fb');
  assert.equal(canonicalUriFromRawPath('/b/./x//y/../z'), '/b/./x//y/../z');
  assert.equal(canonicalUriFromRawPath(''), '/');
  assert.throws(() => canonicalUriFromRawPath('/b/%zz'), (e: unknown) => e instanceof StorageError && e.code === 'InvalidArgument');
});

test('canonical query sorts by encoded name, then value', () => {
  assert.equal(
    canonicalQueryStringV4([['b', '2'], ['a', 'z'], ['a', 'y'], ['a b', ''], ['A', '1']]),
    'A=1&a=y&a=z&a%20b=&b=2',
  );
});

test('canonical header values are trimmed, collapsed and arrays comma-joined', () => {
  const cr = canonicalRequestV4({
    method: 'GET',
    canonicalUri: '/',
    query: [],
    headers: { 'x-a': '  a   b  c ', 'x-b': ['1', ' 2 '], host: 'h' },
    signedHeaders: ['host', 'x-a', 'x-b', 'x-missing'],
    payloadHash: 'UNSIGNED-PAYLOAD',
  });
  assert.equal(cr, 'GET\n/\n\nhost:h\nx-a:a b c\nx-b:1,2\nx-missing:\n\nhost;x-a;x-b;x-missing\nUNSIGNED-PAYLOAD');
});

test('parseAuthorizationHeaderV4 reads fields by name, with or without spaces', () => {
  const sig = 'fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024';
  for (const v of [
    `AWS4-HMAC-SHA256 Credential=${AK}/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-date, Signature=${sig}`,
    `AWS4-HMAC-SHA256 Credential=${AK}/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;range;x-amz-date,Signature=${sig}`,
    `AWS4-HMAC-SHA256 Signature=${sig},Credential=${AK}/20130524/us-east-1/s3/aws4_request,   SignedHeaders=host;range;x-amz-date`,
  ]) {
    const a = parseAuthorizationHeaderV4(v);
    assert.equal(a.credential.accessKeyId, AK);
    assert.equal(a.credential.date, '20130524');
    assert.equal(a.credential.region, 'us-east-1');
    assert.equal(a.credential.service, 's3');
    assert.equal(a.credential.terminator, 'aws4_request');
    assert.equal(a.credential.scope, SCOPE);
    assert.deepEqual(a.signedHeaders, ['host', 'range', 'x-amz-date']);
    assert.equal(a.signature, sig);
  }
});

test('parseAuthorizationHeaderV4 rejects malformed headers', () => {
  const sig = 'a'.repeat(64);
  for (const v of [
    'AWS4-HMAC-SHA256',
    `AWS4-HMAC-SHA256 Credential=${AK}/20130524/us-east-1/s3, SignedHeaders=host, Signature=${sig}`,
    `AWS4-HMAC-SHA256 Credential=${AK}/20130524/us-east-1/s3/aws4_request, Signature=${sig}`,
    `AWS4-HMAC-SHA256 Credential=${AK}/20130524/us-east-1/s3/aws4_request, SignedHeaders=host`,
    `AWS4-HMAC-SHA256 Credential=${AK}/20130524/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=xyz`,
    `AWS4-HMAC-SHA256 Credential=${AK}/20130524/us-east-1/s3/aws4_request, SignedHeaders=Host, Signature=${sig}`,
    `AWS4-HMAC-SHA256 Credential=${AK}/20130524/us-east-1/s3/aws4_request SignedHeaders=host Signature=${sig}`,
    `AWS4-HMAC-SHA1 Credential=${AK}/20130524/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=${sig}`,
  ]) {
    assert.throws(() => parseAuthorizationHeaderV4(v), (e: unknown) => e instanceof StorageError && e.code === 'AuthorizationHeaderMalformed', v);
  }
});

test('amz dates round-trip and reject impossible values', () => {
  assert.equal(toAmzDate(DATE), AMZ_DATE);
  assert.equal(parseAmzDate(AMZ_DATE)?.getTime(), DATE.getTime());
  assert.equal(parseAmzDate('20131324T000000Z'), undefined);
  assert.equal(parseAmzDate('2013-05-24T00:00:00Z'), undefined);
  assert.equal(credentialScopeV4('20130524', 'us-east-1', 's3'), SCOPE);
});
