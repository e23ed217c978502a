/**
 * `stratus server --blob s3://...` end to end: a Stratus (a child process,
 * configured by flags, then by STRATUS_BLOB_* variables) keeps its blob data
 * in a bucket of a second Stratus, reached through a fault-injecting proxy.
 * S3 (@aws-sdk/client-s3) and OSS (ali-oss) clients write, read, range, copy,
 * upload in parts, append and delete through it; the other system's bucket
 * holds the blobs; its failures reach clients as 503s or a cut download,
 * never a hang; after the deletes and the start-up sweep nothing is left.
 * Bodies that must become blobs are larger than INLINE_MAX: a smaller one of
 * a declared length is kept in the metadata store, never touches the other
 * system, and is served while that system is down.
 *
 * Every assert.ok here has a message: without one, a failing assert.ok makes
 * Node 20 re-parse this file (tsx's positions do not match it) for a minute,
 * with the event loop blocked, and the in-process backend and proxy with it.
 */
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { INLINE_MAX } from '../../src/engine/inline.js';
import { ossClient, ossError, pattern } from '../oss/helpers.js';
import { KEY_FLAGS, spawnServer, type ServerProcess } from '../helpers/process.js';
import { startProxy, type TestProxy } from '../helpers/proxy.js';
import { bytes, readAll, sdkRejects } from '../helpers/sdk.js';
import { ACCESS_KEY, bucketName, SECRET_KEY, startTestServer, type TestServer } from '../helpers/server.js';

const KB = 1024;
const MB = 1024 * 1024;
const ORPHAN = 'front/blobs/0123456789abcdef01234567deadbeef';
const SMALL = Buffer.from('hello from the front');

