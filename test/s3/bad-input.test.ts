import { CreateBucketCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { awsChunkedEncodedLength, encodeAwsChunked } from '../../src/auth/aws-chunked.js';
import { signRequestV4 } from '../../src/auth/sigv4.js';
import { assertS3Error, rawRequest, signedRequest, type RawResponse } from '../helpers/raw.js';
import { bytes, md5b64, sdkRejects } from '../helpers/sdk.js';
import { ACCESS_KEY, SECRET_KEY, bucketName, startTestServer, storedFiles, type TestServer } from '../helpers/server.js';
import { INLINE_MAX } from '../../src/engine/inline.js';
import { RawSocket, signedHead } from '../helpers/socket.js';
import { waitFor } from '../helpers/wait.js';

/** Head and encoded body of a SigV4 streaming (signed aws-chunked) PUT. */
function chunkedUpload(port: number, path: string, data: Buffer): { head: string; body: Buffer } {
  const url = new URL(path, `http://127.0.0.1:${port}`);
  const headers: Record<string, string> = {
    'content-encoding': 'aws-chunked',
    'x-amz-decoded-content-length': String(data.length),
    'content-length': String(awsChunkedEncodedLength(data.length, { mode: 'signed' })),
  };
  const signed = signRequestV4({
    method: 'PUT',
    url,
    headers,
    credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY },
    region: 'us-east-1',
    payloadHash: 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
  });
  const body = encodeAwsChunked(data, { mode: 'signed', signingKey: signed.signingKey, amzDate: signed.amzDate, scope: signed.scope, seedSignature: signed.signature });
  const head = `PUT ${url.pathname} HTTP/1.1\r\n` + Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('') + '\r\n';
  return { head, body };
}

/** Polls until `cond` holds (cleanup after a dropped connection is asynchronous); fails after `ms`. */
const eventually = (cond: () => Promise<boolean>, what: string, ms = 10_000) => waitFor(cond, { what, timeoutMs: ms });

const asRaw = (r: { status: number; headers: Record<string, string>; body: Buffer }): RawResponse => ({ status: r.status, headers: r.headers, body: r.body });

