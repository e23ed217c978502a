import { CreateBucketCommand, GetObjectTaggingCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { presignUrlV2, signRequestV2 } from '../../src/auth/sigv2.js';
import {
  canonicalRequestV4,
  canonicalUriFromRawPath,
  credentialScopeV4,
  presignUrlV4,
  signatureV4,
  signingKeyV4,
  stringToSignV4,
  toAmzDate,
} from '../../src/auth/sigv4.js';
import { NodeSha256 } from '../helpers/node-sha256.js';
import { assertS3Error, rawRequest, signedRequest, xmlField } from '../helpers/raw.js';
import { ACCESS_KEY, SECRET_KEY, bucketName, startTestServer, type TestServer } from '../helpers/server.js';

const credentials = { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY };


/** S3 refuses `x-amz-*` headers (and a `host`) left out of the signature: they could change what the signer allowed. */
describe('SigV4: every x-amz-* header and host must be signed', () => {
  let t: TestServer;
  const bucket = bucketName('signed');
  const other = bucketName('secret');
  before(async () => {
    t = await startTestServer();
    await t.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await t.s3.send(new CreateBucketCommand({ Bucket: other }));
    await t.s3.send(new PutObjectCommand({ Bucket: other, Key: 'secret', Body: 'the secret' }));
  });
  after(() => t.stop());

  const presignedPut = (key: string) => presignUrlV4({ method: 'PUT', url: new URL(`/${bucket}/${key}`, t.url), credentials, region: 'us-east-1' });
  const exists = (key: string) => t.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key })).then(() => true, () => false);

  it('a presigned PUT plus an unsigned x-amz-copy-source is refused, nothing is copied', async () => {
    const r = await rawRequest(presignedPut('upload'), { method: 'PUT', headers: { 'x-amz-copy-source': `/${other}/secret` }, body: '' });
    assertS3Error(r, 403, 'AccessDenied');
    assert.equal(xmlField(r.body, 'Message'), 'There were headers present in the request which were not signed');
    assert.equal(xmlField(r.body, 'HeadersNotSigned'), 'x-amz-copy-source');
    assert.equal(await exists('upload'), false);
  });

  for (const [name, value] of [
    ['x-amz-acl', 'public-read'],
    ['x-amz-meta-owner', 'mallory'],
    ['x-amz-tagging', 'a=b'],
    ['x-amz-storage-class', 'STANDARD_IA'],
  ]) {
    it(`a presigned PUT plus an unsigned ${name} is refused`, async () => {
      const key = 'p-' + name;
      const r = await rawRequest(presignedPut(key), { method: 'PUT', headers: { [name!]: value! }, body: 'data' });
      assertS3Error(r, 403, 'AccessDenied');
      assert.equal(xmlField(r.body, 'HeadersNotSigned'), name);
      assert.equal(await exists(key), false);
      // The same URL without the extra header works.
      assert.equal((await rawRequest(presignedPut(key), { method: 'PUT', body: 'data' })).status, 200);
    });
  }

  it('header auth: an x-amz-* header added after signing is refused', async () => {
    const url = new URL(`/${bucket}/hdr`, t.url);
    const headers: Record<string, string> = {};
    const { signRequestV4 } = await import('../../src/auth/sigv4.js');
    signRequestV4({ method: 'PUT', url, headers, credentials, region: 'us-east-1' });
    headers['x-amz-meta-extra'] = '1';
    const r = await rawRequest(url.toString(), { method: 'PUT', headers, body: 'x' });
    assertS3Error(r, 403, 'AccessDenied');
    assert.equal(xmlField(r.body, 'HeadersNotSigned'), 'x-amz-meta-extra');
    assert.equal(await exists('hdr'), false);
  });

  it('header auth whose SignedHeaders omits host is refused', async () => {
    const url = new URL(`/${bucket}/nohost`, t.url);
    const now = new Date();
    const amzDate = toAmzDate(now);
    const headers: Record<string, string> = { 'x-amz-date': amzDate, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' };
    const signed = ['x-amz-content-sha256', 'x-amz-date'];
    const canonical = canonicalRequestV4({ method: 'PUT', canonicalUri: canonicalUriFromRawPath(url.pathname), query: [], headers, signedHeaders: signed, payloadHash: 'UNSIGNED-PAYLOAD' });
    const scope = credentialScopeV4(amzDate.slice(0, 8), 'us-east-1', 's3');
    const sig = signatureV4(signingKeyV4(SECRET_KEY, amzDate.slice(0, 8), 'us-east-1', 's3'), stringToSignV4(amzDate, scope, createHash('sha256').update(canonical).digest('hex')));
    headers.authorization = `AWS4-HMAC-SHA256 Credential=${ACCESS_KEY}/${scope}, SignedHeaders=${signed.join(';')}, Signature=${sig}`;
    const r = await rawRequest(url.toString(), { method: 'PUT', headers, body: 'x' });
    assertS3Error(r, 403, 'AccessDenied');
    assert.equal(xmlField(r.body, 'HeadersNotSigned'), 'host');
    assert.equal(await exists('nohost'), false);
  });

  it('x-amz-content-sha256 sent alongside a presigned URL is not an unsigned header', async () => {
    const r = await rawRequest(presignedPut('sha'), { method: 'PUT', headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' }, body: 'x' });
    assert.equal(r.status, 200, r.body.toString());
  });

  it('the AWS SDK signer presigning extra headers (kept as signed headers) works', async () => {
    const { SignatureV4 } = await import('@smithy/signature-v4');
    const signer = new SignatureV4({ credentials, region: 'us-east-1', service: 's3', sha256: NodeSha256 as never, uriEscapePath: false });
    const u = new URL(`/${bucket}/sdk-presigned`, t.url);
    const extra = { 'x-amz-meta-owner': 'alice', 'x-amz-tagging': 'k=v', 'x-amz-acl': 'private' };
    const presigned = (await signer.presign(
      { method: 'PUT', protocol: 'http:', hostname: u.hostname, port: Number(u.port), path: u.pathname, query: {}, headers: { host: u.host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', ...extra } } as never,
      { expiresIn: 300, unhoistableHeaders: new Set(Object.keys(extra)) },
    )) as unknown as { query: Record<string, string>; headers: Record<string, string> };
    const qs = new URLSearchParams(presigned.query).toString();
    const sent: Record<string, string> = {};
    for (const [k, v] of Object.entries(presigned.headers)) if (k.toLowerCase() !== 'host') sent[k] = v;
    const r = await rawRequest(`${u}?${qs}`, { method: 'PUT', headers: sent, body: 'signed extras' });
    assert.equal(r.status, 200, r.body.toString());
    const head = await t.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'sdk-presigned' }));
    assert.equal(head.Metadata?.owner, 'alice');
    const tags = await t.s3.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: 'sdk-presigned' }));
    assert.deepEqual(tags.TagSet, [{ Key: 'k', Value: 'v' }]);
    // minio's presigned PUT (host only) still works too.
    const mu = await t.minio.presignedPutObject(bucket, 'minio-presigned', 300);
    assert.equal((await rawRequest(mu, { method: 'PUT', body: 'm' })).status, 200);
    // And @aws-sdk/client-s3 sending metadata, tags and an ACL signs them all.
    await t.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'sdk-put', Body: 'b', Metadata: { a: '1' }, Tagging: 'x=y', ACL: 'private', StorageClass: 'STANDARD' }));
  });

  it('SigV2 signs every x-amz-* header already: an added one breaks the signature', async () => {
    const url = new URL(`/${bucket}/v2`, t.url);
    const headers: Record<string, string> = {};
    signRequestV2({ method: 'PUT', url, headers, credentials });
    headers['x-amz-copy-source'] = `/${other}/secret`;
    assertS3Error(await rawRequest(url.toString(), { method: 'PUT', headers, body: '' }), 403, 'SignatureDoesNotMatch');
    const pu = presignUrlV2({ method: 'PUT', url, credentials });
    assertS3Error(await rawRequest(pu, { method: 'PUT', headers: { 'x-amz-copy-source': `/${other}/secret` }, body: '' }), 403, 'SignatureDoesNotMatch');
    assert.equal(await exists('v2'), false);
    assert.equal((await signedRequest(t.url, `/${bucket}/v2`, { method: 'HEAD' })).status, 404);
  });
});

describe('presigned URL validity bounds', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.stop());

  it('more than a week, negative or zero is 403 AccessDenied (as AWS and ceph/s3-tests)', async () => {
    const url = presignUrlV4({ method: 'GET', url: new URL('/', t.url), credentials, region: 'us-east-1', expiresSeconds: 3600 });
    const cases: Array<[string, string]> = [
      ['604801', 'X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds'],
      ['-7', 'X-Amz-Expires must be non-negative'],
      ['0', 'Request has expired'],
    ];
    for (const [expires, message] of cases) {
      const r = await rawRequest(url.replace('X-Amz-Expires=3600', `X-Amz-Expires=${expires}`));
      assertS3Error(r, 403, 'AccessDenied');
      assert.equal(xmlField(r.body, 'Message'), message);
    }
    assert.equal((await rawRequest(url)).status, 200);
  });
});
