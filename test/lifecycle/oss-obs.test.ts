/**
 * Lifecycle through ali-oss (`?lifecycle`, OSS's document) and
 * esdk-obs-nodejs (setBucketLifecycle, both its modes): configured in the
 * dialect's own words, read back, refused as the dialect refuses, and
 * executed by the worker with one-second days.
 */
import type ObsClient from 'esdk-obs-nodejs';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fails, obsClient, ok, OBS_MODES, startObsServer } from '../obs/helpers.js';
import { ossClient, ossError } from '../oss/helpers.js';
import { bucketName, type TestServer } from '../helpers/server.js';
import { DAY_SECONDS, untilLifecycle } from './helpers.js';
import { startTestServer } from '../helpers/server.js';

describe('OSS lifecycle through ali-oss', () => {
  let srv: TestServer;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let oss: any;
  before(async () => {
    srv = await startTestServer({ lifecycleDaySeconds: DAY_SECONDS });
    oss = ossClient(srv);
  });
  after(async () => {
    await srv?.stop();
  });

  it('puts, gets and deletes a configuration; none is NoSuchLifecycle', async () => {
    const b = bucketName('oss-lc');
    await oss.putBucket(b);
    const none = await ossError(oss.getBucketLifecycle(b));
    assert.equal(none.status, 404);
    assert.equal(none.code, 'NoSuchLifecycle');
    await oss.putBucketLifecycle(b, [
      { id: 'logs', prefix: 'logs/', status: 'Enabled', expiration: { days: 3 } },
      { id: 'cold', prefix: 'cold/', status: 'Disabled', transition: { days: 30, storageClass: 'Archive' }, tag: { key: 'k', value: 'v' } },
      { id: 'mpu', prefix: '', status: 'Enabled', abortMultipartUpload: { createdBeforeDate: '2020-01-01T00:00:00.000Z' } },
    ]);
    const got = await oss.getBucketLifecycle(b);
    assert.deepEqual(
      got.rules.map((r: Record<string, unknown>) => [r.id, r.prefix, r.status]),
      [
        ['logs', 'logs/', 'Enabled'],
        ['cold', 'cold/', 'Disabled'],
        ['mpu', '', 'Enabled'],
      ],
    );
    assert.deepEqual(got.rules[0].expiration, { days: '3' });
    assert.deepEqual(got.rules[1].transition, { days: '30', storageClass: 'Archive' });
    assert.deepEqual(got.rules[1].tag, [{ key: 'k', value: 'v' }]);
    assert.deepEqual(got.rules[2].abortMultipartUpload, { createdBeforeDate: '2020-01-01T00:00:00.000Z' });
    await oss.deleteBucketLifecycle(b);
    assert.equal((await ossError(oss.getBucketLifecycle(b))).code, 'NoSuchLifecycle');
  });

  it('refuses duplicate rule IDs with InvalidArgument', async () => {
    const b = bucketName('oss-lc');
    await oss.putBucket(b);
    const dup = await ossError(
      oss.putBucketLifecycle(b, [
        { id: 'same', prefix: 'a/', status: 'Enabled', expiration: { days: 1 } },
        { id: 'same', prefix: 'b/', status: 'Enabled', expiration: { days: 2 } },
      ]),
    );
    assert.equal(dup.status, 400);
    assert.equal(dup.code, 'InvalidArgument');
  });

  it('expires objects under the rule prefix', async () => {
    const b = bucketName('oss-lc');
    await oss.putBucket(b);
    oss.useBucket(b);
    await oss.put('tmp/a', Buffer.from('a'));
    await oss.put('keep/a', Buffer.from('a'));
    await oss.putBucketLifecycle(b, [{ id: 'tmp', prefix: 'tmp/', status: 'Enabled', expiration: { days: 1 } }]);
    await untilLifecycle(srv, 'tmp/a expired', async () => {
      const listed = await oss.list({});
      return (listed.objects ?? []).map((o: { name: string }) => o.name).join() === 'keep/a';
    });
  });
});

for (const mode of OBS_MODES) {
  describe(`OBS lifecycle through esdk-obs-nodejs (${mode} mode)`, () => {
    let srv: TestServer;
    let c: ObsClient;
    before(async () => {
      srv = await startObsServer();
      c = await obsClient(srv, mode);
    });
    after(async () => {
      c.close();
      await srv.stop();
    });

    it('sets, gets and deletes a configuration; none is NoSuchLifecycleConfiguration', async () => {
      const b = bucketName('obs-lc');
      await ok(c.createBucket({ Bucket: b }));
      await fails(c.getBucketLifecycle({ Bucket: b }), 404, 'NoSuchLifecycleConfiguration');
      const warm = mode === 'obs' ? 'WARM' : 'STANDARD_IA';
      await ok(
        c.setBucketLifecycle({
          Bucket: b,
          Rules: [
            { ID: 'logs', Prefix: 'logs/', Status: 'Enabled', Expiration: { Days: 10 }, Transitions: [{ Days: 2, StorageClass: warm }] },
            { ID: 'old', Prefix: 'old/', Status: 'Enabled', NoncurrentVersionExpiration: { NoncurrentDays: 5 } },
          ],
        }),
      );
      const got = await ok(c.getBucketLifecycle({ Bucket: b }));
      assert.equal(got.Rules.length, 2);
      assert.equal(got.Rules[0].ID, 'logs');
      assert.equal(got.Rules[0].Prefix, 'logs/');
      assert.equal(String(got.Rules[0].Expiration.Days), '10');
      assert.equal(got.Rules[0].Transitions[0].StorageClass, warm);
      assert.equal(String(got.Rules[1].NoncurrentVersionExpiration.NoncurrentDays), '5');
      await ok(c.deleteBucketLifecycle({ Bucket: b }));
      await fails(c.getBucketLifecycle({ Bucket: b }), 404, 'NoSuchLifecycleConfiguration');
    });

    it('refuses Days 0 with InvalidArgument', async () => {
      const b = bucketName('obs-lc');
      await ok(c.createBucket({ Bucket: b }));
      await fails(c.setBucketLifecycle({ Bucket: b, Rules: [{ ID: 'z', Prefix: '', Status: 'Enabled', Expiration: { Days: 0 } }] }), 400, 'InvalidArgument');
    });
  });
}

describe('OBS lifecycle executed', () => {
  let srv: TestServer;
  let c: ObsClient;
  before(async () => {
    srv = await startTestServer({ lifecycleDaySeconds: DAY_SECONDS });
    c = await obsClient(srv, 'v2');
  });
  after(async () => {
    c.close();
    await srv.stop();
  });

  it('expires objects under the rule prefix', async () => {
    const b = bucketName('obs-lc');
    await ok(c.createBucket({ Bucket: b }));
    await ok(c.putObject({ Bucket: b, Key: 'tmp/a', Body: 'a' }));
    await ok(c.putObject({ Bucket: b, Key: 'keep/a', Body: 'a' }));
    await ok(c.setBucketLifecycle({ Bucket: b, Rules: [{ ID: 'tmp', Prefix: 'tmp/', Status: 'Enabled', Expiration: { Days: 1 } }] }));
    await untilLifecycle(srv, 'tmp/a expired', async () => {
      const listed = await ok(c.listObjects({ Bucket: b }));
      return listed.Contents.map((o: { Key: string }) => o.Key).join() === 'keep/a';
    });
  });
});
