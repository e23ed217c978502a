import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { bucketName, startTestServer, type TestServer } from '../helpers/server.js';
import { crc64Reference, ossClient, ossError, pattern } from './helpers.js';

const KB = 1024;

describe('OSS multipart uploads through ali-oss', () => {
  let srv: TestServer;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let oss: any;
  let bucket: string;

  before(async () => {
    srv = await startTestServer();
    bucket = bucketName('mpu');
    oss = ossClient(srv, { bucket });
    await oss.putBucket(bucket);
  });
  after(() => srv.stop());

  it('multipartUpload with a progress callback; the object is whole and its CRC-64 is the combination of the parts', async () => {
    const body = pattern(650 * KB, 4);
    const progress: number[] = [];
    const r = await oss.multipartUpload('big/file.bin', body, {
      partSize: 100 * KB,
      parallel: 2,
      meta: { kind: 'multi' },
      progress: async (p: number) => {
        progress.push(p);
      },
    });
    assert.equal(r.res.status, 200);
    assert.match(r.etag, /^"[0-9a-f]{32}-7"$/);
    assert.equal(progress[0], 0);
    assert.equal(progress[progress.length - 1], 1);
    for (let i = 1; i < progress.length; i++) assert.ok(progress[i]! >= progress[i - 1]!, 'progress never goes back');
    assert.ok(progress.length >= 8, 'a call per part plus start and end');
    assert.equal(r.res.headers['x-oss-hash-crc64ecma'], crc64Reference(body));

    const got = await oss.get('big/file.bin');
    assert.deepEqual(got.content, body);
    assert.equal(got.res.headers['x-oss-object-type'], 'Multipart');
    assert.equal(got.res.headers['x-oss-hash-crc64ecma'], crc64Reference(body));
    assert.equal(got.res.headers['x-oss-meta-kind'], 'multi');
    assert.equal(got.res.headers.etag, r.etag);
  });

  it('multipartUpload from a file path', async () => {
    const dir = await fs.mkdtemp(path.join(srv.dataDir, 'upload-'));
    const file = path.join(dir, 'local.dat');
    const body = pattern(250 * KB, 5);
    await fs.writeFile(file, body);
    await oss.multipartUpload('from-file.dat', file, { partSize: 100 * KB });
    assert.deepEqual((await oss.get('from-file.dat')).content, body);
  });

  it('Initiate, UploadPart, UploadPartCopy with a range, ListParts, ListUploads and Complete', async () => {
    const source = pattern(300 * KB, 6);
    await oss.put('copy-source.bin', source);
    const init = await oss.initMultipartUpload('assembled.bin', { meta: { step: 'manual' } });
    const first = pattern(120 * KB, 7);
    const p1 = await oss.uploadPart('assembled.bin', init.uploadId, 1, first, 0, first.length);
    assert.match(p1.etag, /^"[0-9a-f]{32}"$/);
    assert.equal(p1.res.headers['x-oss-hash-crc64ecma'], crc64Reference(first));
    const p2 = await oss.uploadPartCopy('assembled.bin', init.uploadId, 2, `${100 * KB}-${250 * KB - 1}`, { sourceKey: 'copy-source.bin', sourceBucketName: bucket });
    assert.match(p2.etag, /^"[0-9a-f]{32}"$/);

    const parts = await oss.listParts('assembled.bin', init.uploadId);
    const list = Array.isArray(parts.parts) ? parts.parts : [parts.parts];
    assert.deepEqual(list.map((p: { PartNumber: string }) => p.PartNumber), ['1', '2']);
    assert.equal(list[1].Size, String(150 * KB));
    const uploads = await oss.listUploads({ prefix: 'assembled' });
    assert.deepEqual(uploads.uploads.map((u: { uploadId: string }) => u.uploadId), [init.uploadId]);

    const done = await oss.completeMultipartUpload('assembled.bin', init.uploadId, [
      { number: 1, etag: p1.etag },
      { number: 2, etag: p2.etag },
    ]);
    const expected = Buffer.concat([first, source.subarray(100 * KB, 250 * KB)]);
    assert.equal(done.res.headers['x-oss-hash-crc64ecma'], crc64Reference(expected));
    const got = await oss.get('assembled.bin');
    assert.deepEqual(got.content, expected);
    assert.equal(got.res.headers['x-oss-meta-step'], 'manual');
    assert.deepEqual((await oss.listUploads({ prefix: 'assembled' })).uploads, []);
  });

  it('parts below 100 KB (but the last) are EntityTooSmall; AbortMultipartUpload removes the upload', async () => {
    const init = await oss.initMultipartUpload('small.bin');
    const a = await oss.uploadPart('small.bin', init.uploadId, 1, pattern(50 * KB), 0, 50 * KB);
    const b = await oss.uploadPart('small.bin', init.uploadId, 2, pattern(10), 0, 10);
    const err = await ossError(oss.completeMultipartUpload('small.bin', init.uploadId, [{ number: 1, etag: a.etag }, { number: 2, etag: b.etag }]));
    assert.equal(err.status, 400);
    assert.equal(err.code, 'EntityTooSmall');

    await oss.abortMultipartUpload('small.bin', init.uploadId);
    const gone = await ossError(oss.listParts('small.bin', init.uploadId));
    assert.equal(gone.status, 404);
    assert.equal(gone.code, 'NoSuchUpload');
    assert.equal((await ossError(oss.head('small.bin'))).status, 404);
  });

  it('a wrong part ETag is InvalidPart', async () => {
    const init = await oss.initMultipartUpload('wrong.bin');
    await oss.uploadPart('wrong.bin', init.uploadId, 1, pattern(10), 0, 10);
    const err = await ossError(oss.completeMultipartUpload('wrong.bin', init.uploadId, [{ number: 1, etag: '"00000000000000000000000000000000"' }]));
    assert.equal(err.code, 'InvalidPart');
    await oss.abortMultipartUpload('wrong.bin', init.uploadId);
  });
});
