import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ossRange } from '../../src/dialects/oss/range.js';
import { bucketName, startTestServer, type TestServer } from '../helpers/server.js';
import { crc64Reference, field, ossClient, ossError, signedV1 } from './helpers.js';

describe('OSS object operations through ali-oss', () => {
  let srv: TestServer;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let oss: any;
  let bucket: string;

  before(async () => {
    srv = await startTestServer();
    bucket = bucketName('obj');
    oss = ossClient(srv, { bucket });
    await oss.putBucket(bucket);
  });
  after(() => srv.stop());

  it('PutObject, HeadObject and GetObject carry metadata, OSS headers and the CRC-64', async () => {
    const body = Buffer.from('hello oss world');
    const put = await oss.put('dir/hello.txt', body, { meta: { owner: 'ann', n: '7' }, headers: { 'Cache-Control': 'no-cache' } });
    assert.equal(put.res.status, 200);
    assert.equal(put.res.headers['x-oss-hash-crc64ecma'], crc64Reference(body));
    const etag = put.res.headers.etag;

    const head = await oss.head('dir/hello.txt');
    assert.deepEqual(head.meta, { owner: 'ann', n: '7' });
    assert.equal(head.res.headers['content-type'], 'text/plain');
    assert.equal(head.res.headers['cache-control'], 'no-cache');
    assert.equal(head.res.headers['x-oss-object-type'], 'Normal');
    assert.equal(head.res.headers['x-oss-storage-class'], 'Standard');
    assert.equal(head.res.headers['x-oss-hash-crc64ecma'], crc64Reference(body));
    assert.equal(head.res.headers.etag, etag);

    const got = await oss.get('dir/hello.txt');
    assert.deepEqual(got.content, body);
    assert.equal(got.res.headers['x-oss-hash-crc64ecma'], crc64Reference(body));
    assert.equal(got.res.headers['x-oss-meta-owner'], 'ann');

    const missing = await ossError(oss.get('dir/none.txt'));
    assert.equal(missing.status, 404);
    assert.equal(missing.code, 'NoSuchKey');
    assert.equal(missing.message, 'The specified key does not exist.');
    assert.equal(missing.ecCode, '0026-00000001');
    assert.ok(missing.requestId);
  });

  it('an object stored without a Content-Type reads back as application/octet-stream', async () => {
    // ali-oss sends no Content-Type for a key without an extension.
    await oss.put('noext', Buffer.from('x'));
    const head = await oss.head('noext');
    assert.equal(head.res.headers['content-type'], 'application/octet-stream');
  });

  it('GetObject ranges follow OSS: invalid ranges are ignored unless x-oss-range-behavior: standard', async () => {
    await oss.put('range.bin', Buffer.from('abcdefghij'));
    const part = await oss.get('range.bin', { headers: { Range: 'bytes=2-4' } });
    assert.equal(part.res.status, 206);
    assert.equal(part.content.toString(), 'cde');
    assert.equal(part.res.headers['content-range'], 'bytes 2-4/10');

    const endPast = await oss.get('range.bin', { headers: { Range: 'bytes=5-100' } });
    assert.equal(endPast.res.status, 200);
    assert.equal(endPast.content.toString(), 'abcdefghij');
    const endPastStd = await oss.get('range.bin', { headers: { Range: 'bytes=5-100', 'x-oss-range-behavior': 'standard' } });
    assert.equal(endPastStd.res.status, 206);
    assert.equal(endPastStd.content.toString(), 'fghij');

    const startPast = await oss.get('range.bin', { headers: { Range: 'bytes=20-30' } });
    assert.equal(startPast.res.status, 200);
    assert.equal(startPast.content.length, 10);
    const startPastStd = await ossError(oss.get('range.bin', { headers: { Range: 'bytes=20-30', 'x-oss-range-behavior': 'standard' } }));
    assert.equal(startPastStd.status, 416);
    assert.equal(startPastStd.code, 'InvalidRange');

    const suffix = await oss.get('range.bin', { headers: { Range: 'bytes=-3' } });
    assert.equal(suffix.content.toString(), 'hij');
    const multi = await oss.get('range.bin', { headers: { Range: 'bytes=0-1,4-5' } });
    assert.equal(multi.res.status, 206);
    assert.equal(multi.content.toString(), 'ab');
  });

  it('GetObject honours response-* overrides and conditional headers', async () => {
    const put = await oss.put('cond.txt', Buffer.from('conditional'));
    const etag = put.res.headers.etag;
    const over = await oss.get('cond.txt', { subres: { 'response-content-type': 'text/csv', 'response-content-disposition': 'attachment; filename=x.csv' } });
    assert.equal(over.res.headers['content-type'], 'text/csv');
    assert.equal(over.res.headers['content-disposition'], 'attachment; filename=x.csv');

    const notModified = await oss.get('cond.txt', { headers: { 'If-None-Match': etag } });
    assert.equal(notModified.res.status, 304);
    const failed = await ossError(oss.get('cond.txt', { headers: { 'If-Match': '"0000"' } }));
    assert.equal(failed.status, 412);
    assert.equal(failed.code, 'PreconditionFailed');
    const since = await oss.get('cond.txt', { headers: { 'If-Modified-Since': new Date(Date.now() + 3600_000).toUTCString() } });
    assert.equal(since.res.status, 304);
  });

  it('GetObjectMeta answers size, ETag and Last-Modified without the data (HEAD through ali-oss, GET raw)', async () => {
    const body = Buffer.alloc(1234, 7);
    const put = await oss.put('meta.bin', body);
    const meta = await oss.getObjectMeta('meta.bin');
    assert.equal(meta.status, 200);
    assert.equal(meta.res.headers['content-length'], '1234');
    assert.equal(meta.res.headers.etag, put.res.headers.etag);
    assert.ok(meta.res.headers['last-modified']);

    // oss2 uses GET ?objectMeta and reads the size from Content-Length; no body follows and the connection closes.
    const raw = await signedV1(srv, 'GET', bucket, 'meta.bin', { query: 'objectMeta', headersOnly: true });
    assert.equal(raw.status, 200);
    assert.equal(raw.headers['content-length'], '1234');
    assert.equal(raw.headers.connection, 'close');
    assert.equal(raw.headers['x-oss-hash-crc64ecma'], crc64Reference(body));
    const missing = await ossError(oss.getObjectMeta('nothing.bin'));
    assert.equal(missing.status, 404);
  });

  it('DeleteObject, and DeleteMultipleObjects quiet and verbose', async () => {
    for (const k of ['d/1', 'd/2', 'd/3', 'd/4']) await oss.put(k, Buffer.from(k));
    const del = await oss.delete('d/1');
    assert.equal(del.res.status, 204);
    const verbose = await oss.deleteMulti(['d/2', 'd/3', 'd/never']);
    assert.deepEqual(verbose.deleted.map((d: { Key: string }) => d.Key).sort(), ['d/2', 'd/3', 'd/never']);
    const quiet = await oss.deleteMulti(['d/4'], { quiet: true });
    assert.deepEqual(quiet.deleted, []);
    const left = await oss.list({ prefix: 'd/' });
    assert.deepEqual(left.objects, []);
  });

  it('DeleteMultipleObjects requires Content-MD5 and URL-encodes keys with encoding-type=url', async () => {
    const xml = '<Delete><Quiet>false</Quiet><Object><Key>a b</Key></Object></Delete>';
    const noMd5 = await signedV1(srv, 'POST', bucket, undefined, { query: 'delete', body: xml, headers: { 'content-type': 'application/xml' } });
    assert.equal(noMd5.status, 400);
    assert.equal(field(noMd5.body, 'Code'), 'InvalidRequest');

    await oss.put('x y/ü', Buffer.from('1'));
    const v4 = ossClient(srv, { bucket, authorizationV4: true });
    const r = await v4.deleteMulti(['x y/ü'], { subres: { 'encoding-type': 'url' } });
    assert.deepEqual(r.deleted.map((d: { Key: string }) => d.Key), [encodeURIComponent('x y/ü').replace(/%2F/g, '/')]);
    assert.equal(r.res.status, 200);
  });

  it('CopyObject with metadata directive and copy conditions, and update-object-meta (putMeta)', async () => {
    const src = await oss.put('copy/src.txt', Buffer.from('copy me'), { meta: { a: '1' } });
    const copied = await oss.copy('copy/dst.txt', 'copy/src.txt');
    assert.equal(copied.res.status, 200);
    assert.equal(copied.data.etag, src.res.headers.etag);
    assert.equal(copied.res.headers['x-oss-hash-crc64ecma'], crc64Reference(Buffer.from('copy me')));
    assert.deepEqual((await oss.head('copy/dst.txt')).meta, { a: '1' });

    await oss.copy('copy/dst2.txt', 'copy/src.txt', { meta: { b: '2' }, headers: { 'Content-Type': 'text/csv' } });
    const h2 = await oss.head('copy/dst2.txt');
    assert.deepEqual(h2.meta, { b: '2' });
    assert.equal(h2.res.headers['content-type'], 'text/csv');

    const pre = await ossError(oss.copy('copy/dst3.txt', 'copy/src.txt', { headers: { 'If-Match': '"deadbeef"' } }));
    assert.equal(pre.status, 412);
    const notMod = await oss.copy('copy/dst3.txt', 'copy/src.txt', { headers: { 'If-None-Match': src.res.headers.etag } });
    assert.equal(notMod.res.status, 304);
    assert.equal((await ossError(oss.head('copy/dst3.txt'))).status, 404);

    await oss.putMeta('copy/src.txt', { c: '3' });
    const updated = await oss.head('copy/src.txt');
    assert.deepEqual(updated.meta, { c: '3' });
    assert.equal((await oss.get('copy/src.txt')).content.toString(), 'copy me');
  });

  it('ListObjects (V1) paginates with NextMarker and groups by delimiter, with Type, Size and StorageClass', async () => {
    const b = bucketName('list');
    await oss.putBucket(b);
    const c = ossClient(srv, { bucket: b });
    const keys = ['a/1', 'a/2', 'b', 'c/x/1', 'd', 'e'];
    for (const k of keys) await c.put(k, Buffer.from(k));
    await c.append('f', Buffer.from('app'));

    const seen: string[] = [];
    let marker: string | undefined;
    for (;;) {
      const page = await c.list({ 'max-keys': 3, ...(marker ? { marker } : {}) });
      seen.push(...page.objects.map((o: { name: string }) => o.name));
      if (!page.isTruncated) break;
      assert.ok(page.nextMarker);
      marker = page.nextMarker;
    }
    assert.deepEqual(seen, [...keys, 'f']);

    const all = await c.list({ 'max-keys': 100 });
    const f = all.objects.find((o: { name: string }) => o.name === 'f');
    assert.equal(f.type, 'Appendable');
    assert.equal(f.size, 3);
    assert.equal(all.objects.find((o: { name: string }) => o.name === 'b').type, 'Normal');
    assert.equal(f.storageClass, 'Standard');
    assert.equal(f.owner.id, 'root');

    const grouped = await c.list({ delimiter: '/', 'max-keys': 100 });
    assert.deepEqual(grouped.prefixes, ['a/', 'c/']);
    assert.deepEqual(grouped.objects.map((o: { name: string }) => o.name), ['b', 'd', 'e', 'f']);
  });

  it('ListObjectsV2 paginates with continuation tokens, start-after and fetch-owner', async () => {
    const b = bucketName('list2');
    await oss.putBucket(b);
    const c = ossClient(srv, { bucket: b });
    for (const k of ['k1', 'k2', 'k3', 'k4', 'k5']) await c.put(k, Buffer.from(k));
    const first = await c.listV2({ 'max-keys': 2 });
    assert.equal(first.keyCount, 2);
    assert.equal(first.isTruncated, true);
    assert.equal(first.objects[0].owner, null);
    const second = await c.listV2({ 'max-keys': 2, 'continuation-token': first.nextContinuationToken, 'fetch-owner': true });
    assert.deepEqual(second.objects.map((o: { name: string }) => o.name), ['k3', 'k4']);
    assert.equal(second.objects[0].owner.id, 'root');
    const after3 = await c.listV2({ 'start-after': 'k3' });
    assert.deepEqual(after3.objects.map((o: { name: string }) => o.name), ['k4', 'k5']);
    assert.equal(after3.objects[0].type, 'Normal');
  });

  it('object ACLs are stored and returned (PutObjectACL, x-oss-object-acl on PUT, default)', async () => {
    await oss.put('acl/a', Buffer.from('1'));
    assert.equal((await oss.getACL('acl/a')).acl, 'default');
    await oss.putACL('acl/a', 'public-read');
    const r = await oss.getACL('acl/a');
    assert.equal(r.acl, 'public-read');
    assert.equal(r.owner.id, 'root');
    await oss.put('acl/b', Buffer.from('2'), { headers: { 'x-oss-object-acl': 'private' } });
    assert.equal((await oss.getACL('acl/b')).acl, 'private');
    const bad = await ossError(oss.putACL('acl/a', 'nobody'));
    assert.equal(bad.code, 'InvalidArgument');
    const gone = await ossError(oss.getACL('acl/none'));
    assert.equal(gone.code, 'NoSuchKey');
  });

  it('refuses unknown sub-resources (x-oss-process) rather than ignore them', async () => {
    await oss.put('img.jpg', Buffer.from('not really'));
    const err = await ossError(oss.get('img.jpg', { process: 'image/resize,w_10' }));
    assert.equal(err.status, 501);
    assert.equal(err.code, 'NotImplemented');
  });
});

describe('OSS range rules (unit)', () => {
  it('ignores what it cannot serve unless standard', () => {
    assert.deepEqual(ossRange('bytes=0-9', 10, false), { start: 0, end: 9 });
    assert.equal(ossRange('bytes=0-10', 10, false), undefined);
    assert.equal(ossRange('bytes=-11', 10, false), undefined);
    assert.equal(ossRange('byte=0-1', 10, false), undefined);
    assert.equal(ossRange('bytes=5-2', 10, false), undefined);
    assert.deepEqual(ossRange('bytes=8-', 10, false), { start: 8, end: 9 });
    assert.deepEqual(ossRange('bytes=0-10', 10, true), { start: 0, end: 9 });
    assert.throws(() => ossRange('bytes=10-', 10, true), /not satisfiable/);
  });
});
