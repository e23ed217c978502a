/** uploadFile / downloadFile in process: thresholds, parts, progress, checkpoints, resume after cancel, restarts, verification. */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { collect, type ProgressEvent, type StratusClient } from '../../src/sdk/index.js';
import { choosePartSize } from '../../src/sdk/transfer/upload-file.js';
import { countRequests, startProxy, type TestProxy } from '../helpers/proxy.js';
import { bucketName, startTestServer, type TestServer } from '../helpers/server.js';
import { expectError, sdkClient } from './helpers.js';

const MiB = 1024 * 1024;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function checkpointFiles(dir: string, suffix: string): Promise<string[]> {
  return (await fs.readdir(dir)).filter((f) => f.endsWith(suffix));
}

describe('SDK transfer manager (s3)', () => {
  let t: TestServer;
  let proxy: TestProxy;
  let c: StratusClient;
  let tmp: string;
  const bucket = bucketName('xfer');
  before(async () => {
    t = await startTestServer();
    proxy = await startProxy(t.url);
    c = sdkClient(proxy.url);
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'stratus-xfer-'));
    await c.createBucket(bucket);
  });
  after(async () => {
    c.destroy();
    await proxy.close();
    await t.stop();
    await fs.rm(tmp, { recursive: true, force: true });
  });
  const reset = (decide: TestProxy['decide'] = () => ({ forward: true })) => {
    proxy.log.length = 0;
    proxy.decide = decide;
  };

  it('chooses part sizes that keep a file within the part limit', () => {
    const limits = { minPartSize: 5 * MiB, maxPartSize: 5 * 1024 * MiB, maxParts: 10000 };
    assert.equal(choosePartSize(100 * MiB, 8 * MiB, limits), 8 * MiB);
    assert.equal(choosePartSize(100 * MiB, 1 * MiB, limits), 5 * MiB);
    const big = 200 * 1024 * MiB; // 200 GiB at 8 MiB would need 25600 parts
    const ps = choosePartSize(big, 8 * MiB, limits);
    assert.ok(Math.ceil(big / ps) <= 10000 && ps % MiB === 0);
  });

  it('sends a small file in one PUT and leaves no checkpoint', async () => {
    const file = path.join(tmp, 'small.bin');
    const data = randomBytes(100_000);
    await fs.writeFile(file, data);
    reset();
    const events: ProgressEvent[] = [];
    const r = await c.uploadFile(bucket, 'small.bin', file, { onProgress: (e) => events.push(e) });
    assert.equal(r.multipart, false);
    assert.equal(countRequests(proxy.log, 'PUT'), 1);
    assert.equal(events.at(-1)?.done, true);
    assert.equal(events.at(-1)?.bytesDone, data.length);
    assert.deepEqual((await c.getObjectBuffer(bucket, 'small.bin')).data, data);
    assert.deepEqual(await checkpointFiles(tmp, '.stratus-upload.json'), []);
  });

  it('uploads a larger file in parallel parts with Content-MD5, progress, and the multipart ETag checked', async () => {
    const file = path.join(tmp, 'big.bin');
    const data = randomBytes(21 * MiB + 123);
    await fs.writeFile(file, data);
    reset();
    const events: ProgressEvent[] = [];
    const r = await c.uploadFile(bucket, 'big.bin', file, { partSize: 5 * MiB, concurrency: 3, contentType: 'application/x-big', metadata: { k: 'v' }, onProgress: (e) => events.push(e) });
    assert.equal(r.multipart, true);
    assert.equal(r.partsUploaded, 5);
    assert.match(r.etag, /-5$/);
    const parts = proxy.log.filter((q) => q.method === 'PUT' && q.url.includes('partNumber='));
    assert.equal(parts.length, 5);
    assert.ok(parts.every((p) => typeof p.headers['content-md5'] === 'string'), 'every part carries Content-MD5');
    const done = events.filter((e) => e.done);
    assert.equal(done.length, 1);
    assert.equal(done[0]!.bytesDone, data.length);
    for (let i = 1; i < events.length; i++) assert.ok(events[i]!.bytesDone >= events[i - 1]!.bytesDone);
    const got = await c.getObjectBuffer(bucket, 'big.bin');
    assert.equal(sha(got.data), sha(data));
    assert.equal(got.info.contentType, 'application/x-big');
    assert.deepEqual(got.info.metadata, { k: 'v' });
    assert.deepEqual(await checkpointFiles(tmp, '.stratus-upload.json'), []);
  });

  it('resumes a cancelled upload from its checkpoint, sending only the missing parts', async () => {
    const file = path.join(tmp, 'resume.bin');
    const data = randomBytes(30 * MiB);
    await fs.writeFile(file, data);
    reset();
    const ac = new AbortController();
    await expectError(
      c.uploadFile(bucket, 'resume.bin', file, { partSize: 5 * MiB, concurrency: 1, signal: ac.signal, onProgress: (e) => e.partsDone >= 2 && ac.abort() }),
      { code: 'Aborted' },
    );
    const [cp] = await checkpointFiles(tmp, '.stratus-upload.json');
    assert.ok(cp, 'the checkpoint stays after a cancel');
    const record = JSON.parse(await fs.readFile(path.join(tmp, cp), 'utf8'));
    assert.equal(record.bucket, bucket);
    assert.equal(record.key, 'resume.bin');
    assert.equal(record.fileSize, data.length);
    assert.equal(record.partSize, 5 * MiB);
    const before = await collect(c.listParts(bucket, 'resume.bin', record.uploadId));
    assert.ok(before.length >= 2 && before.length < 6);
    reset();
    const r = await c.uploadFile(bucket, 'resume.bin', file, { partSize: 5 * MiB, concurrency: 2 });
    assert.equal(r.resumed, true);
    assert.equal(r.uploadId, record.uploadId);
    assert.equal(countRequests(proxy.log, 'PUT', 'partNumber'), 6 - before.length, 'only the parts the server lacked');
    assert.equal(r.partsReused, before.length);
    assert.equal(sha((await c.getObjectBuffer(bucket, 'resume.bin')).data), sha(data));
    assert.deepEqual(await checkpointFiles(tmp, '.stratus-upload.json'), []);
  });

  it('starts over, aborting the old upload, when the file changed between runs', async () => {
    const file = path.join(tmp, 'changed.bin');
    await fs.writeFile(file, randomBytes(12 * MiB));
    const ac = new AbortController();
    await expectError(c.uploadFile(bucket, 'changed.bin', file, { partSize: 5 * MiB, concurrency: 1, signal: ac.signal, onProgress: (e) => e.partsDone >= 1 && ac.abort() }), {
      code: 'Aborted',
    });
    const [cp] = await checkpointFiles(tmp, '.stratus-upload.json');
    const old = JSON.parse(await fs.readFile(path.join(tmp, cp!), 'utf8'));
    const changed = randomBytes(11 * MiB);
    await fs.writeFile(file, changed);
    reset();
    const r = await c.uploadFile(bucket, 'changed.bin', file, { partSize: 5 * MiB });
    assert.equal(r.resumed, false);
    assert.notEqual(r.uploadId, old.uploadId);
    assert.equal(countRequests(proxy.log, 'PUT', 'partNumber'), 3);
    assert.ok(proxy.log.some((q) => q.method === 'DELETE' && q.url.includes(`uploadId=${encodeURIComponent(old.uploadId)}`)), 'the old upload was aborted');
    const uploads = await collect(c.listMultipartUploads(bucket, { prefix: 'changed.bin' }));
    assert.deepEqual(uploads, []);
    assert.equal(sha((await c.getObjectBuffer(bucket, 'changed.bin')).data), sha(changed));
  });

  it('starts over when the recorded upload no longer exists', async () => {
    const file = path.join(tmp, 'vanished.bin');
    const data = randomBytes(11 * MiB);
    await fs.writeFile(file, data);
    const ac = new AbortController();
    await expectError(c.uploadFile(bucket, 'vanished.bin', file, { partSize: 5 * MiB, concurrency: 1, signal: ac.signal, onProgress: (e) => e.partsDone >= 1 && ac.abort() }), {
      code: 'Aborted',
    });
    const [cp] = await checkpointFiles(tmp, '.stratus-upload.json');
    const old = JSON.parse(await fs.readFile(path.join(tmp, cp!), 'utf8'));
    await c.abortMultipartUpload(bucket, 'vanished.bin', old.uploadId);
    const r = await c.uploadFile(bucket, 'vanished.bin', file, { partSize: 5 * MiB });
    assert.equal(r.resumed, false);
    assert.equal(r.partsUploaded, 3);
    assert.equal(sha((await c.getObjectBuffer(bucket, 'vanished.bin')).data), sha(data));
  });

  it('ignores a corrupt checkpoint file', async () => {
    const file = path.join(tmp, 'corrupt.bin');
    const data = randomBytes(11 * MiB);
    await fs.writeFile(file, data);
    const cp = path.join(tmp, 'corrupt.ckpt');
    await fs.writeFile(cp, '{"version":1,"kind":"upload", trunc');
    const r = await c.uploadFile(bucket, 'corrupt.bin', file, { partSize: 5 * MiB, checkpoint: cp });
    assert.equal(r.resumed, false);
    await assert.rejects(fs.access(cp));
    assert.equal(sha((await c.getObjectBuffer(bucket, 'corrupt.bin')).data), sha(data));
  });

  it('refuses an unreadable local file with LocalIOError', async () => {
    await expectError(c.uploadFile(bucket, 'x', path.join(tmp, 'does-not-exist')), { code: 'LocalIOError' });
    const dir = path.join(tmp, 'a-dir');
    await fs.mkdir(dir, { recursive: true });
    await expectError(c.uploadFile(bucket, 'x', dir), { code: 'LocalIOError' });
  });

  it('downloads in verified parallel ranges into a temporary file, then renames it', async () => {
    const data = randomBytes(13 * MiB + 7);
    await c.putObject(bucket, 'dl/single', data);
    const target = path.join(tmp, 'dl', 'single.bin');
    reset();
    const events: ProgressEvent[] = [];
    const r = await c.downloadFile(bucket, 'dl/single', target, { partSize: 4 * MiB, concurrency: 3, onProgress: (e) => events.push(e) });
    assert.equal(r.verifiedBy, 'crc64', "S3's whole-object CRC-64/NVME is checked from the parts' CRCs (no second read of the file)");
    assert.equal(r.partsDownloaded, 4);
    const gets = proxy.log.filter((q) => q.method === 'GET');
    assert.equal(gets.length, 4);
    assert.ok(gets.every((g) => g.headers['if-match'] === `"${r.etag}"` && /^bytes=\d+-\d+$/.test(String(g.headers.range))), 'each range is conditional on the ETag');
    assert.equal(sha(await fs.readFile(target)), sha(data));
    assert.equal(events.at(-1)?.done, true);
    const st = await fs.stat(target);
    assert.equal(Math.floor(st.mtimeMs / 1000), Math.floor(r.lastModified!.getTime() / 1000), 'the file takes the object time');
    assert.deepEqual((await fs.readdir(path.dirname(target))).sort(), ['single.bin']);
    // A server that reports no checksum: a single-part object is checked against its MD5 ETag.
    proxy.decide = () => ({
      forward: true,
      rewriteHeaders: (h) => Object.fromEntries(Object.entries(h).filter(([k]) => !k.startsWith('x-amz-checksum-'))),
    });
    try {
      const again = await c.downloadFile(bucket, 'dl/single', path.join(tmp, 'dl', 'single-md5.bin'), { partSize: 4 * MiB });
      assert.equal(again.verifiedBy, 'md5', 'a single-part S3 object is checked against its MD5 ETag');
      assert.equal(sha(await fs.readFile(path.join(tmp, 'dl', 'single-md5.bin'))), sha(data));
    } finally {
      proxy.decide = () => ({ forward: true });
    }
  });

  it('resumes a cancelled download and fetches only the missing ranges', async () => {
    const data = randomBytes(20 * MiB);
    await c.putObject(bucket, 'dl/resume', data);
    const target = path.join(tmp, 'dl', 'resume.bin');
    const ac = new AbortController();
    await expectError(c.downloadFile(bucket, 'dl/resume', target, { partSize: 4 * MiB, concurrency: 1, signal: ac.signal, onProgress: (e) => e.partsDone >= 2 && ac.abort() }), {
      code: 'Aborted',
    });
    const record = JSON.parse(await fs.readFile(target + '.stratus-download.json', 'utf8'));
    const doneBefore = record.parts.length;
    assert.ok(doneBefore >= 2 && doneBefore < 5);
    await assert.rejects(fs.access(target), 'the target is not created before the download is whole');
    reset();
    const r = await c.downloadFile(bucket, 'dl/resume', target, { partSize: 4 * MiB, concurrency: 2 });
    assert.equal(r.resumed, true);
    assert.equal(countRequests(proxy.log, 'GET'), 5 - doneBefore);
    assert.equal(sha(await fs.readFile(target)), sha(data));
    assert.deepEqual((await fs.readdir(path.dirname(target))).filter((f) => f.startsWith('resume')), ['resume.bin']);
  });

  it('starts a download over when the object changed between runs', async () => {
    await c.putObject(bucket, 'dl/changes', randomBytes(12 * MiB));
    const target = path.join(tmp, 'dl', 'changes.bin');
    const ac = new AbortController();
    await expectError(c.downloadFile(bucket, 'dl/changes', target, { partSize: 4 * MiB, concurrency: 1, signal: ac.signal, onProgress: (e) => e.partsDone >= 1 && ac.abort() }), {
      code: 'Aborted',
    });
    const now = randomBytes(9 * MiB);
    await c.putObject(bucket, 'dl/changes', now);
    reset();
    const r = await c.downloadFile(bucket, 'dl/changes', target, { partSize: 4 * MiB });
    assert.equal(r.resumed, false);
    assert.equal(countRequests(proxy.log, 'GET'), 3);
    assert.equal(sha(await fs.readFile(target)), sha(now));
  });

  it('stops with 412 when the object changes during the download, keeping the old target', async () => {
    await c.putObject(bucket, 'dl/moving', randomBytes(12 * MiB));
    const target = path.join(tmp, 'dl', 'moving.bin');
    await fs.writeFile(target, 'old contents');
    let gets = 0;
    reset((q) => {
      if (q.method === 'GET' && ++gets === 2) return { forward: true, before: () => c.putObject(bucket, 'dl/moving', 'replaced').then(() => undefined) };
      return { forward: true };
    });
    const e = await expectError(c.downloadFile(bucket, 'dl/moving', target, { partSize: 4 * MiB, concurrency: 1 }), { status: 412 });
    assert.match(e.message, /changed during the download/);
    assert.equal(await fs.readFile(target, 'utf8'), 'old contents');
    assert.deepEqual((await fs.readdir(path.dirname(target))).filter((f) => f.startsWith('moving')), ['moving.bin']);
  });

  it('discards a download whose bytes do not match the MD5', async () => {
    const data = randomBytes(6 * MiB);
    await c.putObject(bucket, 'dl/corrupt', data);
    const target = path.join(tmp, 'dl', 'corrupt.bin');
    let gets = 0;
    reset((q) => (q.method === 'GET' && ++gets === 1 ? { forward: true, corrupt: true } : { forward: true }));
    await expectError(c.downloadFile(bucket, 'dl/corrupt', target, { partSize: 4 * MiB, concurrency: 1 }), { code: 'IntegrityError' });
    await assert.rejects(fs.access(target));
    assert.deepEqual((await fs.readdir(path.dirname(target))).filter((f) => f.startsWith('corrupt')), []);
    reset();
    await c.downloadFile(bucket, 'dl/corrupt', target);
    assert.equal(sha(await fs.readFile(target)), sha(data));
  });

  it('downloads an empty object and a multipart object (checked by size and CRC-64)', async () => {
    await c.putObject(bucket, 'dl/empty', Buffer.alloc(0));
    const empty = path.join(tmp, 'dl', 'empty.bin');
    const r0 = await c.downloadFile(bucket, 'dl/empty', empty);
    assert.equal(r0.size, 0);
    assert.equal((await fs.readFile(empty)).length, 0);
    const src = path.join(tmp, 'mp-src.bin');
    const data = randomBytes(11 * MiB);
    await fs.writeFile(src, data);
    await c.uploadFile(bucket, 'dl/mp', src, { partSize: 5 * MiB });
    const target = path.join(tmp, 'dl', 'mp.bin');
    const r = await c.downloadFile(bucket, 'dl/mp', target, { concurrency: 2 });
    assert.equal(r.verifiedBy, 'crc64', 'a multipart object too has a whole-object CRC-64/NVME');
    assert.equal(sha(await fs.readFile(target)), sha(data));
    await expectError(c.downloadFile(bucket, 'dl/none', path.join(tmp, 'dl', 'none')), { code: 'NoSuchKey', status: 404 });
  });
});