describe('a Stratus whose blobs live in another Stratus (--blob s3://...)', () => {
  let backend: TestServer;
  let proxy: TestProxy;
  let blobBucket: string;
  let dataDir: string;
  let front: ServerProcess;
  let s3: S3Client;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let oss: any;
  const bucket = bucketName('front');

  const blobArgs = () => ['--blob', `s3://${blobBucket}/front`, '--blob-endpoint', proxy.url, '--blob-access-key', ACCESS_KEY, '--blob-secret-key', SECRET_KEY, '--blob-timeout-ms', '1000'];
  const connect = (f: ServerProcess) => {
    s3?.destroy();
    s3 = new S3Client({ endpoint: f.url, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY }, maxAttempts: 1 });
    oss = ossClient({ port: f.port } as TestServer, { bucket, retryMax: 0 });
  };
  /** What the other system holds under the front's prefix. */
  const held = async (sub = 'blobs/') => ((await backend.s3.send(new ListObjectsV2Command({ Bucket: blobBucket, Prefix: `front/${sub}` }))).Contents ?? []).map((c) => c.Key!);
  /** The blob requests the front made of the other system since `from` in the proxy's log (leases and listings aside). */
  const blobRequests = (from: number) => proxy.log.slice(from).filter((q) => q.url.includes('/front/blobs/')).map((q) => `${q.method} ${q.url}`);

  before(async () => {
    backend = await startTestServer();
    blobBucket = bucketName('blobs');
    await backend.s3.send(new CreateBucketCommand({ Bucket: blobBucket }));
    proxy = await startProxy(backend.url);
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'stratus-front-'));
    front = await spawnServer(dataDir, [...KEY_FLAGS, ...blobArgs()]);
    connect(front);
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  });
  after(async () => {
    s3?.destroy();
    proxy.decide = () => ({ forward: true });
    await front?.stop();
    await proxy.close();
    await backend.stop();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it('S3: put, get, ranged get (passed through as a Range request), copy; the blobs are in the other bucket', async () => {
    // Leftovers of a gateway that died, for the last test's sweep: a blob and an unfinished upload under a tag with no lease.
    await backend.s3.send(new PutObjectCommand({ Bucket: blobBucket, Key: ORPHAN, Body: 'orphan' }));
    await backend.s3.send(new CreateMultipartUploadCommand({ Bucket: blobBucket, Key: 'front/blobs/76543210fedcba9876543210deadbeef' }));
    const big = bytes(300 * KB, 3);
    assert.ok(big.length > INLINE_MAX, 'big.bin is a blob');
    // A small body of a declared length is kept inline: nothing reaches the other system, on write or read.
    let seen = proxy.log.length;
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'small.txt', Body: SMALL }));
    assert.deepEqual(await readAll((await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'small.txt' }))).Body as never), SMALL);
    assert.deepEqual(blobRequests(seen), [], 'an inline object makes no blob request');
    assert.deepEqual(await held(), [ORPHAN], 'an inline object leaves nothing in the other bucket');
    seen = proxy.log.length;
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'big.bin', Body: big }));
    assert.ok(proxy.log.slice(seen).some((q) => q.method === 'PUT' && q.url.includes('/front/blobs/')), 'the big body went to the other system');
    assert.deepEqual(await readAll((await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'big.bin' }))).Body as never), big);
    seen = proxy.log.length;
    const r = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'big.bin', Range: 'bytes=100000-199999' }));
    assert.equal(r.ContentRange, `bytes 100000-199999/${big.length}`);
    assert.deepEqual(await readAll(r.Body as never), big.subarray(100000, 200000));
    assert.ok(proxy.log.slice(seen).some((q) => q.method === 'GET' && q.headers.range === 'bytes=100000-199999'), 'the range went to the other system');
    const blobs = await held();
    assert.equal(blobs.length, 2, `the orphan and big.bin's blob: ${blobs}`);
    assert.ok(blobs.includes(ORPHAN), `the orphan is still there: ${blobs}`);
    await s3.send(new CopyObjectCommand({ Bucket: bucket, Key: 'copy.bin', CopySource: `${bucket}/big.bin` }));
    assert.deepEqual(await held(), blobs, 'a copy shares the blob');
    assert.deepEqual(await readAll((await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'copy.bin' }))).Body as never), big);
  });

  it('S3 multipart: each part is a blob of its own (a small one too), completion copies nothing, ranges cross parts', async () => {
    const p1 = bytes(5 * MB, 5);
    // Parts are never inline, however small.
    const p2 = bytes(INLINE_MAX / 2, 6);
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'multi.bin' }));
    const start = (await held()).length;
    const e1 = await s3.send(new UploadPartCommand({ Bucket: bucket, Key: 'multi.bin', UploadId, PartNumber: 1, Body: p1 }));
    const e2 = await s3.send(new UploadPartCommand({ Bucket: bucket, Key: 'multi.bin', UploadId, PartNumber: 2, Body: p2 }));
    const before = (await held()).length;
    assert.equal(before, start + 2, 'each part is a blob in the other bucket');
    const seen = proxy.log.length;
    await s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: 'multi.bin', UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: e1.ETag }, { PartNumber: 2, ETag: e2.ETag }] } }));
    assert.equal((await held()).length, before);
    assert.ok(!proxy.log.slice(seen).some((q) => q.method === 'PUT' && !q.url.includes('/leases/')), 'no data written at completion');
    const whole = Buffer.concat([p1, p2]);
    assert.deepEqual(await readAll((await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'multi.bin' }))).Body as never), whole);
    const r = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'multi.bin', Range: `bytes=${5 * MB - 10}-${5 * MB + 9}` }));
    assert.deepEqual(await readAll(r.Body as never), whole.subarray(5 * MB - 10, 5 * MB + 10));
  });

  it('OSS (ali-oss): put, get, range, multipartUpload, append, delete; a small put stays inline', async () => {
    const body = pattern(150 * KB, 7);
    assert.ok(body.length > INLINE_MAX, 'oss/one.bin is a blob');
    let start = (await held()).length;
    await oss.put('oss/one.bin', body);
    assert.deepEqual((await oss.get('oss/one.bin')).content, body);
    assert.equal((await held()).length, start + 1, 'the put is a blob in the other bucket');
    const ranged = await oss.get('oss/one.bin', { headers: { Range: 'bytes=10-109' } });
    assert.equal(ranged.res.status, 206);
    assert.deepEqual(ranged.content, body.subarray(10, 110));
    const multi = pattern(350 * KB, 8);
    await oss.multipartUpload('oss/multi.bin', multi, { partSize: 100 * KB });
    assert.deepEqual((await oss.get('oss/multi.bin')).content, multi);
    // Appends are never inline, however small: each is a blob.
    start = (await held()).length;
    const a = await oss.append('oss/log.txt', Buffer.from('first,'));
    await oss.append('oss/log.txt', Buffer.from('second'), { position: a.nextAppendPosition });
    assert.equal((await held()).length, start + 2, 'each append is a blob in the other bucket');
    assert.equal((await oss.get('oss/log.txt')).content.toString(), 'first,second');
    // Exactly INLINE_MAX bytes, a declared length: inline.
    start = (await held()).length;
    const seen = proxy.log.length;
    await oss.put('oss/small.bin', pattern(INLINE_MAX, 11));
    assert.deepEqual((await oss.get('oss/small.bin')).content, pattern(INLINE_MAX, 11));
    assert.deepEqual(blobRequests(seen), [], 'an inline object makes no blob request');
    assert.equal((await held()).length, start, 'an inline object leaves nothing in the other bucket');
    await oss.delete('oss/one.bin');
    assert.equal((await ossError(oss.get('oss/one.bin'))).status, 404);
  });

  it('a failing other system: 503 in each dialect, /ready says so, nothing hangs; inline objects need none of it', async () => {
    proxy.decide = (q) => (q.url.includes('/leases/') && q.method === 'PUT' ? { forward: true } : { status: 503, body: '<Error><Code>SlowDown</Code></Error>' });
    const err = await sdkRejects(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'big.bin' })), 'ServiceUnavailable', 503);
    assert.ok(err.message.length > 0, 'the 503 says why');
    await sdkRejects(s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'refused.bin', Body: bytes(INLINE_MAX + 1, 12) })), 'ServiceUnavailable', 503);
    const o = await ossError(oss.get('oss/multi.bin'));
    assert.equal(o.status, 503);
    assert.equal(o.code, 'ServiceUnavailable');
    const p = await ossError(oss.put('oss/refused.bin', pattern(INLINE_MAX + 1, 13)));
    assert.equal(p.status, 503);
    assert.equal(p.code, 'ServiceUnavailable');
    // Down altogether: every connection to it is cut, the lease's too.
    proxy.decide = () => ({ destroy: true });
    await sdkRejects(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'big.bin' })), 'ServiceUnavailable', 503);
    // Inline objects are read, written and deleted without it.
    const seen = proxy.log.length;
    assert.deepEqual(await readAll((await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'small.txt' }))).Body as never), SMALL);
    assert.deepEqual((await oss.get('oss/small.bin')).content, pattern(INLINE_MAX, 11));
    const down = bytes(INLINE_MAX, 14);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'written-while-down.bin', Body: down }));
    assert.deepEqual(await readAll((await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'written-while-down.bin' }))).Body as never), down);
    await s3.send(new CopyObjectCommand({ Bucket: bucket, Key: 'copied-while-down.bin', CopySource: `${bucket}/written-while-down.bin` }));
    assert.deepEqual(await readAll((await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'copied-while-down.bin' }))).Body as never), down);
    for (const key of ['written-while-down.bin', 'copied-while-down.bin']) await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    assert.deepEqual(blobRequests(seen), [], 'inline objects make no blob request');
    const ready = await fetch(`${front.url}/ready`);
    assert.equal(ready.status, 503);
    proxy.decide = () => ({ forward: true });
    assert.equal((await fetch(`${front.url}/ready`)).status, 200);
    await sdkRejects(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'refused.bin' })), 'NoSuchKey', 404);
    assert.equal((await ossError(oss.get('oss/refused.bin'))).status, 404);
  });

  it('a stall mid-download: a small GET answers 503, a streamed one is cut, neither hangs; an inline object is served', async () => {
    proxy.decide = (q) => (q.method === 'GET' && q.url.includes('/blobs/') ? { forward: true, stallAfter: 1000 } : { forward: true });
    // An answer of at most 64 KiB (here 50 KB of a blob) is read whole before it begins: a stall is a 503.
    let seen = proxy.log.length;
    await sdkRejects(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'big.bin', Range: 'bytes=0-49999' })), 'ServiceUnavailable', 503);
    assert.ok(proxy.log.slice(seen).some((q) => q.method === 'GET' && q.headers.range === 'bytes=0-49999'), 'the range was asked of the other system');
    const r = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'big.bin' }));
    assert.equal(r.$metadata.httpStatusCode, 200);
    await assert.rejects(readAll(r.Body as never));
    seen = proxy.log.length;
    assert.deepEqual(await readAll((await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'small.txt' }))).Body as never), SMALL);
    assert.deepEqual(blobRequests(seen), [], 'an inline object makes no blob request');
    proxy.decide = () => ({ forward: true });
  });

  it('after the deletes and the start-up sweep, nothing is left in the other bucket', async () => {
    for (const key of ['small.txt', 'big.bin', 'copy.bin', 'multi.bin']) await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    await oss.delete('oss/multi.bin');
    const keep = bytes(INLINE_MAX + 1, 10);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'kept.bin', Body: keep }));
    await oss.delete('oss/log.txt');
    assert.equal((await held()).filter((k) => k !== ORPHAN).length, 1, `only kept.bin's blob: ${await held()}`);
    assert.ok((await held()).includes(ORPHAN), 'a live gateway sweeps only at start-up');
    // A restart, configured through the environment this time: its start-up sweep takes them.
    await front.stop();
    assert.deepEqual(await held('leases/'), [], 'a clean stop removes the lease');
    front = await spawnServer(dataDir, KEY_FLAGS, {
      STRATUS_BLOB: `s3://${blobBucket}/front`,
      STRATUS_BLOB_ENDPOINT: proxy.url,
      STRATUS_BLOB_ACCESS_KEY: ACCESS_KEY,
      STRATUS_BLOB_SECRET_KEY: SECRET_KEY,
    });
    connect(front);
    assert.equal((await held()).length, 1);
    const uploads = await backend.s3.send(new ListMultipartUploadsCommand({ Bucket: blobBucket, Prefix: 'front/' }));
    assert.equal(uploads.Uploads?.length ?? 0, 0);
    assert.deepEqual(await readAll((await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'kept.bin' }))).Body as never), keep);
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'kept.bin' }));
    assert.deepEqual(await held(), []);
    await front.stop();
    assert.deepEqual(await held(''), []);
  });
});
