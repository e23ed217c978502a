import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import type ObsClient from 'esdk-obs-nodejs';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { bucketName, type TestServer } from '../helpers/server.js';
import { obsClient, ok, readAll, startObsServer } from './helpers.js';

const md5 = (b: Buffer | string) => createHash('md5').update(b).digest('hex');

/** One engine behind both front ends: what OBS writes, S3 reads the same, and the other way round. */
describe('OBS and S3 read the same objects', () => {
  let t: TestServer;
  let c: ObsClient;
  let tmp: string;
  const bucket = bucketName('obs-x');
  before(async () => {
    t = await startObsServer();
    c = await obsClient(t, 'obs');
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'obs-x-'));
    await ok(c.createBucket({ Bucket: bucket }));
  });
  after(async () => {
    c.close();
    await t.stop();
    await fs.rm(tmp, { recursive: true, force: true });
  });

  const s3Get = async (Key: string) => {
    const r = await t.s3.send(new GetObjectCommand({ Bucket: bucket, Key }));
    return { r, bytes: Buffer.from(await r.Body!.transformToByteArray()) };
  };

  it('an object put through OBS (file, metadata, storage class) reads back identically through S3', async () => {
    const data = randomBytes(200 * 1024);
    const file = path.join(tmp, 'data.bin');
    await fs.writeFile(file, data);
    const put = await ok(c.putObject({ Bucket: bucket, Key: 'dir/obj.bin', SourceFile: file, ContentType: 'application/x-data', Metadata: { origin: 'obs', n: '42' }, StorageClass: 'WARM', CacheControl: 'max-age=60' }));
    const { r, bytes } = await s3Get('dir/obj.bin');
    assert.equal(md5(bytes), md5(data));
    assert.equal(r.ETag, put.ETag);
    assert.equal(r.ContentType, 'application/x-data');
    assert.equal(r.CacheControl, 'max-age=60');
    assert.deepEqual(r.Metadata, { origin: 'obs', n: '42' });
    // OBS's WARM is S3's STANDARD_IA: one stored class, each protocol's name for it.
    assert.equal(r.StorageClass, 'STANDARD_IA');
    const list = await t.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'dir/' }));
    assert.deepEqual(list.Contents?.map((o) => [o.Key, o.Size, o.StorageClass]), [['dir/obj.bin', data.length, 'STANDARD_IA']]);
  });

  it('multipart and appendable objects written through OBS read back through S3', async () => {
    const p1 = randomBytes(100 * 1024).toString('hex');
    const p2 = 'the end';
    const { UploadId } = await ok(c.initiateMultipartUpload({ Bucket: bucket, Key: 'mp' }));
    const e1 = (await ok(c.uploadPart({ Bucket: bucket, Key: 'mp', PartNumber: 1, UploadId, Body: p1 }))).ETag;
    const e2 = (await ok(c.uploadPart({ Bucket: bucket, Key: 'mp', PartNumber: 2, UploadId, Body: p2 }))).ETag;
    const done = await ok(c.completeMultipartUpload({ Bucket: bucket, Key: 'mp', UploadId, Parts: [{ PartNumber: 1, ETag: e1 }, { PartNumber: 2, ETag: e2 }] }));
    const mp = await s3Get('mp');
    assert.equal(mp.bytes.toString(), p1 + p2);
    assert.equal(mp.r.ETag, done.ETag);
    const head = await t.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'mp', PartNumber: 2 }));
    assert.equal(head.ContentLength, p2.length);

    await ok(c.appendObject({ Bucket: bucket, Key: 'app', Position: 0, Body: 'first,' }));
    await ok(c.appendObject({ Bucket: bucket, Key: 'app', Position: 6, Body: 'second' }));
    assert.equal((await s3Get('app')).bytes.toString(), 'first,second');
  });

  it('an object put through S3 reads back identically through OBS', async () => {
    const data = randomBytes(70 * 1024);
    const put = await t.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 's3-made', Body: data, ContentType: 'image/x-test', Metadata: { from: 's3' }, StorageClass: 'STANDARD_IA' }));
    const r = await ok(c.getObject({ Bucket: bucket, Key: 's3-made', SaveAsStream: true }));
    const bytes = await readAll(r.Content);
    assert.equal(md5(bytes), md5(data));
    assert.equal(r.ETag, put.ETag);
    assert.equal(r.ContentType, 'image/x-test');
    assert.deepEqual(r.Metadata, { from: 's3' });
    assert.equal(r.StorageClass, 'WARM');
  });
});
