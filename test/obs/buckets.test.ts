import type ObsClient from 'esdk-obs-nodejs';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bucketName, type TestServer } from '../helpers/server.js';
import { fails, obsClient, ok, OBS_MODES, startObsServer } from './helpers.js';

for (const mode of OBS_MODES) {
  describe(`OBS buckets through esdk-obs-nodejs (${mode} mode)`, () => {
    let t: TestServer;
    let c: ObsClient;
    // The SDK speaks WARM / COLD in OBS mode and S3's names in the AWS-compatible one.
    const WARM = mode === 'obs' ? 'WARM' : 'STANDARD_IA';
    const COLD = mode === 'obs' ? 'COLD' : 'GLACIER';
    before(async () => {
      t = await startObsServer();
      c = await obsClient(t, mode);
    });
    after(async () => {
      c.close();
      await t.stop();
    });

    it('creates a bucket with a location, a default storage class and a canned ACL, and reports them', async () => {
      const b = bucketName('obs-cb');
      await ok(c.createBucket({ Bucket: b, Location: 'cn-north-1', StorageClass: WARM, ACL: 'public-read' }));
      await ok(c.headBucket({ Bucket: b }));
      const md = await ok(c.getBucketMetadata({ Bucket: b }));
      assert.equal(md.StorageClass, WARM);
      assert.equal(md.Location, 'cn-north-1');
      assert.equal(md.ObsVersion, '3.0');
      assert.equal((await ok(c.getBucketLocation({ Bucket: b }))).Location, 'cn-north-1');
      assert.equal((await ok(c.getBucketStoragePolicy({ Bucket: b }))).StorageClass, WARM);
      const acl = await ok(c.getBucketAcl({ Bucket: b }));
      assert.ok(acl.Grants.some((g: any) => g.Permission === 'READ' && g.Grantee.URI), JSON.stringify(acl.Grants));
      const listed = await ok(c.listBuckets({}));
      const mine = listed.Buckets.find((x: any) => x.BucketName === b);
      assert.ok(mine, 'listed');
      assert.equal(mine.Location, 'cn-north-1');
      // The guide: creating a bucket you already own is not an error, and the first attributes stay.
      await ok(c.createBucket({ Bucket: b, StorageClass: COLD }));
      assert.equal((await ok(c.getBucketStoragePolicy({ Bucket: b }))).StorageClass, WARM);
    });

    it('applies the bucket storage policy to new objects that name no class', async () => {
      const b = bucketName('obs-sp');
      await ok(c.createBucket({ Bucket: b }));
      assert.equal((await ok(c.getBucketStoragePolicy({ Bucket: b }))).StorageClass, 'STANDARD');
      await ok(c.setBucketStoragePolicy({ Bucket: b, StorageClass: WARM }));
      assert.equal((await ok(c.getBucketStoragePolicy({ Bucket: b }))).StorageClass, WARM);
      await ok(c.putObject({ Bucket: b, Key: 'inherits', Body: 'x' }));
      await ok(c.putObject({ Bucket: b, Key: 'explicit', Body: 'y', StorageClass: COLD }));
      assert.equal((await ok(c.getObjectMetadata({ Bucket: b, Key: 'inherits' }))).StorageClass, WARM);
      assert.equal((await ok(c.getObjectMetadata({ Bucket: b, Key: 'explicit' }))).StorageClass, COLD);
      const list = await ok(c.listObjects({ Bucket: b }));
      assert.deepEqual(
        list.Contents.map((o: any) => [o.Key, o.StorageClass]),
        [
          ['explicit', COLD],
          ['inherits', WARM],
        ],
      );
      // Multipart uploads inherit it too.
      const up = await ok(c.initiateMultipartUpload({ Bucket: b, Key: 'mp' }));
      const parts = await ok(c.listParts({ Bucket: b, Key: 'mp', UploadId: up.UploadId }));
      assert.equal(parts.StorageClass, WARM);
      await ok(c.abortMultipartUpload({ Bucket: b, Key: 'mp', UploadId: up.UploadId }));
    });

    it('sets and reads a quota, and reports storage info', async () => {
      const b = bucketName('obs-q');
      await ok(c.createBucket({ Bucket: b }));
      assert.equal((await ok(c.getBucketQuota({ Bucket: b }))).StorageQuota, '0');
      await ok(c.setBucketQuota({ Bucket: b, StorageQuota: 1024 * 1024 }));
      assert.equal((await ok(c.getBucketQuota({ Bucket: b }))).StorageQuota, String(1024 * 1024));
      let info = await ok(c.getBucketStorageInfo({ Bucket: b }));
      assert.deepEqual([info.Size, info.ObjectNumber], ['0', '0']);
      await ok(c.putObject({ Bucket: b, Key: 'a', Body: 'hello' }));
      await ok(c.putObject({ Bucket: b, Key: 'b', Body: 'world!' }));
      info = await ok(c.getBucketStorageInfo({ Bucket: b }));
      assert.deepEqual([info.Size, info.ObjectNumber], ['11', '2']);
    });

    it('refuses a malformed quota and answers a missing bucket with OBS errors', async () => {
      const b = bucketName('obs-bad');
      await ok(c.createBucket({ Bucket: b }));
      const m = await fails(c.setBucketQuota({ Bucket: b, StorageQuota: 'lots' }), 400, 'InvalidArgument');
      assert.ok(m.RequestId, 'the request id comes back');
      await fails(c.getBucketStorageInfo({ Bucket: 'no-such-bucket-here' }), 404, 'NoSuchBucket');
      // HEAD answers carry no body: the SDK reads the code from the error headers.
      assert.equal((await fails(c.getBucketMetadata({ Bucket: 'no-such-bucket-here' }), 404)).Code, 'NoSuchBucket');
    });

    it('deletes only empty buckets; a missing bucket is 404', async () => {
      const b = bucketName('obs-del');
      await ok(c.createBucket({ Bucket: b }));
      await ok(c.putObject({ Bucket: b, Key: 'k', Body: 'x' }));
      await fails(c.deleteBucket({ Bucket: b }), 409, 'BucketNotEmpty');
      await ok(c.deleteObject({ Bucket: b, Key: 'k' }));
      await ok(c.deleteBucket({ Bucket: b }));
      await fails(c.headBucket({ Bucket: b }), 404);
      await fails(c.deleteBucket({ Bucket: b }), 404);
    });
  });
}
