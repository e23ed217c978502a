import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { assertOk, bytes, startCosServer, type CosTestServer } from '../cos/helpers.js';
import { OBS_DOMAIN, obsClient, ok, readAll } from '../obs/helpers.js';
import { ossClient } from '../oss/helpers.js';

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

/**
 * One object, four front ends: whatever writes it, S3, OSS (ali-oss), OBS
 * (esdk-obs-nodejs, both signature modes) and COS (the project's v4 client)
 * read back the same bytes, and the XML dialects the same content type,
 * metadata and ETag.
 */
describe('cross-dialect reads: S3, OSS, OBS and COS over one engine', () => {
  let t: CosTestServer;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let oss: any;
  before(async () => {
    t = await startCosServer({ domains: ['localhost', OBS_DOMAIN] });
    oss = ossClient(t);
    oss.useBucket(t.bucket);
  });
  after(() => t.stop());

  async function viaS3(key: string) {
    const r = await t.s3.send(new GetObjectCommand({ Bucket: t.bucket, Key: key }));
    return { data: Buffer.from(await r.Body!.transformToByteArray()), type: r.ContentType, meta: r.Metadata, etag: r.ETag };
  }
  async function viaOss(key: string) {
    const r = await oss.get(key);
    const head = await oss.head(key);
    return { data: r.content as Buffer, type: r.res.headers['content-type'] as string, meta: head.meta as Record<string, string>, etag: r.res.headers.etag as string };
  }
  async function viaObs(key: string, mode: 'obs' | 'v2') {
    const c = await obsClient(t, mode);
    const r = await ok(c.getObject({ Bucket: t.bucket, Key: key, SaveAsStream: true }));
    return { data: await readAll(r.Content), type: r.ContentType as string, meta: r.Metadata as Record<string, string>, etag: r.ETag as string };
  }

  it('written through OBS (both modes): OSS and S3 read the same object', async () => {
    for (const mode of ['obs', 'v2'] as const) {
      const key = `from-obs-${mode}/data.bin`;
      const data = bytes(70_000, 3);
      const c = await obsClient(t, mode);
      // esdk-obs-nodejs sends a Buffer Body as text, so binary content goes in as a stream; it also
      // sends `Content-Type: application/json` whatever ContentType says (seen on the wire), so the
      // readers are held to what OBS itself reads back.
      await ok(c.putObject({ Bucket: t.bucket, Key: key, Body: Readable.from([data]), ContentLength: data.length, Metadata: { origin: 'obs' } }));
      const own = await viaObs(key, mode);
      assert.equal(md5(own.data), md5(data), `${mode}: bytes through OBS`);
      for (const got of [await viaOss(key), await viaS3(key)]) {
        assert.equal(md5(got.data), md5(data), `${mode}: bytes`);
        assert.equal(got.type, own.type, `${mode}: content type`);
        assert.equal(got.meta?.origin, 'obs', `${mode}: metadata`);
        assert.equal(got.etag, `"${md5(data)}"`, `${mode}: ETag`);
      }
    }
  });

  it('written through OSS: OBS (both modes) and S3 read the same object', async () => {
    const key = 'from-oss/data.bin';
    const data = bytes(50_000, 4);
    await oss.put(key, data, { mime: 'application/x-oss', meta: { origin: 'oss' } });
    for (const got of [await viaObs(key, 'obs'), await viaObs(key, 'v2'), await viaS3(key)]) {
      assert.equal(md5(got.data), md5(data));
      assert.equal(got.type, 'application/x-oss');
      assert.equal(got.meta?.origin, 'oss');
      assert.equal(got.etag, `"${md5(data)}"`);
    }
  });

  it('written through S3: OSS and OBS read the same object', async () => {
    const key = 'from-s3/data.bin';
    const data = bytes(30_000, 5);
    await t.s3.send(new PutObjectCommand({ Bucket: t.bucket, Key: key, Body: data, ContentType: 'application/x-s3', Metadata: { origin: 's3' } }));
    for (const got of [await viaOss(key), await viaObs(key, 'obs')]) {
      assert.equal(md5(got.data), md5(data));
      assert.equal(got.type, 'application/x-s3');
      assert.equal(got.meta?.origin, 's3');
    }
  });

  it('uploaded through COS (simple and sliced): OSS and OBS read it byte for byte', async () => {
    const small = bytes(10_000, 6);
    const large = bytes(1_300_000, 7);
    assertOk(await t.cos.createFolder({ bucket: t.bucket, cosPath: '/from-cos/' }));
    assertOk(await t.cos.uploadFile({ bucket: t.bucket, cosPath: '/from-cos/small.bin', data: small }));
    assertOk(await t.cos.uploadFile({ bucket: t.bucket, cosPath: '/from-cos/large.bin', data: large, sliceSize: 524288, maxCon: 2 }));
    for (const [key, data] of [
      ['from-cos/small.bin', small],
      ['from-cos/large.bin', large],
    ] as const) {
      assert.equal(md5((await viaOss(key)).data), md5(data), `${key} through OSS`);
      assert.equal(md5((await viaObs(key, 'v2')).data), md5(data), `${key} through OBS`);
    }
  });

  it('an object written through OSS or OBS appears in a COS folder listing', async () => {
    await oss.put('listed/oss.txt', Buffer.from('o'));
    const c = await obsClient(t, 'v2');
    await ok(c.putObject({ Bucket: t.bucket, Key: 'listed/obs.txt', Body: 'b' }));
    const r = assertOk(await t.cos.listFolder({ bucket: t.bucket, cosPath: '/listed/' }));
    const names = ((r.data as { infos: { name: string }[] }).infos ?? []).map((i) => i.name).sort();
    assert.deepEqual(names, ['obs.txt', 'oss.txt']);
  });
});
