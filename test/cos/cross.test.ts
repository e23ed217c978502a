/**
 * COS and the rest of Stratus: files written through COS are objects S3
 * reads back, S3 objects appear in COS folders, the appid and download
 * addresses come from the configuration, and a single-use signature's replay
 * record is shared by gateways over one metadata store (SQLite, PostgreSQL).
 * (The OSS cross-read lands with the OSS front end.)
 */
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  ListObjectsV2Command,
  PutBucketVersioningCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PostgresDriver } from '../../src/meta/sql/pg-driver.js';
import { signOnce } from '../../src/auth/cos-v4.js';
import { CosClient } from '../../src/sdk/cos/client.js';
import { fromEnv, resolveConfig } from '../../src/server/config.js';
import { rawRequest } from '../helpers/raw.js';
import { PG_URL, pgMissing } from '../meta/stores.js';
import { ACCESS_KEY, SECRET_KEY, bucketName, startTestServer, type TestServer } from '../helpers/server.js';
import { APPID, CRED, assertOk, bytes, startCosServer, type CosTestServer } from './helpers.js';

const sha1 = (b: Buffer) => createHash('sha1').update(b).digest('hex');

describe('COS and S3 share one store', () => {
  let t: CosTestServer;
  let b: string;
  before(async () => {
    t = await startCosServer({}, { sliceThreshold: 600 * 1024 });
    b = t.bucket;
    assertOk(await t.cos.createFolder({ bucket: b, cosPath: '/shared/' }));
  });
  after(() => t.stop());

  const s3Get = async (key: string) => Buffer.from(await (await t.s3.send(new GetObjectCommand({ Bucket: b, Key: key }))).Body!.transformToByteArray());

  it('a file uploaded through COS (simple and sliced) reads back identically through S3', async () => {
    const small = bytes(10_000, 31);
    const large = bytes(1_400_000, 32);
    assertOk(await t.cos.uploadFile({ bucket: b, cosPath: '/shared/small.bin', data: small }));
    assertOk(await t.cos.uploadFile({ bucket: b, cosPath: '/shared/large.bin', data: large, sliceSize: 524288, maxCon: 2 }));
    assert.deepEqual(await s3Get('shared/small.bin'), small);
    assert.deepEqual(await s3Get('shared/large.bin'), large);
    const head = await t.s3.send(new HeadObjectCommand({ Bucket: b, Key: 'shared/large.bin' }));
    assert.equal(head.ContentLength, large.length);
    // The SHA-1 COS computed across slices is the object's checksum, which the AWS SDK verifies on a checksum-mode GET.
    const checked = await t.s3.send(new GetObjectCommand({ Bucket: b, Key: 'shared/large.bin', ChecksumMode: 'ENABLED' }));
    assert.equal(checked.ChecksumSHA1, createHash('sha1').update(large).digest('base64'));
    assert.deepEqual(Buffer.from(await checked.Body!.transformToByteArray()), large);
    const ranged = await t.s3.send(new GetObjectCommand({ Bucket: b, Key: 'shared/large.bin', Range: 'bytes=524280-524300' }));
    assert.deepEqual(Buffer.from(await ranged.Body!.transformToByteArray()), large.subarray(524280, 524301));
  });

  it('folders are zero-byte keys ending in "/" that S3 lists', async () => {
    const r = await t.s3.send(new ListObjectsV2Command({ Bucket: b, Prefix: 'shared/', Delimiter: '/' }));
    const marker = r.Contents?.find((o) => o.Key === 'shared/');
    assert.ok(marker);
    assert.equal(marker.Size, 0);
  });

  it('an object put through S3 appears in a COS folder listing and can be stat-ed, moved and downloaded', async () => {
    const body = Buffer.from('written by the AWS SDK');
    await t.s3.send(new PutObjectCommand({ Bucket: b, Key: 'shared/from-s3.txt', Body: body, ContentType: 'text/plain', Metadata: { origin: 's3' } }));
    const list = assertOk(await t.cos.listFolder({ bucket: b, cosPath: '/shared/' }));
    const info = (list.data!.infos as { name: string; filesize?: number }[]).find((i) => i.name === 'from-s3.txt');
    assert.equal(info?.filesize, body.length);
    const st = assertOk(await t.cos.statFile({ bucket: b, cosPath: '/shared/from-s3.txt' })).data!;
    assert.deepEqual(st.custom_headers, { 'Content-Type': 'text/plain', 'x-cos-meta-origin': 's3' });
    assertOk(await t.cos.moveFile({ bucket: b, cosPath: '/shared/from-s3.txt', destPath: 'renamed.txt' }));
    assert.deepEqual(await s3Get('shared/renamed.txt'), body);
    await assert.rejects(t.s3.send(new HeadObjectCommand({ Bucket: b, Key: 'shared/from-s3.txt' })));
  });

  it('a folder made only by S3 keys is a COS folder', async () => {
    await t.s3.send(new PutObjectCommand({ Bucket: b, Key: 'implied/deep/x.txt', Body: 'x' }));
    assertOk(await t.cos.statFolder({ bucket: b, cosPath: '/implied/deep/' }));
    assertOk(await t.cos.uploadFile({ bucket: b, cosPath: '/implied/deep/y.txt', data: Buffer.from('y') }));
    assert.equal((await t.cos.delFolder({ bucket: b, cosPath: '/implied/deep/' })).code, -173);
  });
});

