import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import * as Minio from 'minio';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import zlib from 'node:zlib';
import { ACCESS_KEY, bucketName, SECRET_KEY, startTestServer, storedFiles, type TestServer } from '../helpers/server.js';

const MiB = 1024 * 1024;

/**
 * `total` bytes generated on demand (a random block, stamped with its index so
 * no two blocks are equal), hashed as they are produced: nothing is held whole.
 */
function generated(total: number, partSize: number) {
  const block = randomBytes(MiB);
  const md5 = createHash('md5');
  const partCrcs: number[] = [];
  let produced = 0;
  let crc = 0;
  const stream = Readable.from(
    (function* () {
      for (let i = 0; produced < total; i++) {
        const chunk = Buffer.from(block.subarray(0, Math.min(MiB, total - produced)));
        chunk.writeUInt32BE(i, 0);
        md5.update(chunk);
        crc = zlib.crc32(chunk, crc);
        produced += chunk.length;
        if (produced % partSize === 0 || produced === total) {
          partCrcs.push(crc);
          crc = 0;
        }
        yield chunk;
      }
    })(),
  );
  return { stream, md5: () => md5.digest('hex'), partCrcs: () => partCrcs };
}

async function md5OfStream(body: AsyncIterable<Uint8Array>): Promise<{ md5: string; size: number }> {
  const h = createHash('md5');
  let size = 0;
  for await (const c of body) {
    h.update(c);
    size += c.length;
  }
  return { md5: h.digest('hex'), size };
}

describe('multipart uploads through the official clients', () => {
  let t: TestServer;
  const bucket = bucketName('mpclients');
  before(async () => {
    t = await startTestServer();
    await t.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  });
  after(() => t.stop());

  it('lib-storage Upload of a 100 MiB stream, 25 MiB parts, 4 in parallel, reads back identical', async () => {
    const total = 100 * MiB;
    const partSize = 25 * MiB;
    const src = generated(total, partSize);
    const up = new Upload({ client: t.s3, params: { Bucket: bucket, Key: 'stream-100m.bin', Body: src.stream }, partSize, queueSize: 4 });
    const result = await up.done();
    assert.match(result.ETag!, /^"[0-9a-f]{32}-4"$/);

    // The SDK's default: a CRC32 per part, and a COMPOSITE object checksum (CRC32 of the part CRC32s, -4).
    const raw = Buffer.alloc(4 * src.partCrcs().length);
    src.partCrcs().forEach((c, i) => raw.writeUInt32BE(c >>> 0, 4 * i));
    const expectedCrc = Buffer.alloc(4);
    expectedCrc.writeUInt32BE(zlib.crc32(raw) >>> 0);
    const head = await t.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'stream-100m.bin', ChecksumMode: 'ENABLED' }));
    assert.equal(head.ContentLength, total);
    assert.equal(head.ChecksumCRC32, `${expectedCrc.toString('base64')}-4`);

    const got = await t.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'stream-100m.bin' }));
    const back = await md5OfStream(got.Body as AsyncIterable<Uint8Array>);
    assert.equal(back.size, total);
    assert.equal(back.md5, src.md5());
    const uploads = await t.s3.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    assert.equal(uploads.Uploads, undefined, 'the upload is gone once completed');
  });

  it("the minio client's fPutObject uploads a 12 MiB file in parts", async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'stratus-minio-'));
    try {
      const file = path.join(dir, 'upload.bin');
      const data = randomBytes(12 * MiB + 4321);
      await fs.writeFile(file, data);
      // 5 MiB parts (the client's default is 64 MiB): three parts, each with Content-MD5.
      const minio = new Minio.Client({ endPoint: '127.0.0.1', port: t.port, useSSL: false, accessKey: ACCESS_KEY, secretKey: SECRET_KEY, region: 'us-east-1', partSize: 5 * MiB });
      const before = (await storedFiles(t.dataDir)).length;
      const r = await minio.fPutObject(bucket, 'minio/file.bin', file, { 'Content-Type': 'application/x-test', 'X-Amz-Meta-Origin': 'minio' });
      assert.match(r.etag, /^[0-9a-f]{32}-3$/);
      assert.equal((await storedFiles(t.dataDir)).length, before + 3, 'one blob per part, nothing else');
      const stat = await minio.statObject(bucket, 'minio/file.bin');
      assert.equal(stat.size, data.length);
      assert.equal(stat.metaData['content-type'], 'application/x-test');
      assert.equal(stat.metaData['origin'], 'minio');
      const back = await md5OfStream(await minio.getObject(bucket, 'minio/file.bin'));
      assert.equal(back.md5, createHash('md5').update(data).digest('hex'));
      const ranged: Buffer[] = [];
      for await (const c of await minio.getPartialObject(bucket, 'minio/file.bin', 5 * MiB - 3, 10)) ranged.push(c as Buffer);
      assert.deepEqual(Buffer.concat(ranged), data.subarray(5 * MiB - 3, 5 * MiB + 7));
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
