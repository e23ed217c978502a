/**
 * Archive storage classes refuse GET until restored; a restore takes the
 * configured time (one second here), reports its state on HEAD, lets the
 * object be read, and expires after Days (a lifecycle day of two seconds).
 * Through @aws-sdk/client-s3, ali-oss and esdk-obs-nodejs.
 */
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutBucketLifecycleConfigurationCommand,
  PutObjectCommand,
  RestoreObjectCommand,
} from '@aws-sdk/client-s3';
import type ObsClient from 'esdk-obs-nodejs';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fails, obsClient, ok, readAll as obsReadAll } from '../obs/helpers.js';
import { ossClient, ossError } from '../oss/helpers.js';
import { bucketName, startTestServer, type TestServer } from '../helpers/server.js';
import { sdkRejects } from '../helpers/sdk.js';
import { waitFor } from '../helpers/wait.js';
import { untilLifecycle } from './helpers.js';

let srv: TestServer;
before(async () => {
  srv = await startTestServer({ lifecycleDaySeconds: 2, restoreSeconds: 1, domains: ['localhost', 'obs.stratus.test'] });
});
after(async () => {
  await srv?.stop();
});

const ONGOING = 'ongoing-request="true"';
const DONE = /^ongoing-request="false", expiry-date="[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT"$/;

describe('S3 archive classes and RestoreObject', () => {
  it('refuses GET of a GLACIER object until restored; a restore runs, is reported, and expires', async () => {
    const b = bucketName('rs');
    await srv.s3.send(new CreateBucketCommand({ Bucket: b }));
    await srv.s3.send(new PutObjectCommand({ Bucket: b, Key: 'cold', Body: 'frozen', StorageClass: 'GLACIER' }));
    await srv.s3.send(new PutObjectCommand({ Bucket: b, Key: 'warm', Body: 'x' }));
    await sdkRejects(srv.s3.send(new GetObjectCommand({ Bucket: b, Key: 'cold' })), 'InvalidObjectState', 403);
    const head = await srv.s3.send(new HeadObjectCommand({ Bucket: b, Key: 'cold' }));
    assert.equal(head.StorageClass, 'GLACIER');
    assert.equal(head.Restore, undefined);

    await sdkRejects(srv.s3.send(new RestoreObjectCommand({ Bucket: b, Key: 'warm', RestoreRequest: { Days: 1 } })), 'InvalidObjectState', 403);
    await sdkRejects(srv.s3.send(new RestoreObjectCommand({ Bucket: b, Key: 'cold', RestoreRequest: { Days: 0 } })), 'InvalidArgument', 400);
    const started = await srv.s3.send(new RestoreObjectCommand({ Bucket: b, Key: 'cold', RestoreRequest: { Days: 1, GlacierJobParameters: { Tier: 'Expedited' } } }));
    assert.equal(started.$metadata.httpStatusCode, 202);
    assert.equal((await srv.s3.send(new HeadObjectCommand({ Bucket: b, Key: 'cold' }))).Restore, ONGOING);
    await sdkRejects(srv.s3.send(new RestoreObjectCommand({ Bucket: b, Key: 'cold', RestoreRequest: { Days: 1 } })), 'RestoreAlreadyInProgress', 409);
    await sdkRejects(srv.s3.send(new GetObjectCommand({ Bucket: b, Key: 'cold' })), 'InvalidObjectState', 403);

    await waitFor(async () => DONE.test((await srv.s3.send(new HeadObjectCommand({ Bucket: b, Key: 'cold' }))).Restore ?? ''), { what: 'the restore completes', timeoutMs: 20_000, intervalMs: 100 });
    const got = await srv.s3.send(new GetObjectCommand({ Bucket: b, Key: 'cold' }));
    assert.equal(await got.Body!.transformToString(), 'frozen');
    assert.match(got.Restore ?? '', DONE);
    // Restoring a restored object again only moves its expiry: 200.
    assert.equal((await srv.s3.send(new RestoreObjectCommand({ Bucket: b, Key: 'cold', RestoreRequest: { Days: 1 } }))).$metadata.httpStatusCode, 200);
    // One (two-second) day later the restored copy is gone: GET is refused again.
    await waitFor(
      async () => {
        try {
          await srv.s3.send(new GetObjectCommand({ Bucket: b, Key: 'cold' }));
          return false;
        } catch (e) {
          return (e as Error).name === 'InvalidObjectState';
        }
      },
      { what: 'the restored copy expires', timeoutMs: 20_000, intervalMs: 200 },
    );
    assert.equal((await srv.s3.send(new HeadObjectCommand({ Bucket: b, Key: 'cold' }))).Restore, undefined);
  });

  it('an object a lifecycle rule moves to GLACIER is refused until restored', async () => {
    const b = bucketName('rs');
    await srv.s3.send(new CreateBucketCommand({ Bucket: b }));
    await srv.s3.send(new PutObjectCommand({ Bucket: b, Key: 'doc', Body: 'data' }));
    await srv.s3.send(
      new PutBucketLifecycleConfigurationCommand({ Bucket: b, LifecycleConfiguration: { Rules: [{ ID: 'freeze', Filter: {}, Status: 'Enabled', Transitions: [{ Days: 1, StorageClass: 'GLACIER' }] }] } }),
    );
    await untilLifecycle(srv, 'doc moved to GLACIER', async () => (await srv.s3.send(new HeadObjectCommand({ Bucket: b, Key: 'doc' }))).StorageClass === 'GLACIER');
    await sdkRejects(srv.s3.send(new GetObjectCommand({ Bucket: b, Key: 'doc' })), 'InvalidObjectState', 403);
    assert.equal((await srv.s3.send(new RestoreObjectCommand({ Bucket: b, Key: 'doc', RestoreRequest: { Days: 2 } }))).$metadata.httpStatusCode, 202);
    const body = await waitFor(
      async () => (await srv.s3.send(new GetObjectCommand({ Bucket: b, Key: 'doc' }))).Body!.transformToString(),
      { what: 'doc reads after its restore', timeoutMs: 20_000, intervalMs: 100 },
    );
    assert.equal(body, 'data');
  });
});