describe('COS in a versioned bucket', () => {
  let t: CosTestServer;
  before(async () => {
    t = await startCosServer();
    await t.s3.send(new PutBucketVersioningCommand({ Bucket: t.bucket, VersioningConfiguration: { Status: 'Enabled' } }));
  });
  after(() => t.stop());

  it('moves and deletes leave delete markers; listings and folders see only live files', async () => {
    const b = t.bucket;
    assertOk(await t.cos.createFolder({ bucket: b, cosPath: '/v/' }));
    assertOk(await t.cos.uploadFile({ bucket: b, cosPath: '/v/a.txt', data: Buffer.from('version one') }));
    assertOk(await t.cos.uploadFile({ bucket: b, cosPath: '/v/a.txt', data: Buffer.from('version two'), insertOnly: 0 }));
    assertOk(await t.cos.moveFile({ bucket: b, cosPath: '/v/a.txt', destPath: 'b.txt' }));
    const list = assertOk(await t.cos.listFolder({ bucket: b, cosPath: '/v/' }));
    assert.deepEqual((list.data!.infos as { name: string }[]).map((i) => i.name), ['b.txt']);
    assert.equal((await t.cos.statFile({ bucket: b, cosPath: '/v/a.txt' })).code, -197);
    const versions = await t.s3.send(new ListObjectVersionsCommand({ Bucket: b, Prefix: 'v/a.txt' }));
    assert.equal(versions.Versions?.length, 2, 'both versions of the source are kept');
    assert.equal(versions.DeleteMarkers?.length, 1);
    assertOk(await t.cos.delFile({ bucket: b, cosPath: '/v/b.txt' }));
    assert.equal((await t.cos.delFile({ bucket: b, cosPath: '/v/b.txt' })).code, -197);
    assertOk(await t.cos.delFolder({ bucket: b, cosPath: '/v/' }));
    assert.equal((await t.cos.statFolder({ bucket: b, cosPath: '/v/' })).code, -197);
  });
});

describe('COS configuration', () => {
  it('the root account takes its appid from the configuration (flag, file, STRATUS_APPID)', async () => {
    assert.equal(resolveConfig({}).appid, '1250000000');
    assert.equal(resolveConfig({ appid: '1' }, fromEnv({ STRATUS_APPID: '1300000001' })).appid, '1300000001');
    assert.throws(() => resolveConfig({ appid: '12a' }), /digits/);
    const c = resolveConfig(fromEnv({ STRATUS_COS_DOWNLOAD_DOMAIN: 'Files.Example.COM', STRATUS_COS_DOWNLOAD_PATH: '/dl/cos' }));
    assert.equal(c.cosDownloadDomain, 'files.example.com');
    assert.equal(c.cosDownloadPath, '/dl/cos');
    assert.throws(() => resolveConfig({ cosDownloadPath: '/files' }), /download path/);
    assert.throws(() => resolveConfig({ cosDownloadPath: 'nope' }), /download path/);

    const t = await startCosServer({ appid: '1300000001', cosDownloadDomain: 'dl.test', cosDownloadPath: '/get' });
    try {
      const up = assertOk(await t.cos.uploadFile({ bucket: t.bucket, cosPath: '/a.txt', data: Buffer.from('appid') }));
      assert.equal(up.data!.resource_path, `/1300000001/${t.bucket}/a.txt`);
      assert.equal(new URL(up.data!.access_url).hostname, `${t.bucket}-1300000001.dl.test`);
      assert.match(up.data!.source_url, new RegExp(`/get/${t.bucket}-1300000001/a\\.txt$`));
      const oldAppid = new CosClient({ appid: APPID, secretId: ACCESS_KEY, secretKey: SECRET_KEY, endpoint: t.url });
      assert.equal((await oldAppid.statFile({ bucket: t.bucket, cosPath: '/a.txt' })).code, -82);
      const client = new CosClient({ appid: '1300000001', secretId: ACCESS_KEY, secretKey: SECRET_KEY, endpoint: t.url, downloadPath: '/get' });
      const chunks: Buffer[] = [];
      for await (const c of await client.downloadObject({ bucket: t.bucket, cosPath: '/a.txt' })) chunks.push(c as Buffer);
      assert.equal(Buffer.concat(chunks).toString(), 'appid');
      const sign = new URL(client.downloadUrl(t.bucket, '/a.txt')).searchParams.get('sign')!;
      const r = await rawRequest(`${t.url}/a.txt?sign=${encodeURIComponent(sign)}`, { headers: { host: `${t.bucket}-1300000001.dl.test` } });
      assert.equal(r.body.toString(), 'appid');
    } finally {
      await t.stop();
    }
  });
});

