/** S3 ACLs through StratusClient: canned and grant-document get/put round-trip against the server. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { StratusClient } from '../../src/sdk/index.js';
import { bucketName, startTestServer, type TestServer } from '../helpers/server.js';
import { expectError, sdkClient } from './helpers.js';

const ALL_USERS = 'http://acs.amazonaws.com/groups/global/AllUsers';

describe('SDK s3: ACLs', () => {
  let t: TestServer;
  let c: StratusClient;
  const bucket = bucketName('sdkacl');
  const pairs = (acl: { grants: { grantee: { id?: string; uri?: string }; permission: string }[] }) => acl.grants.map((g) => [g.grantee.id ?? g.grantee.uri, g.permission]);
  before(async () => {
    t = await startTestServer();
    c = sdkClient(t.url);
    await c.createBucket(bucket, { acl: 'public-read' });
    // Grants name accounts that exist (S3 refuses an unknown id).
    await t.meta.putAccount({ id: 'partner', displayName: 'partner', createdAt: Date.now() });
  });
  after(async () => {
    c.destroy();
    await t.stop();
  });

  it('round-trips bucket ACLs, canned and as a document', async () => {
    let acl = await c.getBucketAcl(bucket);
    const owner = acl.owner!.id;
    assert.ok(owner);
    assert.deepEqual(pairs(acl), [
      [ALL_USERS, 'READ'],
      [owner, 'FULL_CONTROL'],
    ]);
    assert.equal(acl.canned, 'public-read');
    await c.putBucketAcl(bucket, 'private');
    acl = await c.getBucketAcl(bucket);
    assert.deepEqual(pairs(acl), [[owner, 'FULL_CONTROL']]);
    assert.equal(acl.canned, 'private');
    await c.putBucketAcl(bucket, {
      owner: { id: owner },
      grants: [
        { grantee: { type: 'CanonicalUser', id: owner }, permission: 'FULL_CONTROL' },
        { grantee: { type: 'CanonicalUser', id: 'partner' }, permission: 'READ_ACP' },
        { grantee: { type: 'Group', uri: ALL_USERS }, permission: 'WRITE' },
      ],
    });
    assert.deepEqual(pairs(await c.getBucketAcl(bucket)), [
      [ALL_USERS, 'WRITE'],
      [owner, 'FULL_CONTROL'],
      ['partner', 'READ_ACP'],
    ]);
  });

  it('round-trips object ACLs, per version, and on writes', async () => {
    await c.putObject(bucket, 'a', 'x', { acl: 'public-read' });
    let acl = await c.getObjectAcl(bucket, 'a');
    const owner = acl.owner!.id;
    assert.equal(acl.canned, 'public-read');
    await c.putObjectAcl(bucket, 'a', { owner: acl.owner, grants: acl.grants.filter((g) => g.grantee.type === 'CanonicalUser') });
    acl = await c.getObjectAcl(bucket, 'a');
    assert.deepEqual(pairs(acl), [[owner, 'FULL_CONTROL']]);
    assert.equal(acl.canned, 'private');
    await c.putBucketVersioning(bucket, 'Enabled');
    const v1 = (await c.putObject(bucket, 'v', '1')).versionId!;
    await c.putObject(bucket, 'v', '2');
    await c.putObjectAcl(bucket, 'v', 'public-read-write', { versionId: v1 });
    assert.equal((await c.getObjectAcl(bucket, 'v', { versionId: v1 })).canned, 'public-read-write');
    assert.equal((await c.getObjectAcl(bucket, 'v')).canned, 'private');
    await expectError(c.putObjectAcl(bucket, 'missing', 'private'), { code: 'NoSuchKey', status: 404 });
  });
});
