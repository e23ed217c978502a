import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bucketName, startTestServer, storedFiles, type TestServer } from '../helpers/server.js';
import { crc64Reference, field, ossClient, ossError, pattern, signedV1 } from './helpers.js';

describe('OSS AppendObject through ali-oss', () => {
  let srv: TestServer;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let oss: any;
  let bucket: string;

  before(async () => {
    srv = await startTestServer();
    bucket = bucketName('app');
    oss = ossClient(srv, { bucket });
    await oss.putBucket(bucket);
  });
  after(() => srv.stop());

  it('appends in sequence, answering the next position and the whole object\'s CRC-64 each time', async () => {
    const chunks = [pattern(1000, 1), pattern(1, 2), pattern(70_000, 3)];
    let position = 0;
    let whole = Buffer.alloc(0);
    for (const c of chunks) {
      const r = await oss.append('log.bin', c, { position: String(position), meta: { source: 'test' } });
      whole = Buffer.concat([whole, c]);
      assert.equal(Number(r.nextAppendPosition), whole.length);
      assert.equal(r.res.headers['x-oss-hash-crc64ecma'], crc64Reference(whole));
      position = Number(r.nextAppendPosition);
    }
    const got = await oss.get('log.bin');
    assert.deepEqual(got.content, whole);
    assert.equal(got.res.headers['x-oss-object-type'], 'Appendable');
    assert.equal(got.res.headers['x-oss-hash-crc64ecma'], crc64Reference(whole));
    const head = await oss.head('log.bin');
    assert.equal(head.res.headers['x-oss-next-append-position'], String(whole.length));
    assert.deepEqual(head.meta, { source: 'test' });
    const ranged = await oss.get('log.bin', { headers: { Range: 'bytes=999-1001' } });
    assert.deepEqual(ranged.content, whole.subarray(999, 1002));
  });

  it('a wrong position is 409 PositionNotEqualToLength with x-oss-next-append-position, and changes nothing', async () => {
    await oss.append('pos.txt', Buffer.from('abc'));
    for (const wrong of ['0', '2', '4']) {
      const err = await ossError(oss.append('pos.txt', Buffer.from('zz'), { position: wrong }));
      assert.equal(err.status, 409);
      assert.equal(err.code, 'PositionNotEqualToLength');
    }
    const raw = await signedV1(srv, 'POST', bucket, 'pos.txt', { query: 'append&position=1', body: 'zz' });
    assert.equal(raw.status, 409);
    assert.equal(raw.headers['x-oss-next-append-position'], '3');
    assert.equal(field(raw.body, 'Code'), 'PositionNotEqualToLength');
    assert.equal((await oss.get('pos.txt')).content.toString(), 'abc');
    const next = await oss.append('pos.txt', Buffer.from('de'), { position: '3' });
    assert.equal(next.nextAppendPosition, '5');
  });

  it('a failed append (bad Content-MD5) leaves the object as it was and no file behind', async () => {
    await oss.append('atomic.txt', Buffer.from('keep'));
    const before = await storedFiles(srv.dataDir);
    const err = await ossError(oss.append('atomic.txt', Buffer.from('more'), { position: '4', headers: { 'Content-MD5': Buffer.alloc(16).toString('base64') } }));
    assert.equal(err.status, 400);
    assert.equal(err.code, 'InvalidDigest');
    assert.equal((await oss.get('atomic.txt')).content.toString(), 'keep');
    assert.equal((await oss.head('atomic.txt')).res.headers['x-oss-hash-crc64ecma'], crc64Reference(Buffer.from('keep')));
    assert.deepEqual(await storedFiles(srv.dataDir), before);
  });

  it('ObjectNotAppendable for Normal and Multipart objects', async () => {
    await oss.put('normal.txt', Buffer.from('n'));
    const err = await ossError(oss.append('normal.txt', Buffer.from('x'), { position: '1' }));
    assert.equal(err.status, 409);
    assert.equal(err.code, 'ObjectNotAppendable');
    const init = await oss.initMultipartUpload('mp.bin');
    const part = await oss.uploadPart('mp.bin', init.uploadId, 1, Buffer.from('part'), 0, 4);
    await oss.completeMultipartUpload('mp.bin', init.uploadId, [{ number: 1, etag: part.etag }]);
    const err2 = await ossError(oss.append('mp.bin', Buffer.from('x'), { position: '4' }));
    assert.equal(err2.code, 'ObjectNotAppendable');
  });

  it('a PutObject over an appendable object makes it Normal again', async () => {
    await oss.append('again.txt', Buffer.from('a'));
    await oss.put('again.txt', Buffer.from('b'));
    assert.equal((await oss.head('again.txt')).res.headers['x-oss-object-type'], 'Normal');
  });
});

