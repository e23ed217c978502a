/**
 * Lifecycle rules executed by the worker, seen through @aws-sdk/client-s3,
 * with the debug clock (a lifecycle day lasts one second). Each test polls,
 * asking the worker for a pass each time, until the state is reached.
 */
import {
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  UploadPartCommand,
  type LifecycleRule,
} from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bucketName, startTestServer, storedFiles, type TestServer } from '../helpers/server.js';
import { DAY_SECONDS, untilLifecycle } from './helpers.js';

let srv: TestServer;
before(async () => {
  srv = await startTestServer({ lifecycleDaySeconds: DAY_SECONDS });
});
after(async () => {
  await srv?.stop();
});

async function newBucket(versioned = false): Promise<string> {
  const b = bucketName('lcx');
  await srv.s3.send(new CreateBucketCommand({ Bucket: b }));
  if (versioned) await srv.s3.send(new PutBucketVersioningCommand({ Bucket: b, VersioningConfiguration: { Status: 'Enabled' } }));
  return b;
}

const rules = (Bucket: string, Rules: LifecycleRule[]) => srv.s3.send(new PutBucketLifecycleConfigurationCommand({ Bucket, LifecycleConfiguration: { Rules } }));
const keys = async (Bucket: string) => ((await srv.s3.send(new ListObjectsV2Command({ Bucket }))).Contents ?? []).map((o) => o.Key!).sort();
async function versions(Bucket: string) {
  const r = await srv.s3.send(new ListObjectVersionsCommand({ Bucket }));
  return { versions: r.Versions ?? [], markers: r.DeleteMarkers ?? [] };
}
const putObj = (Bucket: string, Key: string, Body: string | Buffer = 'x', Tagging?: string) => srv.s3.send(new PutObjectCommand({ Bucket, Key, Body, Tagging }));