describe('bad input', () => {
  let t: TestServer;
  const bucket = bucketName('bad');
  let baseline: string[];
  before(async () => {
    t = await startTestServer();
    await t.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    baseline = await storedFiles(t.dataDir);
  });
  after(() => t.stop());

  const absent = async (key: string) => {
    await sdkRejects(t.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key })), 'NotFound', 404);
  };
  const noFilesLeft = async () => assert.deepEqual(await storedFiles(t.dataDir), baseline);

  describe('body digests', () => {
    it('refuses a Content-MD5 that does not match with BadDigest, storing nothing', async () => {
      const r = await signedRequest(t.url, `/${bucket}/md5-bad`, { method: 'PUT', body: 'payload', headers: { 'content-md5': md5b64('other payload') } });
      assertS3Error(r, 400, 'BadDigest');
      await sdkRejects(t.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'md5-bad', Body: 'payload', ContentMD5: md5b64('nope') })), 'BadDigest', 400);
      await absent('md5-bad');
      await noFilesLeft();
    });

    it('refuses a malformed Content-MD5 with InvalidDigest, storing nothing', async () => {
      for (const v of ['not base64!', Buffer.alloc(15).toString('base64'), Buffer.alloc(17).toString('base64'), '']) {
        const r = await signedRequest(t.url, `/${bucket}/md5-malformed`, { method: 'PUT', body: 'payload', headers: { 'content-md5': v } });
        assertS3Error(r, 400, 'InvalidDigest');
      }
      await absent('md5-malformed');
      await noFilesLeft();
    });

    it('does not let a failed overwrite touch the stored object', async () => {
      await t.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'stable', Body: 'original' }));
      const files = await storedFiles(t.dataDir);
      assertS3Error(await signedRequest(t.url, `/${bucket}/stable`, { method: 'PUT', body: 'replacement', headers: { 'content-md5': md5b64('x') } }), 400, 'BadDigest');
      assert.equal((await signedRequest(t.url, `/${bucket}/stable`)).body.toString(), 'original');
      assert.deepEqual(await storedFiles(t.dataDir), files);
      await signedRequest(t.url, `/${bucket}/stable`, { method: 'DELETE' });
    });
  });

  describe('bodies that end early', () => {
    it('discards a body shorter than its Content-Length when the client closes', async () => {
      const s = await RawSocket.connect(t.port);
      // Declared above the inline bound, so that the body streams to a temporary file.
      await s.write(signedHead(t.port, 'PUT', `/${bucket}/short`, { 'content-length': String(INLINE_MAX + 100) }));
      await s.write(Buffer.alloc(50, 1));
      // Once the server is writing the body to a temporary file, the client hangs up...
      await eventually(async () => (await storedFiles(t.dataDir)).some((f) => f.startsWith('objects/tmp/')), 'the upload reaches the disk');
      s.socket.end();
      await s.closed;
      // ...and the file goes away.
      await eventually(async () => (await storedFiles(t.dataDir)).length === baseline.length, 'the temporary file is gone');
      await absent('short');
      await noFilesLeft();
    });

    it('discards an upload whose client disconnects half-way through 5 MiB', async () => {
      const s = await RawSocket.connect(t.port);
      await s.write(signedHead(t.port, 'PUT', `/${bucket}/dropped`, { 'content-length': String(5 * 1024 * 1024) }));
      await s.write(Buffer.alloc(2.5 * 1024 * 1024, 2));
      // The server is writing a temporary file...
      await eventually(async () => (await storedFiles(t.dataDir)).some((f) => f.startsWith('objects/tmp/')), 'the upload reaches the disk');
      s.destroy();
      // ...that goes away with the connection.
      await eventually(async () => (await storedFiles(t.dataDir)).length === baseline.length, 'the temporary file is gone');
      await absent('dropped');
      await noFilesLeft();
    });
  });

  describe('an aws-chunked upload that ends early', () => {
    it('is discarded when the client disconnects mid-body', async () => {
      const { head, body } = chunkedUpload(t.port, `/${bucket}/chunked-dropped`, bytes(3 * 1024 * 1024, 41));
      const s = await RawSocket.connect(t.port);
      await s.write(head);
      await s.write(body.subarray(0, body.length / 2));
      await eventually(async () => (await storedFiles(t.dataDir)).some((f) => f.startsWith('objects/tmp/')), 'the upload reaches the disk');
      s.destroy();
      await eventually(async () => (await storedFiles(t.dataDir)).length === baseline.length, 'the temporary file is gone');
      await absent('chunked-dropped');
    });
  });

  describe('size and length limits', () => {
    it('refuses a PUT without Content-Length with 411 MissingContentLength', async () => {
      const s = await RawSocket.connect(t.port);
      await s.write(signedHead(t.port, 'PUT', `/${bucket}/no-length`));
      const r = await s.response();
      s.destroy();
      assert.ok(r, 'a response');
      assertS3Error(asRaw(r), 411, 'MissingContentLength');
      await absent('no-length');
    });

    it('refuses a declared body over 5 GiB with EntityTooLarge before reading it', async () => {
      const s = await RawSocket.connect(t.port);
      await s.write(signedHead(t.port, 'PUT', `/${bucket}/huge`, { 'content-length': String(5 * 1024 ** 3 + 1) }));
      await s.write(Buffer.alloc(1024));
      const r = await s.response();
      assert.ok(r, 'a response');
      assertS3Error(asRaw(r), 400, 'EntityTooLarge');
      assert.equal(r.headers.connection, 'close');
      // The server hangs up rather than read gigabytes.
      await s.closed;
      await absent('huge');
      await noFilesLeft();
    });

    it('refuses a key over 1024 bytes with KeyTooLongError', async () => {
      const ok = 'é'.repeat(512); // 1024 UTF-8 bytes
      await t.s3.send(new PutObjectCommand({ Bucket: bucket, Key: ok, Body: 'x' }));
      await sdkRejects(t.s3.send(new PutObjectCommand({ Bucket: bucket, Key: ok + 'x', Body: 'x' })), 'KeyTooLongError', 400);
      const raw = await signedRequest(t.url, `/${bucket}/${'k'.repeat(1025)}`, { method: 'PUT', body: 'x' });
      assertS3Error(raw, 400, 'KeyTooLongError');
      await signedRequest(t.url, `/${bucket}/${encodeURIComponent(ok)}`, { method: 'DELETE' });
      await noFilesLeft();
    });
  });

  describe('a client that stalls mid-body', () => {
    let slow: TestServer;
    let slowBucket: string;
    before(async () => {
      slow = await startTestServer({ bodyIdleMs: 500 });
      slowBucket = bucketName('stall');
      await slow.s3.send(new CreateBucketCommand({ Bucket: slowBucket }));
    });
    after(() => slow.stop());

    it('gets 400 RequestTimeout after the idle timeout, and nothing is stored', async () => {
      const before = await storedFiles(slow.dataDir);
      const s = await RawSocket.connect(slow.port);
      await s.write(signedHead(slow.port, 'PUT', `/${slowBucket}/stalled`, { 'content-length': '1000' }));
      await s.write(Buffer.alloc(100, 3));
      const r = await s.response();
      assert.ok(r, 'the server answers before hanging up');
      assertS3Error(asRaw(r), 400, 'RequestTimeout');
      await s.closed;
      s.destroy();
      await eventually(async () => (await storedFiles(slow.dataDir)).length === before.length, 'the temporary file is gone');
      assert.deepEqual(await storedFiles(slow.dataDir), before);
      await sdkRejects(slow.s3.send(new HeadObjectCommand({ Bucket: slowBucket, Key: 'stalled' })), 'NotFound', 404);
    });

    it('gets RequestTimeout for a stalled aws-chunked body too', async () => {
      const before = await storedFiles(slow.dataDir);
      const { head, body } = chunkedUpload(slow.port, `/${slowBucket}/stalled-chunked`, bytes(200_000, 42));
      const s = await RawSocket.connect(slow.port);
      await s.write(head);
      await s.write(body.subarray(0, 100_000));
      const r = await s.response();
      assert.ok(r, 'the server answers before hanging up');
      assertS3Error(asRaw(r), 400, 'RequestTimeout');
      s.destroy();
      await eventually(async () => (await storedFiles(slow.dataDir)).length === before.length, 'the temporary file is gone');
      await sdkRejects(slow.s3.send(new HeadObjectCommand({ Bucket: slowBucket, Key: 'stalled-chunked' })), 'NotFound', 404);
    });
  });

  describe('other malformed requests', () => {
    it('answers malformed XML bodies with MalformedXML', async () => {
      assertS3Error(await signedRequest(t.url, `/${bucketName('x')}`, { method: 'PUT', body: '<CreateBucketConfiguration>' }), 400, 'MalformedXML');
      const body = '<Delete><Object><Key>a</Key>';
      assertS3Error(await signedRequest(t.url, `/${bucket}?delete`, { method: 'POST', body, headers: { 'content-md5': md5b64(body) } }), 400, 'MalformedXML');
    });

    it('answers an unsatisfiable range with 416 and an invalid bucket name with 400', async () => {
      await signedRequest(t.url, `/${bucket}/ranged`, { method: 'PUT', body: '0123456789' });
      assertS3Error(await signedRequest(t.url, `/${bucket}/ranged`, { headers: { range: 'bytes=10-20' } }), 416, 'InvalidRange');
      assertS3Error(await signedRequest(t.url, '/in..valid', { method: 'PUT' }), 400, 'InvalidBucketName');
      assertS3Error(await signedRequest(t.url, '/IP.like.1.2', { method: 'PUT' }), 400, 'InvalidBucketName');
      assertS3Error(await signedRequest(t.url, '/10.0.0.1', { method: 'PUT' }), 400, 'InvalidBucketName');
    });

    it('answers an invalid storage class, a bad percent-escape, a wrong method and an unknown sub-resource', async () => {
      assertS3Error(await signedRequest(t.url, `/${bucket}/sc`, { method: 'PUT', body: 'x', headers: { 'x-amz-storage-class': 'PLATINUM' } }), 400, 'InvalidStorageClass');
      assertS3Error(await rawRequest(`${t.url}/${bucket}/%E0%A4%A`), 400, 'InvalidArgument');
      assertS3Error(await signedRequest(t.url, `/${bucket}/obj`, { method: 'PATCH' }), 405, 'MethodNotAllowed');
      assertS3Error(await signedRequest(t.url, `/${bucket}?no-such-subresource`), 501, 'NotImplemented');
      await absent('sc');
    });

    it('answers errors on HEAD with the status and request id but no body', async () => {
      const r = await rawRequest(`${t.url}/${bucket}/nothing-here`, { method: 'HEAD' });
      assert.equal(r.status, 403);
      assert.ok(r.headers['x-amz-request-id']);
      assert.equal(r.body.length, 0);
      const s = await signedRequest(t.url, `/${bucket}/nothing-here`, { method: 'HEAD' });
      assert.equal(s.status, 404);
      assert.ok(s.headers['x-amz-request-id']);
    });
  });
});