describe('OSS Archive and RestoreObject (ali-oss)', () => {
  it('refuses GET with InvalidObjectState, restores, reports x-oss-restore, then serves the object', async () => {
    const oss = ossClient(srv);
    const b = bucketName('rs-oss');
    await oss.putBucket(b);
    oss.useBucket(b);
    await oss.put('arch', Buffer.from('archived'), { headers: { 'x-oss-storage-class': 'Archive' } });
    const refused = await ossError(oss.get('arch'));
    assert.equal(refused.status, 403);
    assert.equal(refused.code, 'InvalidObjectState');
    const r = await oss.restore('arch');
    assert.equal(r.res.status, 202);
    assert.equal((await oss.head('arch')).res.headers['x-oss-restore'], ONGOING);
    const again = await ossError(oss.restore('arch'));
    assert.equal(again.status, 409);
    assert.equal(again.code, 'RestoreAlreadyInProgress');
    await waitFor(async () => DONE.test((await oss.head('arch')).res.headers['x-oss-restore'] ?? ''), { what: 'the OSS restore completes', timeoutMs: 20_000, intervalMs: 100 });
    assert.equal((await oss.get('arch')).content.toString(), 'archived');
  });
});

describe('OBS COLD and restoreObject (esdk-obs-nodejs)', () => {
  let c: ObsClient;
  before(async () => {
    c = await obsClient(srv, 'obs');
  });
  after(() => c.close());

  it('refuses GET of a COLD object, restores it, reports the restore, then serves it', async () => {
    const b = bucketName('rs-obs');
    await ok(c.createBucket({ Bucket: b }));
    await ok(c.putObject({ Bucket: b, Key: 'cold', Body: 'cold data', StorageClass: 'COLD' }));
    await fails(c.getObject({ Bucket: b, Key: 'cold' }), 403, 'InvalidObjectState');
    const started = await c.restoreObject({ Bucket: b, Key: 'cold', Days: 1, Tier: 'Expedited' });
    assert.equal(started.CommonMsg.Status, 202);
    await fails(c.restoreObject({ Bucket: b, Key: 'cold', Days: 1, Tier: 'Expedited' }), 409, 'RestoreAlreadyInProgress');
    const meta = await ok(c.getObjectMetadata({ Bucket: b, Key: 'cold' }));
    assert.equal(meta.StorageClass, 'COLD');
    assert.equal(meta.Restore, ONGOING);
    await waitFor(async () => DONE.test((await ok(c.getObjectMetadata({ Bucket: b, Key: 'cold' }))).Restore ?? ''), { what: 'the OBS restore completes', timeoutMs: 20_000, intervalMs: 100 });
    const got = await ok(c.getObject({ Bucket: b, Key: 'cold', SaveAsStream: true }));
    assert.equal((await obsReadAll(got.Content)).toString(), 'cold data');
  });
});
