import {
  CreateBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertS3Error, signedRequest } from '../helpers/raw.js';
import { sdkRejects } from '../helpers/sdk.js';
import { bucketName, startTestServer, type TestServer } from '../helpers/server.js';

// x-amz-if-match-size and x-amz-if-match-last-modified-time on DeleteObject, <Size> and
// <LastModifiedTime> in DeleteObjects: 412 on a mismatch, 204 (nothing deleted) when there is no object.
describe('S3 deletes conditional on size and last-modified time', () => {
  let t: TestServer;
  const BAD_TIME = new Date('2015-01-01T00:00:00Z');
  const create = async (versioned = false) => {
    const b = bucketName('delcond');
    await t.s3.send(new CreateBucketCommand({ Bucket: b }));
    if (versioned) await t.s3.send(new PutBucketVersioningCommand({ Bucket: b, VersioningConfiguration: { Status: 'Enabled' } }));
    return b;
  };
  const exists = (Bucket: string, Key: string) =>
    t.s3.send(new HeadObjectCommand({ Bucket, Key })).then(
      () => true,
      () => false,
    );
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.stop());

  it('DeleteObject: a wrong size or time answers 412 and keeps the object; the right ones delete it', async () => {
    const b = await create();
    await t.s3.send(new PutObjectCommand({ Bucket: b, Key: 'k', Body: 'four' }));
    const mtime = (await t.s3.send(new HeadObjectCommand({ Bucket: b, Key: 'k' }))).LastModified!;
    await sdkRejects(t.s3.send(new DeleteObjectCommand({ Bucket: b, Key: 'k', IfMatchSize: 5 })), 'PreconditionFailed', 412);
    await sdkRejects(t.s3.send(new DeleteObjectCommand({ Bucket: b, Key: 'k', IfMatchLastModifiedTime: BAD_TIME })), 'PreconditionFailed', 412);
    await sdkRejects(t.s3.send(new DeleteObjectCommand({ Bucket: b, Key: 'k', IfMatchSize: 4, IfMatchLastModifiedTime: BAD_TIME })), 'PreconditionFailed', 412);
    assert.equal(await exists(b, 'k'), true);
    await t.s3.send(new DeleteObjectCommand({ Bucket: b, Key: 'k', IfMatchSize: 4, IfMatchLastModifiedTime: mtime }));
    assert.equal(await exists(b, 'k'), false);
    // No object: nothing to compare, 204.
    const r = await t.s3.send(new DeleteObjectCommand({ Bucket: b, Key: 'k', IfMatchSize: 9999 }));
    assert.equal(r.$metadata.httpStatusCode, 204);
  });

  it('DeleteObject on a versioned bucket: the current version, a named version, a current delete marker', async () => {
    const b = await create(true);
    const v1 = (await t.s3.send(new PutObjectCommand({ Bucket: b, Key: 'k', Body: '' }))).VersionId!;
    await sdkRejects(t.s3.send(new DeleteObjectCommand({ Bucket: b, Key: 'k', IfMatchSize: 9999 })), 'PreconditionFailed', 412);
    const marker = await t.s3.send(new DeleteObjectCommand({ Bucket: b, Key: 'k', IfMatchSize: 0 }));
    assert.equal(marker.DeleteMarker, true);
    // The current version is now a delete marker: no object of that size or time.
    await sdkRejects(t.s3.send(new DeleteObjectCommand({ Bucket: b, Key: 'k', IfMatchSize: 0 })), 'PreconditionFailed', 412);
    // A named version is compared itself.
    await sdkRejects(t.s3.send(new DeleteObjectCommand({ Bucket: b, Key: 'k', VersionId: v1, IfMatchSize: 1 })), 'PreconditionFailed', 412);
    const gone = await t.s3.send(new DeleteObjectCommand({ Bucket: b, Key: 'k', VersionId: v1, IfMatchSize: 0 }));
    assert.equal(gone.DeleteMarker, undefined);
    const again = await t.s3.send(new DeleteObjectCommand({ Bucket: b, Key: 'k', VersionId: v1, IfMatchSize: 1 }));
    assert.equal(again.$metadata.httpStatusCode, 204);
    const versions = await t.s3.send(new ListObjectVersionsCommand({ Bucket: b }));
    assert.equal(versions.Versions, undefined);
    assert.equal(versions.DeleteMarkers?.length, 1);
  });

  it('DeleteObjects: <Size> and <LastModifiedTime> per key', async () => {
    const b = await create();
    for (const k of ['a', 'b', 'c']) await t.s3.send(new PutObjectCommand({ Bucket: b, Key: k, Body: 'xy' }));
    const mtime = (await t.s3.send(new HeadObjectCommand({ Bucket: b, Key: 'b' }))).LastModified!;
    const r = await t.s3.send(
      new DeleteObjectsCommand({
        Bucket: b,
        Delete: {
          Objects: [
            { Key: 'a', Size: 3 },
            { Key: 'b', Size: 2, LastModifiedTime: mtime },
            { Key: 'c', LastModifiedTime: BAD_TIME },
            { Key: 'none', Size: 1 },
          ],
        },
      }),
    );
    assert.deepEqual(r.Errors?.map((e) => [e.Key, e.Code]), [
      ['a', 'PreconditionFailed'],
      ['c', 'PreconditionFailed'],
    ]);
    assert.deepEqual(r.Deleted?.map((d) => d.Key), ['b', 'none']);
    assert.deepEqual([await exists(b, 'a'), await exists(b, 'b'), await exists(b, 'c')], [true, false, true]);
  });

  it('refuses a size or time that is not one with InvalidArgument', async () => {
    const b = await create();
    await t.s3.send(new PutObjectCommand({ Bucket: b, Key: 'k', Body: 'x' }));
    assertS3Error(await signedRequest(t.url, `/${b}/k`, { method: 'DELETE', headers: { 'x-amz-if-match-size': 'big' } }), 400, 'InvalidArgument');
    assertS3Error(await signedRequest(t.url, `/${b}/k`, { method: 'DELETE', headers: { 'x-amz-if-match-last-modified-time': 'yesterday' } }), 400, 'InvalidArgument');
    assert.equal(await exists(b, 'k'), true);
  });
});
