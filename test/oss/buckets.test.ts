import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bucketName, startTestServer, type TestServer } from '../helpers/server.js';
import { field, ossClient, ossError, signedV1 } from './helpers.js';

describe('OSS service and bucket operations through ali-oss', () => {
  let srv: TestServer;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let oss: any;

  before(async () => {
    srv = await startTestServer();
    oss = ossClient(srv);
  });
  after(() => srv.stop());

  it('ListBuckets pages with prefix, marker and max-keys', async () => {
    const prefix = bucketName('lb');
    const names = [`${prefix}-a`, `${prefix}-b`, `${prefix}-c`];
    for (const n of names) await oss.putBucket(n);
    await oss.putBucket(bucketName('other'));

    const seen: string[] = [];
    let marker: string | undefined;
    let pages = 0;
    for (;;) {
      const r = await oss.listBuckets({ prefix, 'max-keys': 2, ...(marker ? { marker } : {}) });
      pages++;
      seen.push(...r.buckets.map((b: { name: string }) => b.name));
      for (const b of r.buckets) {
        assert.equal(b.region, 'oss-cn-hangzhou'); // the region ali-oss addresses (no --region: buckets take the client's)
        assert.equal(b.storageClass, 'Standard');
      }
      if (!r.isTruncated) break;
      assert.equal(r.nextMarker, seen[seen.length - 1]);
      marker = r.nextMarker;
    }
    assert.deepEqual(seen, names);
    assert.equal(pages, 2);
  });

  it('PutBucket stores the DataRedundancyType asked for (a bucket setting of its own); GetBucketInfo returns it', async () => {
    const name = bucketName('zrs');
    await oss.putBucket(name, { storageClass: 'Standard', dataRedundancyType: 'ZRS' });
    assert.equal((await oss.getBucketInfo(name)).bucket.DataRedundancyType, 'ZRS');
  });

  it('PutBucket stores the ACL and storage class; GetBucketInfo, GetBucketACL and PutBucketACL return them', async () => {
    const name = bucketName('info');
    await oss.putBucket(name, { acl: 'public-read', storageClass: 'IA', dataRedundancyType: 'LRS' });
    const info = await oss.getBucketInfo(name);
    assert.equal(info.bucket.Name, name);
    assert.equal(info.bucket.StorageClass, 'IA');
    assert.equal(info.bucket.DataRedundancyType, 'LRS');
    assert.equal(info.bucket.Location, 'oss-cn-hangzhou');
    assert.equal(info.bucket.AccessControlList.Grant, 'public-read');
    assert.equal(info.bucket.Owner.ID, 'root');
    assert.equal((await oss.getBucketACL(name)).acl, 'public-read');
    await oss.putBucketACL(name, 'private');
    assert.equal((await oss.getBucketACL(name)).acl, 'private');
    const bad = await ossError(oss.putBucketACL(name, 'everyone'));
    assert.equal(bad.status, 400);
    assert.equal(bad.code, 'InvalidArgument');
    const listed = (await oss.listBuckets({ prefix: name })).buckets;
    assert.equal(listed[0].storageClass, 'IA');
  });

  it('GetBucketLocation and GetBucketStat', async () => {
    const name = bucketName('stat');
    await oss.putBucket(name);
    oss.useBucket(name);
    assert.equal((await oss.getBucketLocation(name)).location, 'oss-cn-hangzhou');
    await oss.put('a', Buffer.alloc(100, 1));
    await oss.put('b', Buffer.alloc(250, 2));
    await oss.initMultipartUpload('c');
    const { stat } = await oss.getBucketStat(name);
    assert.equal(stat.Storage, '350');
    assert.equal(stat.ObjectCount, '2');
    assert.equal(stat.MultipartUploadCount, '1');
  });

  it('DeleteBucket refuses a bucket with objects (BucketNotEmpty), then deletes it once empty', async () => {
    const name = bucketName('del');
    await oss.putBucket(name);
    oss.useBucket(name);
    await oss.put('k', Buffer.from('x'));
    const err = await ossError(oss.deleteBucket(name));
    assert.equal(err.status, 409);
    assert.equal(err.code, 'BucketNotEmpty');
    assert.equal(err.message, 'The bucket has objects. Please delete them first.');
    await oss.delete('k');
    await oss.deleteBucket(name);
    const gone = await ossError(oss.getBucketInfo(name));
    assert.equal(gone.status, 404);
    assert.equal(gone.code, 'NoSuchBucket');
    assert.equal(gone.ecCode, '0015-00000101');
  });

  it('creating an existing bucket is BucketAlreadyExists; a bad name is InvalidBucketName', async () => {
    const name = bucketName('dup');
    await oss.putBucket(name);
    const err = await ossError(oss.putBucket(name));
    assert.equal(err.status, 409);
    assert.equal(err.code, 'BucketAlreadyExists');
    // ali-oss checks names itself, so the server's check is reached with a raw signed request.
    const raw = await signedV1(srv, 'PUT', 'Bad_Name', undefined);
    assert.equal(raw.status, 400);
    assert.equal(field(raw.body, 'Code'), 'InvalidBucketName');
    assert.ok(raw.headers['x-oss-request-id']);
  });
});
