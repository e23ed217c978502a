import { CreateBucketCommand, GetObjectCommand, ListBucketsCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { presignUrlV2, signRequestV2 } from '../../src/auth/sigv2.js';
import { awsChunkedEncodedLength, contentSha256ForMode, encodeAwsChunked, type AwsChunkedMode } from '../../src/auth/aws-chunked.js';
import { presignUrlV4, signRequestV4 } from '../../src/auth/sigv4.js';
import { DigestSet, encodeChecksum } from '../../src/digest/digest-set.js';
import { assertS3Error, rawRequest, signedRequest, xmlField } from '../helpers/raw.js';
import { bytes, md5hex, sdkRejects, sha256hex } from '../helpers/sdk.js';
import { ACCESS_KEY, SECRET_KEY, bucketName, startTestServer, storedFiles, type TestServer } from '../helpers/server.js';

const credentials = { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY };

describe('authentication', () => {
  let t: TestServer;
  const bucket = bucketName('auth');
  before(async () => {
    t = await startTestServer();
    await t.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await t.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'secret.txt', Body: 'top secret' }));
  });
  after(() => t.stop());

  const client = (accessKeyId: string, secretAccessKey: string) =>
    new S3Client({ endpoint: t.url, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId, secretAccessKey } });
  const url = (path: string) => new URL(path, t.url);

  describe('SigV4 header', () => {
    it('refuses a wrong secret with SignatureDoesNotMatch', async () => {
      const r = await signedRequest(t.url, `/${bucket}/secret.txt`, { secret: 'not-the-secret' });
      assertS3Error(r, 403, 'SignatureDoesNotMatch');
      assert.equal(xmlField(r.body, 'AWSAccessKeyId'), ACCESS_KEY);
      const c = client(ACCESS_KEY, 'wrong');
      await sdkRejects(c.send(new ListBucketsCommand({})), 'SignatureDoesNotMatch', 403);
      c.destroy();
    });

    it('refuses an unknown access key with InvalidAccessKeyId', async () => {
      assertS3Error(await signedRequest(t.url, '/', { accessKey: 'AKIDNOBODYHASTHIS000' }), 403, 'InvalidAccessKeyId');
      const c = client('AKIDNOBODYHASTHIS000', SECRET_KEY);
      await sdkRejects(c.send(new GetObjectCommand({ Bucket: bucket, Key: 'secret.txt' })), 'InvalidAccessKeyId', 403);
      c.destroy();
    });

    it('refuses a request dated an hour off with RequestTimeTooSkewed', async () => {
      for (const offset of [-3600_000, 3600_000]) {
        const r = await signedRequest(t.url, `/${bucket}/secret.txt`, { date: new Date(Date.now() + offset) });
        assertS3Error(r, 403, 'RequestTimeTooSkewed');
      }
      // Within the allowed skew it works.
      assert.equal((await signedRequest(t.url, `/${bucket}/secret.txt`, { date: new Date(Date.now() - 60_000) })).status, 200);
    });

    it('refuses a request whose signed header was changed after signing', async () => {
      const u = url(`/${bucket}/secret.txt`);
      const headers: Record<string, string> = { 'x-amz-meta-a': '1' };
      signRequestV4({ method: 'GET', url: u, headers, credentials, region: 'us-east-1' });
      headers['x-amz-meta-a'] = '2';
      assertS3Error(await rawRequest(u.toString(), { headers }), 403, 'SignatureDoesNotMatch');
    });

    it('refuses anonymous requests with AccessDenied', async () => {
      for (const [method, path] of [['GET', '/'], ['GET', `/${bucket}/secret.txt`], ['PUT', `/${bucket}/anon`], ['GET', `/${bucket}?list-type=2`]]) {
        const r = await rawRequest(t.url + path, { method, body: method === 'PUT' ? 'x' : undefined });
        assertS3Error(r, 403, 'AccessDenied');
      }
      assertS3Error(await signedRequest(t.url, `/${bucket}/anon`), 404, 'NoSuchKey');
    });

    it('refuses a body that does not match the signed sha256, storing nothing', async () => {
      const before = await storedFiles(t.dataDir);
      const r = await signedRequest(t.url, `/${bucket}/tampered`, { method: 'PUT', body: 'the real body', payloadHash: sha256hex('another body') });
      assertS3Error(r, 400, 'XAmzContentSHA256Mismatch');
      assertS3Error(await signedRequest(t.url, `/${bucket}/tampered`), 404, 'NoSuchKey');
      assert.deepEqual(await storedFiles(t.dataDir), before);
      // The right hash is accepted.
      const ok = await signedRequest(t.url, `/${bucket}/tampered`, { method: 'PUT', body: 'the real body', payloadHash: sha256hex('the real body') });
      assert.equal(ok.status, 200);
    });
  });

  describe('aws-chunked bodies (SigV4 streaming)', () => {
    const crc32 = (data: Buffer) => {
      const d = new DigestSet(['crc32']);
      d.update(data);
      return encodeChecksum('crc32', d.finish());
    };
    /** A PUT with an aws-chunked body; `tamper` changes the encoded body after signing. */
    const chunkedPut = (key: string, data: Buffer, mode: AwsChunkedMode, opts: { tamper?: (b: Buffer) => Buffer; trailer?: string } = {}) => {
      const u = url(`/${bucket}/${key}`);
      const trailers = mode === 'signed' ? undefined : { 'x-amz-checksum-crc32': opts.trailer ?? crc32(data) };
      const headers: Record<string, string> = {
        'content-encoding': 'aws-chunked',
        'x-amz-decoded-content-length': String(data.length),
        'content-length': String(awsChunkedEncodedLength(data.length, { mode, chunkSize: 8192, trailers })),
      };
      if (trailers) headers['x-amz-trailer'] = 'x-amz-checksum-crc32';
      const signed = signRequestV4({ method: 'PUT', url: u, headers, credentials, region: 'us-east-1', payloadHash: contentSha256ForMode(mode) });
      let body = encodeAwsChunked(data, { mode, chunkSize: 8192, signingKey: signed.signingKey, amzDate: signed.amzDate, scope: signed.scope, seedSignature: signed.signature, trailers });
      if (opts.tamper) body = opts.tamper(body);
      return rawRequest(u.toString(), { method: 'PUT', headers, body });
    };

    it('stores signed, signed-trailer and unsigned-trailer bodies', async () => {
      const data = bytes(50_000, 31);
      for (const mode of ['signed', 'signed-trailer', 'unsigned-trailer'] as const) {
        const r = await chunkedPut(`chunked/${mode}`, data, mode);
        assert.equal(r.status, 200, `${mode}: ${r.body.toString()}`);
        assert.equal(r.headers.etag, `"${md5hex(data)}"`);
        const got = await signedRequest(t.url, `/${bucket}/chunked/${mode}`);
        assert.equal(md5hex(got.body), md5hex(data));
        assert.equal(got.headers['content-encoding'], undefined, 'aws-chunked is not a property of the object');
      }
    });

    it('refuses a chunk whose data was changed after signing, storing nothing', async () => {
      const before = await storedFiles(t.dataDir);
      const data = bytes(30_000, 32);
      const flip = (b: Buffer) => {
        const c = Buffer.from(b);
        const at = c.indexOf('\r\n') + 2 + 100; // inside the first chunk's data
        c[at] ^= 0xff;
        return c;
      };
      assertS3Error(await chunkedPut('chunked/tampered', data, 'signed', { tamper: flip }), 403, 'SignatureDoesNotMatch');
      assertS3Error(await chunkedPut('chunked/tampered', data, 'signed-trailer', { tamper: flip }), 403, 'SignatureDoesNotMatch');
      assertS3Error(await signedRequest(t.url, `/${bucket}/chunked/tampered`), 404, 'NoSuchKey');
      assert.deepEqual(await storedFiles(t.dataDir), before);
    });

    it('refuses a trailing checksum that does not match the data, storing nothing', async () => {
      const before = await storedFiles(t.dataDir);
      const data = bytes(20_000, 33);
      const wrong = crc32(Buffer.from('something else'));
      assertS3Error(await chunkedPut('chunked/badsum', data, 'unsigned-trailer', { trailer: wrong }), 400, 'BadDigest');
      assertS3Error(await chunkedPut('chunked/badsum', data, 'signed-trailer', { trailer: wrong }), 400, 'BadDigest');
      assertS3Error(await signedRequest(t.url, `/${bucket}/chunked/badsum`), 404, 'NoSuchKey');
      assert.deepEqual(await storedFiles(t.dataDir), before);
    });
  });

  describe('SigV2 header', () => {
    it('accepts a valid V2 signature for reads and writes', async () => {
      const put = url(`/${bucket}/v2%20key.txt`);
      const headers: Record<string, string> = { 'content-type': 'text/plain', 'x-amz-meta-scheme': 'v2' };
      signRequestV2({ method: 'PUT', url: put, headers, credentials });
      const w = await rawRequest(put.toString(), { method: 'PUT', headers, body: 'written with v2' });
      assert.equal(w.status, 200, w.body.toString());
      const getHeaders: Record<string, string> = {};
      signRequestV2({ method: 'GET', url: put, headers: getHeaders, credentials });
      const r = await rawRequest(put.toString(), { headers: getHeaders });
      assert.equal(r.status, 200, r.body.toString());
      assert.equal(r.body.toString(), 'written with v2');
      assert.equal(r.headers['x-amz-meta-scheme'], 'v2');
    });

    it('signs sub-resources and refuses a wrong V2 signature', async () => {
      const loc = url(`/${bucket}?location`);
      const headers: Record<string, string> = {};
      signRequestV2({ method: 'GET', url: loc, headers, credentials });
      assert.equal((await rawRequest(loc.toString(), { headers })).status, 200);
      const bad: Record<string, string> = {};
      signRequestV2({ method: 'GET', url: loc, headers: bad, credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: 'wrong' } });
      assertS3Error(await rawRequest(loc.toString(), { headers: bad }), 403, 'SignatureDoesNotMatch');
      const unknown: Record<string, string> = {};
      signRequestV2({ method: 'GET', url: loc, headers: unknown, credentials: { accessKeyId: 'AKIDNOBODY', secretAccessKey: SECRET_KEY } });
      assertS3Error(await rawRequest(loc.toString(), { headers: unknown }), 403, 'InvalidAccessKeyId');
      // Signed for another method.
      const other: Record<string, string> = {};
      signRequestV2({ method: 'DELETE', url: loc, headers: other, credentials });
      assertS3Error(await rawRequest(loc.toString(), { headers: other }), 403, 'SignatureDoesNotMatch');
    });

    it('refuses a V2 request dated an hour ago with RequestTimeTooSkewed', async () => {
      const u = url(`/${bucket}/secret.txt`);
      const headers: Record<string, string> = {};
      signRequestV2({ method: 'GET', url: u, headers, credentials, date: new Date(Date.now() - 3600_000) });
      assertS3Error(await rawRequest(u.toString(), { headers }), 403, 'RequestTimeTooSkewed');
    });
  });

  describe('presigned URLs', () => {
    it('serves GET and PUT through presigned V4 URLs', async () => {
      const put = presignUrlV4({ method: 'PUT', url: url(`/${bucket}/presigned/v4 put.txt`), credentials, region: 'us-east-1', expiresSeconds: 300 });
      assert.equal((await rawRequest(put, { method: 'PUT', body: 'via presigned put' })).status, 200);
      const get = presignUrlV4({ method: 'GET', url: url(`/${bucket}/presigned/v4 put.txt`), credentials, region: 'us-east-1', expiresSeconds: 300 });
      const r = await rawRequest(get);
      assert.equal(r.status, 200, r.body.toString());
      assert.equal(r.body.toString(), 'via presigned put');
    });

    it('keeps signed response-* overrides', async () => {
      const get = presignUrlV4({ method: 'GET', url: url(`/${bucket}/secret.txt?response-content-type=text%2Fx-presigned`), credentials, region: 'us-east-1' });
      const r = await rawRequest(get);
      assert.equal(r.status, 200, r.body.toString());
      assert.equal(r.headers['content-type'], 'text/x-presigned');
    });

    it('refuses a V4 URL whose path or query was changed with SignatureDoesNotMatch', async () => {
      const get = presignUrlV4({ method: 'GET', url: url(`/${bucket}/secret.txt`), credentials, region: 'us-east-1', expiresSeconds: 300 });
      assert.equal((await rawRequest(get)).status, 200);
      assertS3Error(await rawRequest(get.replace('/secret.txt', '/presigned/v4%20put.txt')), 403, 'SignatureDoesNotMatch');
      assertS3Error(await rawRequest(get.replace('X-Amz-Expires=300', 'X-Amz-Expires=3000')), 403, 'SignatureDoesNotMatch');
      assertS3Error(await rawRequest(get + '&response-content-type=text%2Fevil'), 403, 'SignatureDoesNotMatch');
      assertS3Error(await rawRequest(get, { method: 'DELETE' }), 403, 'SignatureDoesNotMatch');
      const sig = /X-Amz-Signature=([0-9a-f]+)/.exec(get)![1];
      const flipped = sig.slice(0, -1) + (sig.endsWith('0') ? '1' : '0');
      assertS3Error(await rawRequest(get.replace(sig, flipped)), 403, 'SignatureDoesNotMatch');
      assertS3Error(await rawRequest(get.replace(`Credential=${ACCESS_KEY}`, 'Credential=AKIDNOBODY')), 403, 'InvalidAccessKeyId');
    });

    it('refuses an expired V4 URL with AccessDenied', async () => {
      const get = presignUrlV4({ method: 'GET', url: url(`/${bucket}/secret.txt`), credentials, region: 'us-east-1', expiresSeconds: 60, date: new Date(Date.now() - 2 * 3600_000) });
      const r = await rawRequest(get);
      assertS3Error(r, 403, 'AccessDenied');
      assert.match(xmlField(r.body, 'Message')!, /expired/i);
    });

    it('serves GET and PUT through presigned V2 URLs, and refuses tampered or expired ones', async () => {
      const put = presignUrlV2({ method: 'PUT', url: url(`/${bucket}/presigned/v2.txt`), credentials, expiresSeconds: 300 });
      assert.equal((await rawRequest(put, { method: 'PUT', body: 'v2 presigned' })).status, 200);
      const get = presignUrlV2({ method: 'GET', url: url(`/${bucket}/presigned/v2.txt`), credentials, expiresSeconds: 300 });
      const r = await rawRequest(get);
      assert.equal(r.status, 200, r.body.toString());
      assert.equal(r.body.toString(), 'v2 presigned');
      assertS3Error(await rawRequest(get.replace('/presigned/v2.txt', '/secret.txt')), 403, 'SignatureDoesNotMatch');
      const expires = /Expires=(\d+)/.exec(get)![1];
      assertS3Error(await rawRequest(get.replace(`Expires=${expires}`, `Expires=${Number(expires) + 1}`)), 403, 'SignatureDoesNotMatch');
      const expired = presignUrlV2({ method: 'GET', url: url(`/${bucket}/presigned/v2.txt`), credentials, expires: Math.floor(Date.now() / 1000) - 60 });
      assertS3Error(await rawRequest(expired), 403, 'AccessDenied');
    });

    it("serves minio's presignedGetObject and presignedPutObject URLs", async () => {
      const put = await t.minio.presignedPutObject(bucket, 'presigned/minio.txt', 300);
      assert.equal((await rawRequest(put, { method: 'PUT', body: 'minio presigned' })).status, 200);
      const get = await t.minio.presignedGetObject(bucket, 'presigned/minio.txt', 300);
      const r = await rawRequest(get);
      assert.equal(r.status, 200, r.body.toString());
      assert.equal(r.body.toString(), 'minio presigned');
      const withOverride = await t.minio.presignedGetObject(bucket, 'presigned/minio.txt', 300, { 'response-content-disposition': 'attachment; filename="m.txt"' });
      const o = await rawRequest(withOverride);
      assert.equal(o.status, 200, o.body.toString());
      assert.equal(o.headers['content-disposition'], 'attachment; filename="m.txt"');
      assertS3Error(await rawRequest(get.replace('presigned/minio.txt', 'secret.txt')), 403, 'SignatureDoesNotMatch');
    });
  });
});
