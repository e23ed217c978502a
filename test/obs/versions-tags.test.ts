import type ObsClient from 'esdk-obs-nodejs';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bucketName, type TestServer } from '../helpers/server.js';
import { fails, obsClient, ok, OBS_MODES, readAll, startObsServer } from './helpers.js';

for (const mode of OBS_MODES) {
  describe(`OBS versioning and tagging through esdk-obs-nodejs (${mode} mode)`, () => {
    let t: TestServer;
    let c: ObsClient;
    before(async () => {
      t = await startObsServer();
      c = await obsClient(t, mode);
    });
    after(async () => {
      c.close();
      await t.stop();
    });

    it('versions objects: enable, list versions and delete markers, read and delete by version id', async () => {
      const b = bucketName('obs-ver');
      await ok(c.createBucket({ Bucket: b }));
      assert.ok(!(await ok(c.getBucketVersioning({ Bucket: b }))).VersionStatus, 'never configured');
      await ok(c.setBucketVersioning({ Bucket: b, VersionStatus: 'Enabled' }));
      assert.equal((await ok(c.getBucketVersioning({ Bucket: b }))).VersionStatus, 'Enabled');
      const v1 = (await ok(c.putObject({ Bucket: b, Key: 'doc', Body: 'one' }))).VersionId;
      const v2 = (await ok(c.putObject({ Bucket: b, Key: 'doc', Body: 'two' }))).VersionId;
      assert.ok(v1 && v2 && v1 !== v2);
      const del = await ok(c.deleteObject({ Bucket: b, Key: 'doc' }));
      assert.equal(del.DeleteMarker, 'true');
      await fails(c.getObject({ Bucket: b, Key: 'doc' }), 404, 'NoSuchKey');
      const old = await ok(c.getObject({ Bucket: b, Key: 'doc', VersionId: v1, SaveAsStream: true }));
      assert.equal((await readAll(old.Content)).toString(), 'one');

      const listed = await ok(c.listVersions({ Bucket: b }));
      assert.deepEqual(listed.Versions.map((v: any) => [v.Key, v.VersionId, v.IsLatest]), [
        ['doc', v2, 'false'],
        ['doc', v1, 'false'],
      ]);
      assert.deepEqual(listed.DeleteMarkers.map((m: any) => [m.Key, m.VersionId, m.IsLatest]), [['doc', del.VersionId, 'true']]);
      const page = await ok(c.listVersions({ Bucket: b, MaxKeys: 1 }));
      assert.equal(page.IsTruncated, 'true');
      const next = await ok(c.listVersions({ Bucket: b, KeyMarker: page.NextKeyMarker, VersionIdMarker: page.NextVersionIdMarker }));
      assert.equal(next.Versions.length + next.DeleteMarkers.length, 2);

      // Deleting the marker by its version id brings the object back.
      await ok(c.deleteObject({ Bucket: b, Key: 'doc', VersionId: del.VersionId }));
      const cur = await ok(c.getObject({ Bucket: b, Key: 'doc', SaveAsStream: true }));
      assert.equal((await readAll(cur.Content)).toString(), 'two');
      await ok(c.deleteObject({ Bucket: b, Key: 'doc', VersionId: v2 }));
      const back = await ok(c.getObject({ Bucket: b, Key: 'doc', SaveAsStream: true }));
      assert.equal((await readAll(back.Content)).toString(), 'one');
      // Batch delete by version.
      const batch = await ok(c.deleteObjects({ Bucket: b, Objects: [{ Key: 'doc', VersionId: v1 }] }));
      assert.deepEqual(batch.Deleteds.map((d: any) => [d.Key, d.VersionId]), [['doc', v1]]);
      assert.equal((await ok(c.listVersions({ Bucket: b }))).Versions.length, 0);
      // Storage info counts every stored version.
      await ok(c.putObject({ Bucket: b, Key: 'x', Body: 'abc' }));
      await ok(c.putObject({ Bucket: b, Key: 'x', Body: 'defg' }));
      const info = await ok(c.getBucketStorageInfo({ Bucket: b }));
      assert.deepEqual([info.Size, info.ObjectNumber], ['7', '2']);
      await ok(c.setBucketVersioning({ Bucket: b, VersionStatus: 'Suspended' }));
      assert.equal((await ok(c.getBucketVersioning({ Bucket: b }))).VersionStatus, 'Suspended');
    });

    it('sets, reads and deletes bucket and object tags', async () => {
      const b = bucketName('obs-tag');
      await ok(c.createBucket({ Bucket: b }));
      await fails(c.getBucketTagging({ Bucket: b }), 404, 'NoSuchTagSet');
      await ok(c.setBucketTagging({ Bucket: b, Tags: [{ Key: 'team', Value: 'storage' }, { Key: '项目', Value: '云' }] }));
      const tags = await ok(c.getBucketTagging({ Bucket: b }));
      assert.deepEqual(
        tags.Tags.map((x: any) => [x.Key, x.Value]).sort(),
        [
          ['team', 'storage'],
          ['项目', '云'],
        ],
      );
      // The guide: at most 10 tags per bucket.
      const eleven = Array.from({ length: 11 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
      await fails(c.setBucketTagging({ Bucket: b, Tags: eleven }), 400, 'InvalidTagError');
      await ok(c.deleteBucketTagging({ Bucket: b }));
      await fails(c.getBucketTagging({ Bucket: b }), 404, 'NoSuchTagSet');

      await ok(c.putObject({ Bucket: b, Key: 'o', Body: 'x' }));
      await ok(c.setObjectTagging({ Bucket: b, Key: 'o', Tags: [{ Key: 'a', Value: '1' }] }));
      assert.deepEqual((await ok(c.getObjectTagging({ Bucket: b, Key: 'o' }))).Tags.map((x: any) => [x.Key, x.Value]), [['a', '1']]);
      await ok(c.deleteObjectTagging({ Bucket: b, Key: 'o' }));
      assert.deepEqual((await ok(c.getObjectTagging({ Bucket: b, Key: 'o' }))).Tags, []);
    });
  });
}