describe('OSS symlinks through ali-oss', () => {
  let srv: TestServer;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let oss: any;
  let bucket: string;

  before(async () => {
    srv = await startTestServer();
    bucket = bucketName('sym');
    oss = ossClient(srv, { bucket });
    await oss.putBucket(bucket);
  });
  after(() => srv.stop());

  it('PutSymlink / GetSymlink, and GET and HEAD of the link serve the target', async () => {
    const body = pattern(5000, 9);
    await oss.put('data/target file.bin', body, { headers: { 'Content-Type': 'application/x-test' } });
    await oss.putSymlink('links/l1.bin', 'data/target file.bin', { meta: { link: 'yes' } });
    const sym = await oss.getSymlink('links/l1.bin');
    assert.equal(sym.targetName, 'data/target file.bin');
    assert.equal(sym.res.headers['x-oss-meta-link'], 'yes');

    const got = await oss.get('links/l1.bin');
    assert.deepEqual(got.content, body);
    assert.equal(got.res.headers['x-oss-object-type'], 'Symlink');
    assert.equal(got.res.headers['x-oss-hash-crc64ecma'], crc64Reference(body));
    const head = await oss.head('links/l1.bin');
    assert.equal(head.res.headers['content-length'], '5000');
    assert.deepEqual(head.meta, { link: 'yes' });
    const range = await oss.get('links/l1.bin', { headers: { Range: 'bytes=10-19' } });
    assert.deepEqual(range.content, body.subarray(10, 20));

    // The link follows the target's current data.
    await oss.put('data/target file.bin', Buffer.from('new'));
    assert.equal((await oss.get('links/l1.bin')).content.toString(), 'new');
    const listed = await oss.list({ prefix: 'links/' });
    assert.equal(listed.objects[0].type, 'Symlink');
  });

  it('a symlink to a missing target gives NoSuchKey', async () => {
    await oss.putSymlink('dangling', 'not/there');
    assert.equal((await oss.getSymlink('dangling')).targetName, 'not/there');
    const err = await ossError(oss.get('dangling'));
    assert.equal(err.status, 404);
    assert.equal(err.code, 'NoSuchKey');
    const head = await ossError(oss.head('dangling'));
    assert.equal(head.status, 404);
  });

  it('a symlink cannot point to a symlink', async () => {
    await oss.put('t', Buffer.from('t'));
    await oss.putSymlink('link-a', 't');
    const err = await ossError(oss.putSymlink('link-b', 'link-a'));
    assert.equal(err.status, 400);
    assert.equal(err.code, 'InvalidTargetType');
    // A target that becomes a symlink later is refused when read.
    await oss.putSymlink('link-c', 'later');
    await oss.putSymlink('later', 't');
    const read = await ossError(oss.get('link-c'));
    assert.equal(read.code, 'InvalidTargetType');
  });

  it('GetSymlink of a plain object is NotSymlink; deleting a link leaves the target', async () => {
    await oss.put('plain', Buffer.from('p'));
    const err = await ossError(oss.getSymlink('plain'));
    assert.equal(err.status, 400);
    assert.equal(err.code, 'NotSymlink');
    await oss.putSymlink('to-plain', 'plain');
    await oss.delete('to-plain');
    assert.equal((await oss.get('plain')).content.toString(), 'p');
    assert.equal((await ossError(oss.getSymlink('to-plain'))).code, 'NoSuchKey');
  });
});
