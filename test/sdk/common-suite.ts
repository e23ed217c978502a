/**
 * Library operations every S3-family dialect has (S3, OSS, OBS), run
 * against the server through StratusClient for one dialect.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { collect, type DialectName, type StratusClient, type StratusClientOptions } from '../../src/sdk/index.js';
import { rawRequest } from '../helpers/raw.js';
import { bucketName, startTestServer, type TestServer } from '../helpers/server.js';
import { expectError, sdkClient } from './helpers.js';

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

export function describeCommonOperations(dialect: DialectName, options: Partial<StratusClientOptions> = {}, label: string = dialect): void {
  describe(`SDK ${label}: common operations`, () => {
    let t: TestServer;
    let c: StratusClient;
    let tmp: string;
    const bucket = bucketName(`sdk-${dialect}`);
    before(async () => {
      t = await startTestServer();
      c = sdkClient(t.url, dialect, options);
      tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'stratus-sdk-'));
      await c.createBucket(bucket);
    });
    after(async () => {
      c.destroy();
      await t.stop();
      await fs.rm(tmp, { recursive: true, force: true });
    });

    it('creates, lists, heads, locates and deletes buckets, with typed errors', async () => {
      const b = bucketName('life');
      assert.equal(await c.bucketExists(b), false);
      const missing = await expectError(c.headBucket(b), { status: 404 });
      assert.equal(missing.notFound, true);
      assert.equal(missing.dialect, dialect);
      await c.createBucket(b);
      assert.ok((await c.listBuckets()).some((x) => x.name === b));
      await c.headBucket(b);
      assert.equal(typeof (await c.getBucketLocation(b)), 'string');
      await c.putObject(b, 'k', 'v');
      const notEmpty = await expectError(c.deleteBucket(b), { code: 'BucketNotEmpty', status: 409 });
      assert.ok(notEmpty.requestId, 'the error carries the request id');
      assert.ok(notEmpty.message.length > 0);
      await c.deleteObject(b, 'k');
      await c.deleteBucket(b);
      assert.equal(await c.bucketExists(b), false);
      await expectError(c.listBuckets().then(() => c.getBucketLocation(b)), { code: 'NoSuchBucket', status: 404 });
    });

    it('puts from a buffer, a string, a stream and a file, and gets to a buffer, a stream and a file', async () => {
      const data = randomBytes(300_000);
      const file = path.join(tmp, 'src.bin');
      await fs.writeFile(file, data);
      const r1 = await c.putObject(bucket, 'buf.bin', data);
      assert.equal(r1.etag.toLowerCase(), md5(data));
      await c.putObject(bucket, 'str.txt', 'héllo wörld', { contentType: 'text/plain; charset=utf-8' });
      await c.putObject(bucket, 'stream.bin', Readable.from([data.subarray(0, 1000), data.subarray(1000)]), { contentLength: data.length });
      await c.putObjectFromFile(bucket, 'file.bin', file);
      await c.putObject(bucket, 'range.bin', { file, start: 100, end: 200 });

      assert.deepEqual((await c.getObjectBuffer(bucket, 'buf.bin')).data, data);
      const s = await c.getObjectBuffer(bucket, 'str.txt');
      assert.equal(s.data.toString('utf8'), 'héllo wörld');
      assert.equal(s.info.contentType, 'text/plain; charset=utf-8');
      const g = await c.getObject(bucket, 'stream.bin');
      const chunks: Buffer[] = [];
      for await (const ch of g.body) chunks.push(ch as Buffer);
      assert.deepEqual(Buffer.concat(chunks), data);
      const out = path.join(tmp, 'out', 'file.bin');
      const info = await c.getObjectToFile(bucket, 'file.bin', out);
      assert.equal(info.size, data.length);
      assert.deepEqual(await fs.readFile(out), data);
      assert.deepEqual((await c.getObjectBuffer(bucket, 'range.bin')).data, data.subarray(100, 200));
    });

    it('reads byte ranges and reports the range served', async () => {
      const data = randomBytes(10_000);
      await c.putObject(bucket, 'ranged', data);
      const r = await c.getObjectBuffer(bucket, 'ranged', { range: { start: 10, end: 19 } });
      assert.deepEqual(r.data, data.subarray(10, 20));
      assert.equal(r.info.size, data.length);
      const g = await c.getObject(bucket, 'ranged', { range: { start: 9990 } });
      assert.deepEqual(g.range, { start: 9990, end: 9999, total: 10_000 });
      g.body.resume();
    });

    it('keeps metadata and content headers, and heads objects', async () => {
      await c.putObject(bucket, 'meta', 'x', {
        metadata: { Color: 'blue', 'two-words': 'a b' },
        contentType: 'application/x-test',
        cacheControl: 'no-cache',
        contentDisposition: 'attachment; filename="m.txt"',
      });
      const h = await c.headObject(bucket, 'meta');
      assert.equal(h.size, 1);
      assert.deepEqual(h.metadata, { color: 'blue', 'two-words': 'a b' });
      assert.equal(h.contentType, 'application/x-test');
      assert.equal(h.cacheControl, 'no-cache');
      assert.equal(h.contentDisposition, 'attachment; filename="m.txt"');
      assert.ok(h.lastModified instanceof Date);
      assert.ok(h.requestId);
    });

    it('handles keys with spaces, unicode, plus signs, percent signs and slashes', async () => {
      const keys = ['a b/c d.txt', 'ünï/cødé €.txt', 'plus+sign', '100%/done', 'x/y/z/'];
      for (const k of keys) await c.putObject(bucket, k, k);
      for (const k of keys) assert.equal((await c.getObjectBuffer(bucket, k)).data.toString(), k);
      const listed = (await collect(c.listObjects(bucket))).map((e) => e.key);
      for (const k of keys) assert.ok(listed.includes(k), `${k} listed`);
      const url = await c.presignUrl(bucket, 'ünï/cødé €.txt');
      assert.equal((await rawRequest(url)).body.toString(), 'ünï/cødé €.txt');
    });

    it('answers conditional reads with typed 304 and 412 errors', async () => {
      const put = await c.putObject(bucket, 'cond', 'abc');
      const etag = `"${put.etag}"`;
      await expectError(c.getObject(bucket, 'cond', { ifNoneMatch: etag }), { code: 'NotModified', status: 304 });
      await expectError(c.getObject(bucket, 'cond', { ifMatch: '"0123456789abcdef0123456789abcdef"' }), { status: 412 });
      await expectError(c.getObject(bucket, 'cond', { ifModifiedSince: new Date(Date.now() + 3600_000) }), { status: 304 });
      assert.equal((await c.getObjectBuffer(bucket, 'cond', { ifMatch: etag })).data.toString(), 'abc');
      await expectError(c.headObject(bucket, 'cond', { ifMatch: '"0123456789abcdef0123456789abcdef"' }), { status: 412 });
    });

    it('reports missing objects as not found with the request id', async () => {
      const e = await expectError(c.headObject(bucket, 'no/such'), { code: 'NoSuchKey', status: 404 });
      assert.equal(e.notFound, true);
      assert.ok(e.requestId);
      const g = await expectError(c.getObject(bucket, 'no/such'), { code: 'NoSuchKey', status: 404 });
      assert.ok(g.requestId);
      assert.equal(await c.objectExists(bucket, 'no/such'), false);
      await expectError(c.getObject(bucketName('nob'), 'k'), { code: 'NoSuchBucket', status: 404 });
    });

    it('deletes one object and many (batch), reporting each key', async () => {
      for (const k of ['d1', 'd2', 'd3']) await c.putObject(bucket, k, k);
      await c.deleteObject(bucket, 'd1');
      assert.equal(await c.objectExists(bucket, 'd1'), false);
      const r = await c.deleteObjects(bucket, ['d2', { key: 'd3' }, 'never-existed']);
      assert.deepEqual(r.deleted.map((d) => d.key).sort(), ['d2', 'd3', 'never-existed']);
      assert.deepEqual(r.errors, []);
      assert.equal(await c.objectExists(bucket, 'd2'), false);
      const quiet = await c.deleteObjects(bucket, ['gone'], { quiet: true });
      assert.deepEqual(quiet.deleted, []);
    });

    it('copies objects, keeping or replacing metadata, and updates metadata in place', async () => {
      const other = bucketName('copy');
      await c.createBucket(other);
      await c.putObject(bucket, 'orig', 'copy me', { metadata: { a: '1' }, contentType: 'text/plain' });
      const cp = await c.copyObject(bucket, 'orig', other, 'dup');
      assert.equal(cp.etag.toLowerCase(), md5(Buffer.from('copy me')));
      const h1 = await c.headObject(other, 'dup');
      assert.deepEqual(h1.metadata, { a: '1' });
      await c.copyObject(bucket, 'orig', bucket, 'replaced', { metadata: { b: '2' }, contentType: 'text/markdown' });
      const h2 = await c.headObject(bucket, 'replaced');
      assert.deepEqual(h2.metadata, { b: '2' });
      assert.equal(h2.contentType, 'text/markdown');
      await c.updateObjectMetadata(bucket, 'orig', { c: '3' }, { contentType: 'text/csv' });
      const h3 = await c.headObject(bucket, 'orig');
      assert.deepEqual(h3.metadata, { c: '3' });
      assert.equal(h3.contentType, 'text/csv');
      assert.equal((await c.getObjectBuffer(bucket, 'orig')).data.toString(), 'copy me');
      await expectError(c.copyObject(bucket, 'no-source', bucket, 'x'), { status: 404 });
    });

    it('runs multipart primitives and lists uploads and parts page by page', async () => {
      const min = c.dialect.multipart.minPartSize;
      const p1 = randomBytes(min);
      const p2 = randomBytes(1234);
      const id = await c.createMultipartUpload(bucket, 'mp/obj', { metadata: { m: 'p' } });
      const other = await c.createMultipartUpload(bucket, 'mp/other');
      const e1 = await c.uploadPart(bucket, 'mp/obj', id, 1, p1);
      const e2 = await c.uploadPart(bucket, 'mp/obj', id, 2, p2);
      assert.equal(e1.etag.toLowerCase(), md5(p1));
      const parts = await collect(c.listParts(bucket, 'mp/obj', id, { pageSize: 1 }));
      assert.deepEqual(parts.map((p) => [p.partNumber, p.size]), [[1, min], [2, 1234]]);
      const uploads = await collect(c.listMultipartUploads(bucket, { prefix: 'mp/', pageSize: 1 }));
      assert.deepEqual(uploads.map((u) => u.key).sort(), ['mp/obj', 'mp/other']);
      const done = await c.completeMultipartUpload(bucket, 'mp/obj', id, [
        { partNumber: 2, etag: e2.etag },
        { partNumber: 1, etag: e1.etag },
      ]);
      assert.match(done.etag, /-2$/);
      assert.deepEqual((await c.getObjectBuffer(bucket, 'mp/obj')).data, Buffer.concat([p1, p2]));
      assert.deepEqual((await c.headObject(bucket, 'mp/obj')).metadata, { m: 'p' });
      await c.abortMultipartUpload(bucket, 'mp/other', other);
      assert.deepEqual(await collect(c.listMultipartUploads(bucket, { prefix: 'mp/' })), []);
      await expectError(c.uploadPart(bucket, 'mp/other', other, 1, 'x'), { code: 'NoSuchUpload', status: 404 });
    });

    it('copies parts from an existing object (UploadPartCopy) and overrides response headers on GET', async () => {
      const min = c.dialect.multipart.minPartSize;
      const src = randomBytes(min + 500);
      await c.putObject(bucket, 'pc/src', src);
      const id = await c.createMultipartUpload(bucket, 'pc/dst');
      const p1 = await c.uploadPartCopy(bucket, 'pc/src', bucket, 'pc/dst', id, 1, { range: { start: 0, end: min - 1 } });
      const p2 = await c.uploadPartCopy(bucket, 'pc/src', bucket, 'pc/dst', id, 2, { range: { start: min, end: min + 499 } });
      assert.equal(p1.etag.toLowerCase(), md5(src.subarray(0, min)));
      await c.completeMultipartUpload(bucket, 'pc/dst', id, [
        { partNumber: 1, etag: p1.etag },
        { partNumber: 2, etag: p2.etag },
      ]);
      const got = await c.getObjectBuffer(bucket, 'pc/dst', { responseHeaders: { 'content-type': 'text/x-override', 'content-disposition': 'attachment' } });
      assert.deepEqual(got.data, src);
      assert.equal(got.info.contentType, 'text/x-override');
      assert.equal(got.info.contentDisposition, 'attachment');
    });

    it('lists objects page by page, with a delimiter and a start key', async () => {
      const b = bucketName('list');
      await c.createBucket(b);
      for (const k of ['a/1', 'a/2', 'b', 'c/1', 'd', 'e']) await c.putObject(b, k, k);
      const all = await collect(c.listObjects(b, { pageSize: 2 }));
      assert.deepEqual(all.map((e) => e.key), ['a/1', 'a/2', 'b', 'c/1', 'd', 'e']);
      const top = await collect(c.listObjects(b, { delimiter: '/', pageSize: 2 }));
      assert.deepEqual(top.map((e) => [e.key, e.isPrefix === true]), [['a/', true], ['b', false], ['c/', true], ['d', false], ['e', false]]);
      const inA = await collect(c.listObjects(b, { prefix: 'a/' }));
      assert.deepEqual(inA.map((e) => e.key), ['a/1', 'a/2']);
      const after = await collect(c.listObjects(b, { startAfter: 'c/1' }));
      assert.deepEqual(after.map((e) => e.key), ['d', 'e']);
      const first = all[0]!;
      assert.ok(!first.isPrefix && first.size === 3 && first.etag.length > 0);
    });

    it('presigns GET, PUT and DELETE URLs a plain HTTP client can use', async () => {
      const put = await c.presignUrl(bucket, 'signed/obj', { method: 'PUT', expiresSeconds: 600 });
      assert.equal((await rawRequest(put, { method: 'PUT', body: 'by url' })).status, 200);
      const get = await c.presignUrl(bucket, 'signed/obj');
      const got = await rawRequest(get);
      assert.equal(got.status, 200);
      assert.equal(got.body.toString(), 'by url');
      const tampered = get.replace('signed/obj', 'signed/other');
      assert.equal((await rawRequest(tampered)).status, 403);
      const del = await c.presignUrl(bucket, 'signed/obj', { method: 'DELETE' });
      assert.equal((await rawRequest(del, { method: 'DELETE' })).status, 204);
      assert.equal(await c.objectExists(bucket, 'signed/obj'), false);
    });
  });
}
