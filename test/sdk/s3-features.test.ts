/** S3 through StratusClient: versioning, tagging, POST policies, virtual-hosted addressing, and what S3 lacks. */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { collect, StratusClient } from '../../src/sdk/index.js';
import { ACCESS_KEY, bucketName, SECRET_KEY, startTestServer, type TestServer } from '../helpers/server.js';
import { expectError, sdkClient } from './helpers.js';

describe('SDK s3: versioning, tagging, policies, addressing', () => {
  let t: TestServer;
  let c: StratusClient;
  const bucket = bucketName('sdkfeat');
  before(async () => {
    t = await startTestServer();
    c = sdkClient(t.url);
    await c.createBucket(bucket);
  });
  after(async () => {
    c.destroy();
    await t.stop();
  });

  it('turns versioning on, keeps versions, lists them page by page and reads each', async () => {
    assert.equal(await c.getBucketVersioning(bucket), undefined);
    await c.putBucketVersioning(bucket, 'Enabled');
    assert.equal(await c.getBucketVersioning(bucket), 'Enabled');
    const v1 = await c.putObject(bucket, 'doc', 'one');
    const v2 = await c.putObject(bucket, 'doc', 'two');
    assert.ok(v1.versionId && v2.versionId && v1.versionId !== v2.versionId);
    const del = await c.deleteObject(bucket, 'doc');
    assert.equal(del.deleteMarker, true);
    await expectError(c.getObject(bucket, 'doc'), { code: 'NoSuchKey', status: 404 });
    assert.equal((await c.getObjectBuffer(bucket, 'doc', { versionId: v1.versionId })).data.toString(), 'one');
    const versions = await collect(c.listObjectVersions(bucket, { prefix: 'doc', pageSize: 1 }));
    assert.deepEqual(
      versions.map((v) => (v.isPrefix ? 'prefix' : [v.deleteMarker, v.isLatest, v.versionId])),
      [
        [true, true, del.versionId],
        [false, false, v2.versionId],
        [false, false, v1.versionId],
      ],
    );
    // Remove every version (what `rm --all-versions` does).
    const r = await c.deleteObjects(bucket, versions.filter((v) => !v.isPrefix).map((v) => ({ key: v.key, versionId: (v as { versionId: string }).versionId })));
    assert.equal(r.deleted.length, 3);
    assert.deepEqual(await collect(c.listObjectVersions(bucket, { prefix: 'doc' })), []);
    await c.putBucketVersioning(bucket, 'Suspended');
    assert.equal(await c.getBucketVersioning(bucket), 'Suspended');
  });

  it('tags objects (on write and afterwards) and buckets', async () => {
    await c.putObject(bucket, 'tagged', 'x', { tags: { team: 'a b', env: 'dev' } });
    assert.deepEqual(await c.getObjectTagging(bucket, 'tagged'), { team: 'a b', env: 'dev' });
    assert.equal((await c.headObject(bucket, 'tagged')).tagCount, 2);
    await c.putObjectTagging(bucket, 'tagged', { only: 'one' });
    assert.deepEqual(await c.getObjectTagging(bucket, 'tagged'), { only: 'one' });
    await c.deleteObjectTagging(bucket, 'tagged');
    assert.deepEqual(await c.getObjectTagging(bucket, 'tagged'), {});
    await c.putBucketTagging(bucket, { cost: 'center-1' });
    assert.deepEqual(await c.getBucketTagging(bucket), { cost: 'center-1' });
    await c.deleteBucketTagging(bucket);
    await expectError(c.getBucketTagging(bucket), { code: 'NoSuchTagSet', status: 404 });
  });

  it('builds a V4 POST policy whose signature an independent HMAC reproduces', async () => {
    const p = await c.createPostPolicy(bucket, { keyPrefix: 'uploads/', contentLengthRange: [1, 1024], expiresSeconds: 600, fields: { 'x-amz-meta-who': 'me' } });
    const f = p.fields;
    assert.equal(p.url, `${t.url}/${bucket}/`);
    assert.equal(f['key'], 'uploads/${filename}');
    assert.equal(f['x-amz-algorithm'], 'AWS4-HMAC-SHA256');
    const [ak, date8, region, service, term] = f['x-amz-credential']!.split('/');
    assert.deepEqual([ak, region, service, term], [ACCESS_KEY, 'us-east-1', 's3', 'aws4_request']);
    const doc = JSON.parse(Buffer.from(f['policy']!, 'base64').toString());
    assert.ok(Date.parse(doc.expiration) > Date.now());
    assert.deepEqual(doc.conditions.slice(0, 3), [{ bucket }, ['starts-with', '$key', 'uploads/'], ['content-length-range', 1, 1024]]);
    assert.ok(doc.conditions.some((x: Record<string, string>) => x['x-amz-meta-who'] === 'me'));
    const h = (k: Buffer | string, d: string) => createHmac('sha256', k).update(d).digest();
    const key = h(h(h(h('AWS4' + SECRET_KEY, date8!), 'us-east-1'), 's3'), 'aws4_request');
    assert.equal(f['x-amz-signature'], createHmac('sha256', key).update(f['policy']!).digest('hex'));
  });

  it('addresses buckets virtual-hosted style when asked', async () => {
    // Resolve <bucket>.localhost to the loopback address whatever the system resolver does.
    const lookup = ((_h: string, o: { all?: boolean }, cb: (...a: unknown[]) => void) =>
      o?.all ? cb(null, [{ address: '127.0.0.1', family: 4 }]) : cb(null, '127.0.0.1', 4)) as unknown as http.AgentOptions['lookup'];
    const agent = new http.Agent({ keepAlive: true, lookup });
    const v = sdkClient(`http://localhost:${t.port}`, 's3', { pathStyle: false, agent });
    try {
      await v.putObject(bucket, 'vhost/key', 'virtual');
      assert.equal((await c.getObjectBuffer(bucket, 'vhost/key')).data.toString(), 'virtual');
      assert.deepEqual((await collect(v.listObjects(bucket, { prefix: 'vhost/' }))).map((e) => e.key), ['vhost/key']);
      const url = await v.presignUrl(bucket, 'vhost/key');
      assert.ok(url.startsWith(`http://${bucket}.localhost:${t.port}/vhost/key?`));
    } finally {
      agent.destroy();
    }
  });

  it('refuses what S3 does not have with NotSupported, before any request', async () => {
    await expectError(c.appendObject(bucket, 'a', 0, 'x'), { code: 'NotSupported', status: 0 });
    await expectError(c.putSymlink(bucket, 'l', 'a'), { code: 'NotSupported', status: 0 });
  });
});