describe('lifecycle executed (S3, one-second days)', () => {
  it('expires current objects by prefix, tag and size; leaves the others', async () => {
    const b = await newBucket();
    for (const k of ['expire/a', 'expire/b', 'keep/a']) await putObj(b, k);
    await putObj(b, 'tagged', 'x', 'gone=yes');
    await putObj(b, 'untagged', 'x', 'gone=no');
    await putObj(b, 'big', Buffer.alloc(3000));
    await putObj(b, 'small', Buffer.alloc(10));
    await rules(b, [
      { ID: 'prefix', Filter: { Prefix: 'expire/' }, Status: 'Enabled', Expiration: { Days: 1 } },
      { ID: 'tag', Filter: { Tag: { Key: 'gone', Value: 'yes' } }, Status: 'Enabled', Expiration: { Days: 1 } },
      { ID: 'size', Filter: { ObjectSizeGreaterThan: 2000 }, Status: 'Enabled', Expiration: { Days: 1 } },
      { ID: 'disabled', Filter: { Prefix: 'keep/' }, Status: 'Disabled', Expiration: { Days: 1 } },
    ]);
    await untilLifecycle(srv, 'the due objects are gone', async () => (await keys(b)).join() === 'keep/a,small,untagged');
    const status = srv.workers!.get('lifecycle')!.status();
    assert.ok(status.counts.expired >= 4, JSON.stringify(status));
    assert.equal(status.lastError, undefined);
  });

  it('expires by Date in the past, not by one in the future', async () => {
    const b = await newBucket();
    await putObj(b, 'past/x');
    await putObj(b, 'future/x');
    await rules(b, [
      { ID: 'past', Filter: { Prefix: 'past/' }, Status: 'Enabled', Expiration: { Date: new Date('2015-01-01T00:00:00Z') } },
      { ID: 'future', Filter: { Prefix: 'future/' }, Status: 'Enabled', Expiration: { Date: new Date('2100-01-01T00:00:00Z') } },
    ]);
    await untilLifecycle(srv, 'past/x expired', async () => (await keys(b)).join() === 'future/x');
  });

  it('in a versioned bucket: current versions get a delete marker; noncurrent versions expire; expired markers go', async () => {
    const b = await newBucket(true);
    await putObj(b, 'cur/a');
    await rules(b, [{ ID: 'cur', Filter: { Prefix: 'cur/' }, Status: 'Enabled', Expiration: { Days: 1 } }]);
    await untilLifecycle(srv, 'cur/a has a delete marker', async () => {
      const v = await versions(b);
      return v.versions.length === 1 && v.markers.length === 1 && v.markers[0].IsLatest;
    });

    const c = await newBucket(true);
    for (let i = 0; i < 4; i++) await putObj(c, 'k', `v${i}`);
    await putObj(c, 'gone', 'x');
    await srv.s3.send(new DeleteObjectCommand({ Bucket: c, Key: 'gone' }));
    await rules(c, [{ ID: 'nc', Filter: {}, Status: 'Enabled', NoncurrentVersionExpiration: { NoncurrentDays: 1 }, Expiration: { ExpiredObjectDeleteMarker: true } }]);
    await untilLifecycle(srv, 'only the current version of k is left, and no marker', async () => {
      const v = await versions(c);
      return v.versions.length === 1 && v.versions[0].Key === 'k' && v.versions[0].IsLatest && v.markers.length === 0;
    });
  });

  it('keeps NewerNoncurrentVersions noncurrent versions', async () => {
    const b = await newBucket(true);
    for (let i = 0; i < 6; i++) await putObj(b, 'k', `v${i}`);
    await rules(b, [{ ID: 'newer', Filter: { Prefix: '' }, Status: 'Enabled', NoncurrentVersionExpiration: { NoncurrentDays: 1, NewerNoncurrentVersions: 2 } }]);
    const v = await untilLifecycle(srv, '3 versions are left', async () => {
      const v = await versions(b);
      return v.versions.length === 3 ? v : undefined;
    });
    // The newest three: the current one and the two newest noncurrent ones.
    const bodies = await Promise.all(v.versions.map(async (x) => (await srv.s3.send(new HeadObjectCommand({ Bucket: b, Key: 'k', VersionId: x.VersionId }))).ContentLength));
    assert.deepEqual(bodies, [2, 2, 2]);
    assert.equal(v.versions[0].IsLatest, true);
  });

  it('aborts stale multipart uploads under the prefix and frees their parts', async () => {
    const b = await newBucket();
    const stale = await srv.s3.send(new CreateMultipartUploadCommand({ Bucket: b, Key: 'up/a' }));
    await srv.s3.send(new UploadPartCommand({ Bucket: b, Key: 'up/a', UploadId: stale.UploadId, PartNumber: 1, Body: Buffer.alloc(1000, 1) }));
    await srv.s3.send(new CreateMultipartUploadCommand({ Bucket: b, Key: 'other/a' }));
    const filesBefore = (await storedFiles(srv.dataDir)).length;
    await rules(b, [{ ID: 'mpu', Filter: { Prefix: 'up/' }, Status: 'Enabled', AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }]);
    await untilLifecycle(srv, 'the upload under up/ is aborted', async () => {
      const u = (await srv.s3.send(new ListMultipartUploadsCommand({ Bucket: b }))).Uploads ?? [];
      return u.length === 1 && u[0].Key === 'other/a';
    });
    assert.equal((await storedFiles(srv.dataDir)).length, filesBefore - 1, 'the part blob was removed');
  });

  it('transitions current and noncurrent versions to colder classes, in order', async () => {
    const b = await newBucket(true);
    await putObj(b, 't/a', 'old');
    await putObj(b, 't/a', 'new');
    await rules(b, [
      {
        ID: 'tiers',
        Filter: { Prefix: 't/' },
        Status: 'Enabled',
        Transitions: [{ Days: 1, StorageClass: 'STANDARD_IA' }],
        NoncurrentVersionTransitions: [{ NoncurrentDays: 1, StorageClass: 'GLACIER_IR' }],
      },
    ]);
    await untilLifecycle(srv, 'both versions moved', async () => {
      const v = await versions(b);
      const byLatest: Record<string, string | undefined> = Object.fromEntries(v.versions.map((x) => [String(x.IsLatest), x.StorageClass as string | undefined]));
      return byLatest.true === 'STANDARD_IA' && byLatest.false === 'GLACIER_IR';
    });
    const head = await srv.s3.send(new HeadObjectCommand({ Bucket: b, Key: 't/a' }));
    assert.equal(head.StorageClass, 'STANDARD_IA');
  });

  it('does not expire an object overwritten before it was due (its age starts again)', async () => {
    const b = await newBucket();
    await rules(b, [{ ID: 'slow', Filter: { Prefix: '' }, Status: 'Enabled', Expiration: { Days: 4 } }]);
    await putObj(b, 'a');
    await putObj(b, 'b');
    // `b` is rewritten after 2.5 days of `a`'s 4: `a` goes first, `b` still stands then.
    await new Promise((r) => setTimeout(r, 2500 * DAY_SECONDS));
    await putObj(b, 'b', 'again');
    await untilLifecycle(srv, 'a expired', async () => !(await keys(b)).includes('a'));
    assert.deepEqual(await keys(b), ['b']);
  });

  it('never removes a version written after the worker selected the old one (re-checked in the commit)', async () => {
    const b = await newBucket();
    const names = Array.from({ length: 150 }, (_, i) => `race/${String(i).padStart(3, '0')}`);
    // The old versions carry the tag the rule selects; the new ones do not, so only a
    // selection made before an overwrite could ever reach a new version.
    for (const k of names) await putObj(b, k, 'old', 'gone=yes');
    await rules(b, [{ ID: 'race', Filter: { Tag: { Key: 'gone', Value: 'yes' } }, Status: 'Enabled', Expiration: { Days: 1 } }]);
    await new Promise((r) => setTimeout(r, 1100 * DAY_SECONDS));
    // Every old version is due. A pass walks the keys upwards while the overwrites go downwards
    // from the last key: the keys past where they meet were selected old and overwritten before
    // the pass reached them.
    const worker = srv.workers!.get('lifecycle')!;
    await Promise.all([worker.runNow(), (async () => { for (const k of [...names].reverse()) await putObj(b, k, 'new'); })()]);
    // Whatever the interleaving, every new write is still there.
    assert.deepEqual(await keys(b), names);
  });
});