/** Two gateways over one metadata store and one object directory. */
async function gatewayPair(overrides: { meta?: string; pgSchema?: string }): Promise<{ a: TestServer; b: TestServer; dir: string; stop(): Promise<void> }> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cos-gw-'));
  const a = await startTestServer({ ...overrides, data: dir });
  const b = await startTestServer({ ...overrides, data: dir });
  return {
    a,
    b,
    dir,
    async stop() {
      await a.stop();
      await b.stop();
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}

async function replayAcrossGateways(g: { a: TestServer; b: TestServer }) {
  const bucket = bucketName('gw');
  await g.a.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const ca = new CosClient({ ...CRED, endpoint: g.a.url });
  const cb = new CosClient({ ...CRED, endpoint: g.b.url });
  assertOk(await ca.uploadFile({ bucket, cosPath: '/f.txt', data: Buffer.from('gw') }));
  const sign = signOnce(CRED, bucket, '/f.txt');
  const update = (url: string, biz: string) =>
    rawRequest(`${url}/files/v2/${APPID}/${bucket}/f.txt`, { method: 'POST', headers: { authorization: sign, 'content-type': 'application/json' }, body: JSON.stringify({ op: 'update', biz_attr: biz }) });
  assert.equal(JSON.parse((await update(g.a.url, 'first')).body.toString()).code, 0);
  const replay = JSON.parse((await update(g.b.url, 'second')).body.toString());
  assert.equal(replay.code, -77);
  assert.equal((await cb.statFile({ bucket, cosPath: '/f.txt' })).data!.biz_attr, 'first');
  // Slices of one session through both gateways.
  const data = bytes(524288 * 2 + 3, 33);
  const sent: number[] = [];
  await assert.rejects(ca.uploadSliceFile({ bucket, cosPath: '/big.bin', data, sliceSize: 524288, onSlice: (s) => {
    sent.push(s.offset);
    throw new Error('gateway a went away');
  } }));
  assertOk(await cb.uploadSliceFile({ bucket, cosPath: '/big.bin', data, sliceSize: 524288 }));
  assert.equal((await ca.statFile({ bucket, cosPath: '/big.bin' })).data!.sha, sha1(data));
  // Descending listings use the store's key order.
  for (const n of ['b', 'a', 'c']) assertOk(await ca.createFolder({ bucket, cosPath: `/${n}/` }));
  const names = (assertOk(await cb.listFolder({ bucket, cosPath: '/', order: 1, pattern: 'eListDirOnly' })).data!.infos as { name: string }[]).map((i) => i.name);
  assert.deepEqual(names, ['c', 'b', 'a']);
}

describe('COS across gateways', () => {
  it('over one SQLite store: a single-use signature used on one gateway fails on the other', async () => {
    const g = await gatewayPair({});
    try {
      await replayAcrossGateways(g);
    } finally {
      await g.stop();
    }
  });

  it('over one PostgreSQL store (skipped when no server answers, failed then under STRATUS_REQUIRE_PG=1)', async (ctx) => {
    const url = PG_URL;
    const schema = `cos_${process.pid}_${Date.now().toString(36)}`;
    const admin = new PostgresDriver(url, { max: 1, connectionTimeoutMillis: 2000 });
    try {
      await admin.get('SELECT 1 AS x');
    } catch (e) {
      await admin.close().catch(() => undefined);
      pgMissing(ctx, `no PostgreSQL at ${url}: ${(e as Error).message}`);
      return;
    }
    try {
      await admin.exec(`CREATE SCHEMA "${schema}"`);
      const g = await gatewayPair({ meta: url, pgSchema: schema });
      try {
        await replayAcrossGateways(g);
      } finally {
        await g.stop();
      }
    } finally {
      await admin.exec(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
      await admin.close();
    }
  });
});
