import { CreateBucketCommand, DeleteObjectsCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertS3Error, signedRequest, xmlFields } from '../helpers/raw.js';
import { md5b64, sdkRejects } from '../helpers/sdk.js';
import { bucketName, startTestServer, storedData, type TestServer } from '../helpers/server.js';

describe('DeleteObjects', () => {
  let t: TestServer;
  const bucket = bucketName('multidel');
  before(async () => {
    t = await startTestServer();
    await t.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  });
  after(() => t.stop());

  const put = async (keys: string[]) => {
    for (const k of keys) await t.s3.send(new PutObjectCommand({ Bucket: bucket, Key: k, Body: k }));
  };
  const keysIn = async (prefix: string) => ((await t.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }))).Contents ?? []).map((c) => c.Key);

  it('deletes the keys given and reports each one (verbose)', async () => {
    await put(['v/a', 'v/b b', 'v/ü', 'v/keep']);
    const r = await t.s3.send(
      new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: [{ Key: 'v/a' }, { Key: 'v/b b' }, { Key: 'v/ü' }, { Key: 'v/never-existed' }] } }),
    );
    assert.deepEqual(r.Deleted?.map((d) => d.Key).sort(), ['v/a', 'v/b b', 'v/never-existed', 'v/ü']);
    assert.equal(r.Errors, undefined);
    assert.deepEqual(await keysIn('v/'), ['v/keep']);
  });

  it('reports nothing but errors in quiet mode', async () => {
    await put(['q/1', 'q/2']);
    const r = await t.s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Quiet: true, Objects: [{ Key: 'q/1' }, { Key: 'q/2' }] } }));
    assert.equal(r.Deleted, undefined);
    assert.equal(r.Errors, undefined);
    assert.deepEqual(await keysIn('q/'), []);
  });

  it('deletes 1000 keys in one request and frees their blobs', async () => {
    // 100 stored objects among 1000 keys: deleting a missing key succeeds too.
    const keys = Array.from({ length: 1000 }, (_, i) => `many/${String(i).padStart(4, '0')}`);
    const stored = keys.filter((_, i) => i % 10 === 3);
    const before = await storedData(t.dataDir);
    await Promise.all(
      Array.from({ length: 4 }, async (_, w) => {
        for (let i = w; i < stored.length; i += 4) await t.s3.send(new PutObjectCommand({ Bucket: bucket, Key: stored[i], Body: 'x' }));
      }),
    );
    assert.equal(await storedData(t.dataDir), before + stored.length);
    const r = await t.s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys.map((Key) => ({ Key })) } }));
    assert.equal(r.Deleted?.length, 1000);
    assert.deepEqual(await keysIn('many/'), []);
    assert.equal(await storedData(t.dataDir), before);
  });

  it('refuses more than 1000 keys with MalformedXML and deletes none', async () => {
    await put(['over/keep']);
    const objects = [{ Key: 'over/keep' }, ...Array.from({ length: 1000 }, (_, i) => ({ Key: `over/${i}` }))];
    await sdkRejects(t.s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: objects } })), 'MalformedXML', 400);
    assert.deepEqual(await keysIn('over/'), ['over/keep']);
  });

  it('answers NoSuchBucket for a missing bucket', async () => {
    await sdkRejects(t.s3.send(new DeleteObjectsCommand({ Bucket: bucketName('nope'), Delete: { Objects: [{ Key: 'k' }] } })), 'NoSuchBucket', 404);
  });

  describe('on the wire', () => {
    const post = (body: string, headers: Record<string, string> = { 'content-md5': md5b64(body) }) =>
      signedRequest(t.url, `/${bucket}?delete`, { method: 'POST', body, headers });

    it('answers malformed XML with MalformedXML', async () => {
      for (const body of ['<Delete><Object><Key>a</Key></Object>', 'garbage', '<Delete></Delete>', '<Other><Object><Key>a</Key></Object></Other>', '<Delete><Object></Object></Delete>']) {
        assertS3Error(await post(body), 400, 'MalformedXML');
      }
    });

    it('requires Content-MD5 (or a checksum) and checks it', async () => {
      const body = '<Delete><Object><Key>a</Key></Object></Delete>';
      assertS3Error(await post(body, {}), 400, 'InvalidRequest');
      assertS3Error(await post(body, { 'content-md5': md5b64('other') }), 400, 'BadDigest');
    });

    it('renders DeleteResult with Deleted entries, and none when quiet', async () => {
      await put(['w/x', 'w/y']);
      const verbose = await post('<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Object><Key>w/x</Key></Object></Delete>');
      assert.equal(verbose.status, 200);
      assert.match(verbose.body.toString(), /<DeleteResult xmlns="http:\/\/s3.amazonaws.com\/doc\/2006-03-01\/">/);
      assert.deepEqual(xmlFields(verbose.body, 'Key'), ['w/x']);
      const quiet = await post('<Delete><Quiet>true</Quiet><Object><Key>w/y</Key></Object></Delete>');
      assert.equal(quiet.status, 200);
      assert.deepEqual(xmlFields(quiet.body, 'Deleted'), []);
      assert.deepEqual(await keysIn('w/'), []);
    });
  });

  describe('through minio', () => {
    it('removes a list of objects', async () => {
      await put(['m/1', 'm/2', 'm/3']);
      assert.deepEqual(await t.minio.removeObjects(bucket, ['m/1', 'm/2']), []);
      assert.deepEqual(await keysIn('m/'), ['m/3']);
      // minio sends an empty <VersionId/> for an object given as { name }.
      assert.deepEqual(await t.minio.removeObjects(bucket, [{ name: 'm/3' }]), []);
      assert.deepEqual(await keysIn('m/'), []);
    });
  });
});
