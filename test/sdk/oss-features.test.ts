/** OSS through StratusClient: append with CRC-64, symlinks, ACLs, CRC-64-verified transfers, POST policies. */
import assert from 'node:assert/strict';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { crc64 } from '../../src/digest/crc64.js';
import type { StratusClient } from '../../src/sdk/index.js';
import { startProxy } from '../helpers/proxy.js';
import { ACCESS_KEY, bucketName, SECRET_KEY, startTestServer, type TestServer } from '../helpers/server.js';
import { expectError, sdkClient } from './helpers.js';

const MiB = 1024 * 1024;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('SDK oss: append, symlinks, ACLs, CRC-64 transfers, policies', () => {
  let t: TestServer;
  let c: StratusClient;
  let tmp: string;
  const bucket = bucketName('sdkoss');
  before(async () => {
    t = await startTestServer();
    c = sdkClient(t.url, 'oss');
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'stratus-oss-'));
    await c.createBucket(bucket, { acl: 'private', storageClass: 'Standard' });
  });
  after(async () => {
    c.destroy();
    await t.stop();
    await fs.rm(tmp, { recursive: true, force: true });
  });

  it('appends, checking the whole-object CRC-64 after each append', async () => {
    const a = await c.appendObject(bucket, 'log.txt', 0, 'first ');
    assert.equal(a.nextPosition, 6);
    assert.equal(a.crc64, crc64('ecma182', Buffer.from('first ')).toString());
    const b = await c.appendObject(bucket, 'log.txt', a.nextPosition, 'second', { previousCrc64: a.crc64 });
    assert.equal(b.nextPosition, 12);
    const h = await c.headObject(bucket, 'log.txt');
    assert.equal(h.objectType, 'Appendable');
    assert.equal(h.crc64, b.crc64);
    assert.equal((await c.getObjectBuffer(bucket, 'log.txt')).data.toString(), 'first second');
    const e = await expectError(c.appendObject(bucket, 'log.txt', 3, 'x'), { code: 'PositionNotEqualToLength', status: 409 });
    assert.equal(e.headers['x-oss-next-append-position'], '12');
    await c.putObject(bucket, 'normal', 'n');
    await expectError(c.appendObject(bucket, 'normal', 1, 'x'), { code: 'ObjectNotAppendable', status: 409 });
  });

  it('creates and reads symlinks', async () => {
    await c.putObject(bucket, 'target/file.txt', 'pointed at');
    await c.putSymlink(bucket, 'link to', 'target/file.txt');
    assert.equal(await c.getSymlink(bucket, 'link to'), 'target/file.txt');
    assert.equal((await c.getObjectBuffer(bucket, 'link to')).data.toString(), 'pointed at');
  });

  it('gets and sets object and bucket ACLs', async () => {
    await c.putObject(bucket, 'acl-obj', 'x', { acl: 'public-read' });
    assert.equal((await c.getObjectAcl(bucket, 'acl-obj')).canned, 'public-read');
    await c.putObjectAcl(bucket, 'acl-obj', 'private');
    const acl = await c.getObjectAcl(bucket, 'acl-obj');
    assert.equal(acl.canned, 'private');
    assert.ok(acl.owner?.id);
    assert.equal((await c.getBucketAcl(bucket)).canned, 'private');
    await c.putBucketAcl(bucket, 'public-read-write');
    assert.equal((await c.getBucketAcl(bucket)).canned, 'public-read-write');
    await c.putBucketAcl(bucket, 'private');
  });

  it('uploads a file in parts and downloads it verified by the combined CRC-64', async () => {
    const data = randomBytes(3 * MiB + 17);
    const file = path.join(tmp, 'crc.bin');
    await fs.writeFile(file, data);
    const up = await c.uploadFile(bucket, 'crc.bin', file, { partSize: 1 * MiB, multipartThreshold: 1 * MiB, concurrency: 2 });
    assert.equal(up.multipart, true);
    assert.equal(up.partsUploaded, 4);
    const info = await c.headObject(bucket, 'crc.bin');
    assert.equal(info.crc64, crc64('ecma182', data).toString());
    const target = path.join(tmp, 'crc-out.bin');
    const down = await c.downloadFile(bucket, 'crc.bin', target, { partSize: 700_000, concurrency: 3 });
    assert.equal(down.verifiedBy, 'crc64');
    assert.equal(sha(await fs.readFile(target)), sha(data));
  });

  it('detects a CRC-64 that does not match, on upload and on download', async () => {
    const proxy = await startProxy(t.url);
    const pc = sdkClient(proxy.url, 'oss');
    try {
      proxy.decide = (q) =>
        q.method === 'PUT' ? { forward: true, rewriteHeaders: (h) => ({ ...h, 'x-oss-hash-crc64ecma': '12345' }) } : { forward: true };
      await expectError(pc.putObject(bucket, 'crc-put', 'some bytes'), { code: 'IntegrityError' });
      proxy.decide = () => ({ forward: true });
      await pc.putObject(bucket, 'crc-get', randomBytes(300_000));
      let gets = 0;
      proxy.decide = (q) => (q.method === 'GET' && ++gets === 2 ? { forward: true, corrupt: true } : { forward: true });
      const target = path.join(tmp, 'crc-get.bin');
      const e = await expectError(pc.downloadFile(bucket, 'crc-get', target, { partSize: 100_000, concurrency: 1 }), { code: 'IntegrityError' });
      assert.match(e.message, /CRC-64/);
      await assert.rejects(fs.access(target));
    } finally {
      pc.destroy();
      await proxy.close();
    }
  });

  it('builds a POST policy signed with HMAC-SHA1 of the base64 policy', async () => {
    const p = await c.createPostPolicy(bucket, { key: 'form/upload.txt', acl: 'private', contentLengthRange: [0, 100] });
    assert.equal(p.fields['OSSAccessKeyId'], ACCESS_KEY);
    assert.equal(p.fields['key'], 'form/upload.txt');
    assert.equal(p.fields['x-oss-object-acl'], 'private');
    assert.equal(p.fields['Signature'], createHmac('sha1', SECRET_KEY).update(p.fields['policy']!).digest('base64'));
    const doc = JSON.parse(Buffer.from(p.fields['policy']!, 'base64').toString());
    assert.deepEqual(doc.conditions.slice(0, 2), [{ bucket }, { key: 'form/upload.txt' }]);
  });

  it('refuses versioning listings the OSS front end lacks with a typed error from the server', async () => {
    const e = await expectError(c.getBucketVersioning(bucket), {});
    assert.ok(e.status >= 400, `a server error, got ${e.code}`);
  });
});
