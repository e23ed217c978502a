/**
 * The S3 blob store's own bad paths: a backend that fails, refuses, stalls or
 * cannot be reached for its lease; what the sweep does with other processes'
 * leftovers. The backend is a second Stratus, behind a fault-injecting proxy.
 */
import { CreateBucketCommand, CreateMultipartUploadCommand, ListMultipartUploadsCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { S3BlobStore, type S3BlobStoreOptions } from '../../src/blob/s3/s3-store.js';
import { isStorageError } from '../../src/engine/errors.js';
import { startProxy, type TestProxy } from '../helpers/proxy.js';
import { ACCESS_KEY, bucketName, SECRET_KEY, startTestServer, type TestServer } from '../helpers/server.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function rejectsWith(p: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(isStorageError(e), `expected StorageError ${code}, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    return true;
  });
}

describe('S3 blob store: failures of the other system', () => {
  let backend: TestServer;
  let proxy: TestProxy;
  let bucket: string;
  const warnings: string[] = [];
  const stores: S3BlobStore[] = [];

  async function open(o: Partial<S3BlobStoreOptions> = {}): Promise<S3BlobStore> {
    const s = new S3BlobStore({
      endpoint: proxy.url,
      bucket,
      prefix: 'p/',
      accessKey: ACCESS_KEY,
      secretKey: SECRET_KEY,
      region: 'us-east-1',
      timeoutMs: 500,
      log: { warn: (_o, msg) => warnings.push(msg) },
      ...o,
    });
    await s.init();
    stores.push(s);
    return s;
  }
  const objects = async (prefix = 'q/blobs/') => ((await backend.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }))).Contents ?? []).map((c) => c.Key!);

  before(async () => {
    backend = await startTestServer();
    bucket = bucketName('blobs');
    await backend.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    proxy = await startProxy(backend.url);
  });
  after(async () => {
    proxy.decide = () => ({ forward: true });
    for (const s of stores) await s.close();
    await proxy.close();
    await backend.stop();
  });

  it('will not start on a bucket it cannot write, saying which', async () => {
    const s = new S3BlobStore({ endpoint: backend.url, bucket: 'no-such-bucket-here', prefix: '', accessKey: ACCESS_KEY, secretKey: SECRET_KEY, region: 'us-east-1', timeoutMs: 500 });
    await assert.rejects(s.init(), /s3:\/\/no-such-bucket-here\/ .* cannot be written: .*404 NoSuchBucket/);
  });

  it('answers ServiceUnavailable for 5xx answers and cut connections, after retrying reads', async () => {
    const store = await open();
    const data = randomBytes(10_000);
    const p = await store.write(Readable.from([data]), { expectedSize: data.length });
    await p.commit();
    const seen = proxy.log.length;
    proxy.decide = (r) => (r.method === 'GET' ? { status: 503, body: '<Error><Code>SlowDown</Code></Error>' } : { forward: true });
    await rejectsWith(store.read(p.id), 'ServiceUnavailable');
    assert.equal(proxy.log.slice(seen).filter((r) => r.method === 'GET').length, 3, 'a GET is tried three times');
    await rejectsWith(store.readBuffer(p.id, { start: 0, end: 99 }), 'ServiceUnavailable');
    proxy.decide = (r) => (r.method === 'PUT' ? { destroy: true } : { forward: true });
    await rejectsWith(store.write(Readable.from([data]), { expectedSize: data.length }), 'ServiceUnavailable');
    await rejectsWith(store.write(Readable.from([data])), 'ServiceUnavailable');
    proxy.decide = (r) => (r.method === 'PUT' ? { status: 500, body: '<Error><Code>InternalError</Code></Error>' } : { forward: true });
    await rejectsWith(store.write(Readable.from([data]), { expectedSize: data.length }), 'ServiceUnavailable');
    await rejectsWith(store.check(), 'ServiceUnavailable');
    // A delete runs after a commit: it is logged, never thrown.
    proxy.decide = () => ({ status: 503 });
    await store.delete(p.id);
    assert.ok(warnings.some((w) => /delete failed/.test(w)));
    proxy.decide = () => ({ forward: true });
    assert.deepEqual(await store.readBuffer(p.id), data);
    assert.ok(warnings.some((w) => /read of .* failed/.test(w)));
  });

  it('answers ServiceUnavailable when the other system cannot be reached at all', async () => {
    const way = await startProxy(backend.url);
    const store = await open({ endpoint: way.url });
    // The only way to the other system closes: connections are refused from here on.
    await way.close();
    await rejectsWith(store.read(randomBytes(16).toString('hex')), 'ServiceUnavailable');
    await rejectsWith(store.write(Readable.from([Buffer.from('x')]), { expectedSize: 1 }), 'ServiceUnavailable');
    await rejectsWith(store.check(), 'ServiceUnavailable');
  });

  it('fails a read whose body stalls instead of hanging, and lets a slow reader take its time', async () => {
    const store = await open();
    const data = randomBytes(2 * 1024 * 1024);
    const p = await store.write(Readable.from([data]), { expectedSize: data.length });
    await p.commit();
    proxy.decide = (r) => (r.method === 'GET' ? { forward: true, stallAfter: 100_000 } : { forward: true });
    const stalled = await store.read(p.id);
    let got = 0;
    await rejectsWith(
      (async () => {
        for await (const c of stalled) got += (c as Buffer).length;
      })(),
      'ServiceUnavailable',
    );
    assert.ok(got <= 100_000, `${got} bytes before the stall was noticed`);
    await rejectsWith(store.readBuffer(p.id, { start: 0, end: 200_000 }), 'ServiceUnavailable');
    proxy.decide = () => ({ forward: true });
    // A reader that pauses for longer than the stall timeout still gets every byte.
    const slow = await store.read(p.id);
    const chunks: Buffer[] = [];
    let paused = false;
    for await (const c of slow) {
      chunks.push(c as Buffer);
      if (!paused) {
        paused = true;
        await sleep(1500);
      }
    }
    assert.deepEqual(Buffer.concat(chunks), data);
  });

  it('fails a write whose upload the other system stops reading', async () => {
    const store = await open();
    const body = async function* () {
      for (let i = 0; i < 64; i++) yield randomBytes(256 * 1024);
    };
    proxy.decide = (r) => (r.method === 'PUT' ? { forward: true, before: () => new Promise<void>(() => undefined) } : { forward: true });
    await rejectsWith(store.write(body(), { expectedSize: 64 * 256 * 1024 }), 'ServiceUnavailable');
    proxy.decide = () => ({ forward: true });
  });

  it('refuses to commit a blob once its lease lapsed, and carries on under a new one', async () => {
    const store = await open({ lease: { refreshMs: 3_600_000, ttlMs: 1200, marginMs: 400 } });
    const before = await store.write(Readable.from([Buffer.from('early')]), { expectedSize: 5 });
    await before.commit();
    const late = await store.write(Readable.from([Buffer.from('late')]), { expectedSize: 4 });
    await sleep(1000);
    // Another gateway may take this process for dead by now: the blob must not become an object's.
    await rejectsWith(late.commit(), 'ServiceUnavailable');
    await late.discard();
    await store.check();
    const next = await store.write(Readable.from([Buffer.from('next')]), { expectedSize: 4 });
    await next.commit();
    assert.notEqual(next.id.slice(24), before.id.slice(24), 'a new lease tag');
    assert.deepEqual(await store.readBuffer(before.id), Buffer.from('early'));
  });

  it('sweeps a live writer\'s blob only past the longest write, and unfinished uploads of dead writers', async () => {
    const writer = await open({ prefix: 'q/' });
    const orphan = await writer.write(Readable.from([Buffer.from('orphan')]), { expectedSize: 6 });
    await orphan.commit();
    // A dead process's multipart upload and blob (its lease is gone), left in the bucket.
    const deadId = randomBytes(12).toString('hex') + 'deadbeef';
    await backend.s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: `q/blobs/${deadId}` }));
    const deadBlob = randomBytes(12).toString('hex') + 'deadbeef';
    await backend.s3.send(new PutObjectCommand({ Bucket: bucket, Key: `q/blobs/${deadBlob}`, Body: 'x' }));
    await backend.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'q/blobs/not-a-blob', Body: 'kept' }));
    const sweeper = await open({ prefix: 'q/' });
    const r1 = await sweeper.sweep(async () => false, Date.now() + 5000);
    assert.deepEqual(r1, { blobs: 1, temps: 1 });
    assert.ok((await objects()).includes(`q/blobs/${orphan.id}`), 'the live writer\'s blob is spared');
    assert.ok(!(await objects()).includes(`q/blobs/${deadBlob}`));
    assert.ok((await objects()).includes('q/blobs/not-a-blob'), 'what Stratus did not write is left alone');
    const uploads = await backend.s3.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: 'q/' }));
    assert.equal(uploads.Uploads?.length ?? 0, 0);
    // Older than any write can take: a failed delete's leftover, swept though its writer lives.
    await sleep(2100);
    const patient = await open({ prefix: 'q/', maxWriteMs: 1000 });
    const r2 = await patient.sweep(async () => false, Date.now() + 5000);
    assert.ok(r2.blobs >= 1);
    assert.ok(!(await objects()).includes(`q/blobs/${orphan.id}`));
  });
});
