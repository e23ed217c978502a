/**
 * Bucket policies in OSS's `acs:` language (ali-oss) and OBS's own JSON
 * (esdk-obs-nodejs): put, get, delete, malformed ones refused with nothing
 * stored, and what they grant a second account through the same clients.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fails, obsClient, ok, readAll, startObsServer } from '../obs/helpers.js';
import { ossClient, ossError } from '../oss/helpers.js';
import { bucketName, type TestServer } from '../helpers/server.js';
import { addAccount, type OtherAccount } from './accounts.js';

describe('OSS and OBS bucket policies', () => {
  let t: TestServer;
  let other: OtherAccount;
  before(async () => {
    t = await startObsServer();
    other = await addAccount(t, 'acct-three');
  });
  after(async () => {
    other.s3.destroy();
    await t.stop();
  });

  it('OSS: an acs: policy lets another account read one prefix; a Deny on a sub-prefix wins; delete takes it away', async () => {
    const bucket = bucketName('ossp');
    const mine = ossClient(t, { bucket });
    await mine.putBucket(bucket);
    await mine.put('pub/a.txt', Buffer.from('A'));
    await mine.put('pub/secret/b.txt', Buffer.from('B'));
    await mine.put('other/c.txt', Buffer.from('C'));
    const theirs = other.oss(bucket);
    assert.equal((await ossError(theirs.get('pub/a.txt'))).code, 'AccessDenied');

    const policy = {
      Version: '1',
      Statement: [
        { Effect: 'Allow', Action: ['oss:GetObject', 'oss:ListObjects'], Principal: [other.id], Resource: [`acs:oss:*:*:${bucket}/pub/*`, `acs:oss:*:*:${bucket}`] },
        { Effect: 'Deny', Action: ['oss:GetObject'], Principal: ['*'], Resource: [`acs:oss:*:*:${bucket}/pub/secret/*`] },
      ],
    };
    assert.equal((await mine.putBucketPolicy(bucket, policy)).status, 200);
    assert.deepEqual((await mine.getBucketPolicy(bucket)).policy, policy);
    assert.equal((await theirs.get('pub/a.txt')).content.toString(), 'A');
    assert.equal((await ossError(theirs.get('pub/secret/b.txt'))).code, 'AccessDenied');
    assert.equal((await ossError(theirs.get('other/c.txt'))).code, 'AccessDenied');
    assert.equal((await ossError(mine.get('pub/secret/b.txt'))).code, 'AccessDenied', "the Deny names everyone, the owner too");
    assert.equal((await theirs.list({ prefix: 'pub/' })).objects.length, 2);

    assert.equal((await mine.deleteBucketPolicy(bucket)).status, 204);
    assert.equal((await ossError(theirs.get('pub/a.txt'))).code, 'AccessDenied');
    // ali-oss answers a missing policy without throwing: status 404, no policy.
    const none = await mine.getBucketPolicy(bucket);
    assert.deepEqual([none.status, none.policy], [404, null]);
    assert.match(none.res.data.toString(), /<Code>NoSuchBucketPolicy<\/Code>/);
  });

  it("OSS: an object without its own ACL (`default`) has its bucket's; its own ACL wins", async () => {
    const bucket = bucketName('ossacl');
    const mine = ossClient(t, { bucket });
    await mine.putBucket(bucket);
    await mine.put('inherits', Buffer.from('I'));
    await mine.put('own-private', Buffer.from('P'), { headers: { 'x-oss-object-acl': 'private' } });
    const theirs = other.oss(bucket);
    assert.equal((await ossError(theirs.get('inherits'))).code, 'AccessDenied');
    await mine.putBucketACL(bucket, 'public-read');
    assert.equal((await theirs.get('inherits')).content.toString(), 'I');
    assert.equal((await ossError(theirs.get('own-private'))).code, 'AccessDenied');
    assert.equal((await theirs.list()).objects.length, 2);
    assert.equal((await ossError(theirs.put('new', Buffer.from('n')))).code, 'AccessDenied', 'public-read is not public-read-write');
    await mine.putBucketACL(bucket, 'public-read-write');
    await theirs.put('new', Buffer.from('n'));
    assert.equal((await mine.get('new')).content.toString(), 'n');
  });

  it('OSS: malformed policies are refused and nothing is stored', async () => {
    const bucket = bucketName('ossbad');
    const mine = ossClient(t, { bucket });
    await mine.putBucket(bucket);
    const bad = [
      { Version: '1', Statement: [{ Effect: 'Allow', Action: ['s3:GetObject'], Principal: ['*'], Resource: [`acs:oss:*:*:${bucket}/*`] }] },
      { Version: '1', Statement: [{ Effect: 'Allow', Action: ['oss:GetObject'], Principal: ['*'], Resource: [`arn:aws:s3:::${bucket}/*`] }] },
      { Version: '1', Statement: [{ Effect: 'Allow', Action: ['oss:GetObject'], Principal: ['*'], Resource: ['acs:oss:*:*:another-bucket/*'] }] },
      { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['oss:GetObject'], Principal: ['*'], Resource: [`acs:oss:*:*:${bucket}/*`] }] },
    ];
    for (const policy of bad) {
      const e = await ossError(mine.putBucketPolicy(bucket, policy));
      assert.deepEqual([e.code, e.status], ['MalformedPolicy', 400], JSON.stringify(policy));
    }
    assert.deepEqual([(await mine.getBucketPolicy(bucket)).status, (await mine.getBucketPolicy(bucket)).policy], [404, null]);
  });

  it("OBS: its own policy form (domain principals, bare actions, bucket/key resources) through the OBS SDK", async () => {
    const bucket = bucketName('obsp');
    const mine = await obsClient(t, 'obs');
    await ok(mine.createBucket({ Bucket: bucket }));
    await ok(mine.putObject({ Bucket: bucket, Key: 'shared/k', Body: 'shared' }));
    await ok(mine.putObject({ Bucket: bucket, Key: 'private/k', Body: 'private' }));
    const theirs = await other.obs();
    await fails(theirs.getObject({ Bucket: bucket, Key: 'shared/k' }), 403, 'AccessDenied');

    const policy = JSON.stringify({ Statement: [{ Sid: 'share', Effect: 'Allow', Principal: { ID: [`domain/${other.id}:user/*`] }, Action: ['GetObject'], Resource: [`${bucket}/shared/*`] }] });
    await ok(mine.setBucketPolicy({ Bucket: bucket, Policy: policy }));
    assert.equal((await ok<{ Policy: string }>(mine.getBucketPolicy({ Bucket: bucket }))).Policy, policy);
    const got = await ok(theirs.getObject({ Bucket: bucket, Key: 'shared/k', SaveAsStream: true }));
    assert.equal((await readAll(got.Content)).toString(), 'shared');
    await fails(theirs.getObject({ Bucket: bucket, Key: 'private/k' }), 403, 'AccessDenied');
    await fails(theirs.listObjects({ Bucket: bucket }), 403, 'AccessDenied');

    // Malformed: refused, and the stored policy is unchanged.
    await fails(mine.setBucketPolicy({ Bucket: bucket, Policy: JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: { ID: ['acct-three'] }, Action: ['GetObject'], Resource: [`${bucket}/*`] }] }) }), 400, 'MalformedPolicy');
    await fails(mine.setBucketPolicy({ Bucket: bucket, Policy: 'Statement' }), 400, 'MalformedPolicy');
    assert.equal((await ok<{ Policy: string }>(mine.getBucketPolicy({ Bucket: bucket }))).Policy, policy);

    await ok(mine.deleteBucketPolicy({ Bucket: bucket }));
    await fails(mine.getBucketPolicy({ Bucket: bucket }), 404, 'NoSuchBucketPolicy');
    await fails(theirs.getObject({ Bucket: bucket, Key: 'shared/k' }), 403, 'AccessDenied');
  });
});
