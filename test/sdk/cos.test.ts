/** COS JSON v4 through StratusClient: files, folders, listing walks, metadata, ACL (authority), download URLs, slice transfers. */
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { collect, type StratusClient } from '../../src/sdk/index.js';
import { rawRequest } from '../helpers/raw.js';
import { bucketName, startTestServer, type TestServer } from '../helpers/server.js';
import { expectError, sdkClient } from './helpers.js';

const APPID = '1250000000';
const MiB = 1024 * 1024;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('SDK cos: files, folders, listings, transfers', () => {
  let t: TestServer;
  let c: StratusClient;
  let tmp: string;
  const bucket = bucketName('sdkcos');
  before(async () => {
    t = await startTestServer({ appid: APPID });
    await t.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    c = sdkClient(t.url, 'cos', { appid: APPID });
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'stratus-cos-'));
  });
  after(async () => {
    c.destroy();
    await t.stop();
    await fs.rm(tmp, { recursive: true, force: true });
  });

  it('checks buckets, and refuses bucket administration v4 does not have', async () => {
    await c.headBucket(bucket);
    assert.equal(await c.bucketExists(bucketName('nope')), false);
    await expectError(c.createBucket('x'), { code: 'NotSupported', status: 0 });
    await expectError(c.listBuckets(), { code: 'NotSupported' });
  });

  it('puts, heads, gets (whole and ranged), and deletes files with metadata', async () => {
    const data = randomBytes(50_000);
    const put = await c.putObject(bucket, 'docs/a.bin', data, { contentType: 'application/x-a', metadata: { owner: 'me' } });
    assert.ok(put.etag.length > 0);
    const h = await c.headObject(bucket, 'docs/a.bin');
    assert.equal(h.size, data.length);
    assert.equal(h.contentType, 'application/x-a');
    assert.deepEqual(h.metadata, { owner: 'me' });
    assert.equal(h.sha1, createHash('sha1').update(data).digest('hex'));
    assert.deepEqual((await c.getObjectBuffer(bucket, 'docs/a.bin')).data, data);
    const r = await c.getObjectBuffer(bucket, 'docs/a.bin', { range: { start: 100, end: 199 } });
    assert.deepEqual(r.data, data.subarray(100, 200));
    assert.equal(r.info.size, data.length);
    await c.putObject(bucket, 'docs/a.bin', 'overwritten');
    assert.equal((await c.getObjectBuffer(bucket, 'docs/a.bin')).data.toString(), 'overwritten');
    await expectError(c.getObject(bucket, 'docs/a.bin', { ifMatch: '"nope"' }), { status: 412 });
    await expectError(c.getObject(bucket, 'docs/a.bin', { ifNoneMatch: `"${(await c.headObject(bucket, 'docs/a.bin')).etag}"` }), { status: 304 });
    await c.deleteObject(bucket, 'docs/a.bin');
    const gone = await expectError(c.headObject(bucket, 'docs/a.bin'), { status: 404 });
    assert.equal(gone.notFound, true);
    await c.deleteObject(bucket, 'docs/a.bin'); // deleting what is gone succeeds, as elsewhere
  });

  it('makes folders and walks them in key order, by level or recursively', async () => {
    await c.putObject(bucket, 'tree/', '');
    for (const k of ['tree/b.txt', 'tree/sub/x', 'tree/sub/deeper/y', 'tree/c', 'tree/a']) await c.putObject(bucket, k, k);
    const all = await collect(c.listObjects(bucket, { prefix: 'tree/' }));
    assert.deepEqual(all.map((e) => e.key), ['tree/a', 'tree/b.txt', 'tree/c', 'tree/sub/deeper/y', 'tree/sub/x']);
    const level = await collect(c.listObjects(bucket, { prefix: 'tree/', delimiter: '/' }));
    assert.deepEqual(level.map((e) => [e.key, e.isPrefix === true]), [['tree/a', false], ['tree/b.txt', false], ['tree/c', false], ['tree/sub/', true]]);
    const byName = await collect(c.listObjects(bucket, { prefix: 'tree/b' }));
    assert.deepEqual(byName.map((e) => e.key), ['tree/b.txt']);
    const entry = all[0]!;
    assert.ok(!entry.isPrefix && entry.size === 6);
    const r = await c.deleteObjects(bucket, all.map((e) => e.key));
    assert.equal(r.errors.length, 0);
    await c.deleteObject(bucket, 'tree/sub/deeper/');
    await c.deleteObject(bucket, 'tree/sub/');
    await c.deleteObject(bucket, 'tree/');
    assert.deepEqual(await collect(c.listObjects(bucket, { prefix: 'tree/' })), []);
  });

  it('copies within a bucket and sets the authority as a canned ACL', async () => {
    await c.putObject(bucket, 'src.txt', 'copy me', { metadata: { k: 'v' } });
    await c.copyObject(bucket, 'src.txt', bucket, 'dst.txt');
    assert.equal((await c.getObjectBuffer(bucket, 'dst.txt')).data.toString(), 'copy me');
    await expectError(c.copyObject(bucket, 'src.txt', 'other', 'x'), { code: 'NotSupported' });
    await c.putObjectAcl(bucket, 'dst.txt', 'public-read');
    assert.equal((await c.getObjectAcl(bucket, 'dst.txt')).canned, 'public-read');
    await c.putObjectAcl(bucket, 'dst.txt', 'private');
    assert.equal((await c.getObjectAcl(bucket, 'dst.txt')).canned, 'private');
  });

  it('presigns download URLs a plain HTTP client can use', async () => {
    await c.putObject(bucket, 'shared/file name.txt', 'by link');
    const url = await c.presignUrl(bucket, 'shared/file name.txt', { expiresSeconds: 120 });
    const r = await rawRequest(url);
    assert.equal(r.status, 200);
    assert.equal(r.body.toString(), 'by link');
    await expectError(c.presignUrl(bucket, 'x', { method: 'PUT' }), { code: 'NotSupported' });
  });

  it('uploads a file in slices, resumes an interrupted upload, and downloads verified by SHA-1', async () => {
    const data = randomBytes(12 * MiB + 5);
    const file = path.join(tmp, 'slices.bin');
    await fs.writeFile(file, data);
    const ac = new AbortController();
    await expectError(
      c.uploadFile(bucket, 'big/slices.bin', file, { partSize: 1 * MiB, concurrency: 1, signal: ac.signal, onProgress: (e) => e.partsDone >= 3 && ac.abort() }),
      { code: 'Aborted' },
    );
    const r = await c.uploadFile(bucket, 'big/slices.bin', file, { partSize: 1 * MiB, concurrency: 2 });
    assert.equal(r.multipart, true);
    assert.equal(r.resumed, true);
    assert.ok(r.partsReused >= 3, `slices kept by the server: ${r.partsReused}`);
    const target = path.join(tmp, 'slices.out');
    const d = await c.downloadFile(bucket, 'big/slices.bin', target, { partSize: 5 * MiB });
    assert.equal(d.verifiedBy, 'sha1');
    assert.equal(sha(await fs.readFile(target)), sha(data));
  });

  it('gives typed errors for COS codes and local checks', async () => {
    await expectError(c.putObject(bucket, 'bad:name', 'x'), { code: 'InvalidArgument', status: 0 });
    await expectError(c.getObject(bucket, 'nothing/here'), { code: 'NoSuchKey', status: 404 });
    await expectError(c.appendObject(bucket, 'a', 0, 'x'), { code: 'NotSupported' });
  });
});
