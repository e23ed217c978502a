/** OBS through StratusClient in both modes: append, versioning, tagging, ACLs, verified transfers, POST policies. */
import assert from 'node:assert/strict';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { collect, type DialectName, type StratusClient } from '../../src/sdk/index.js';
import { ACCESS_KEY, bucketName, SECRET_KEY, startTestServer, type TestServer } from '../helpers/server.js';
import { expectError, sdkClient } from './helpers.js';

const MiB = 1024 * 1024;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

for (const dialect of ['obs', 'obs-v2'] as DialectName[]) {
  describe(`SDK ${dialect}: append, versions, tags, ACLs, transfers, policies`, () => {
    let t: TestServer;
    let c: StratusClient;
    let tmp: string;
    const bucket = bucketName(`sdk${dialect.replace('-', '')}`);
    before(async () => {
      t = await startTestServer();
      c = sdkClient(t.url, dialect);
      tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'stratus-obs-'));
      await c.createBucket(bucket, { region: 'cn-north-4', acl: 'private' });
    });
    after(async () => {
      c.destroy();
      await t.stop();
      await fs.rm(tmp, { recursive: true, force: true });
    });

    it('creates buckets in a location and reports it', async () => {
      assert.equal(await c.getBucketLocation(bucket), 'cn-north-4');
    });

    it('appends (an OBS operation S3 lacks, so the request reached the OBS front end)', async () => {
      const a = await c.appendObject(bucket, 'log', 0, 'abc');
      assert.equal(a.nextPosition, 3);
      const b = await c.appendObject(bucket, 'log', 3, 'def');
      assert.equal(b.nextPosition, 6);
      assert.equal((await c.getObjectBuffer(bucket, 'log')).data.toString(), 'abcdef');
      const h = await c.headObject(bucket, 'log');
      assert.equal(h.objectType, 'Appendable');
      assert.equal(h.nextAppendPosition, 6);
      await expectError(c.appendObject(bucket, 'log', 1, 'x'), { status: 409 });
    });

    it('versions objects and lists the versions', async () => {
      await c.putBucketVersioning(bucket, 'Enabled');
      assert.equal(await c.getBucketVersioning(bucket), 'Enabled');
      const v1 = await c.putObject(bucket, 'v', '1');
      const v2 = await c.putObject(bucket, 'v', '2');
      assert.notEqual(v1.versionId, v2.versionId);
      const versions = await collect(c.listObjectVersions(bucket, { prefix: 'v' }));
      assert.deepEqual(versions.map((v) => !v.isPrefix && v.versionId), [v2.versionId, v1.versionId]);
      assert.equal((await c.getObjectBuffer(bucket, 'v', { versionId: v1.versionId })).data.toString(), '1');
      await c.putBucketVersioning(bucket, 'Suspended');
    });

    it('tags objects and buckets', async () => {
      await c.putObject(bucket, 'tagged', 'x');
      await c.putObjectTagging(bucket, 'tagged', { a: '1' });
      assert.deepEqual(await c.getObjectTagging(bucket, 'tagged'), { a: '1' });
      await c.putBucketTagging(bucket, { team: 'storage' });
      assert.deepEqual(await c.getBucketTagging(bucket), { team: 'storage' });
    });

    it('gets and sets ACLs, canned and as grant lists', async () => {
      await c.putObject(bucket, 'acl', 'x');
      await c.putObjectAcl(bucket, 'acl', 'public-read');
      const acl = await c.getObjectAcl(bucket, 'acl');
      assert.equal(acl.canned, 'public-read');
      assert.ok(acl.owner?.id);
      await c.putObjectAcl(bucket, 'acl', { owner: acl.owner, grants: acl.grants.filter((g) => g.grantee.type === 'CanonicalUser') });
      assert.equal((await c.getObjectAcl(bucket, 'acl')).canned, 'private');
      await c.putBucketAcl(bucket, 'public-read');
      assert.equal((await c.getBucketAcl(bucket)).canned, 'public-read');
      await c.putBucketAcl(bucket, 'private');
    });

    it('uploads in parts above 100 KiB and downloads verified by MD5', async () => {
      const data = randomBytes(2 * MiB + 11);
      const file = path.join(tmp, 'obs.bin');
      await fs.writeFile(file, data);
      const up = await c.uploadFile(bucket, 'obs.bin', file, { partSize: 512 * 1024, multipartThreshold: 512 * 1024, concurrency: 3 });
      assert.equal(up.partsUploaded, 5);
      await c.putObject(bucket, 'single.bin', data);
      const target = path.join(tmp, 'single.out');
      const d = await c.downloadFile(bucket, 'single.bin', target, { partSize: 700_000 });
      assert.equal(d.verifiedBy, 'md5');
      assert.equal(sha(await fs.readFile(target)), sha(data));
      const t2 = path.join(tmp, 'multi.out');
      await c.downloadFile(bucket, 'obs.bin', t2, { partSize: 700_000 });
      assert.equal(sha(await fs.readFile(t2)), sha(data));
    });

    it('builds a POST policy signed with HMAC-SHA1', async () => {
      const p = await c.createPostPolicy(bucket, { key: 'form.txt', acl: 'public-read' });
      assert.equal(p.fields[dialect === 'obs' ? 'AccessKeyId' : 'AWSAccessKeyId'], ACCESS_KEY);
      assert.equal(p.fields[dialect === 'obs' ? 'x-obs-acl' : 'x-amz-acl'], 'public-read');
      assert.equal(p.fields['signature'], createHmac('sha1', SECRET_KEY).update(p.fields['policy']!).digest('base64'));
    });
  });
}
