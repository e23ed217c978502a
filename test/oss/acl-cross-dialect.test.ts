import { GetObjectAclCommand, PutBucketAclCommand, PutObjectAclCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type ObsClient from 'esdk-obs-nodejs';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CosClient } from '../../src/sdk/cos/client.js';
import { APPID, assertOk } from '../cos/helpers.js';
import { ACCESS_KEY, SECRET_KEY, bucketName, type TestServer } from '../helpers/server.js';
import { obsClient, ok, startObsServer } from '../obs/helpers.js';
import { ossClient } from './helpers.js';

/** One neutral ACL model and one bucket default storage class behind OSS's canned names, OBS's and S3's grants and COS's authority. */
describe('OSS, OBS, COS and S3 share ACLs; OSS, OBS and COS the bucket storage class', () => {
  let t: TestServer;
  let obs: ObsClient;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let oss: any;
  const bucket = bucketName('oss-obs-acl');
  /** [grantee, permission] pairs as OBS mode shows them. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const grants = (acl: any) => acl.Grants.map((g: any) => [g.Grantee.ID || g.Grantee.URI, g.Permission]);

  before(async () => {
    t = await startObsServer();
    obs = await obsClient(t, 'obs');
    oss = ossClient(t, { bucket });
    await oss.putBucket(bucket, { acl: 'public-read', storageClass: 'IA' });
  });
  after(async () => {
    obs.close();
    await t.stop();
  });

  it("a bucket made through OSS shows OBS its ACL as grants and its storage class as OBS's name", async () => {
    const acl = await ok(obs.getBucketAcl({ Bucket: bucket }));
    assert.deepEqual(grants(acl), [
      [acl.Owner.ID, 'FULL_CONTROL'],
      ['Everyone', 'READ'],
    ]);
    assert.equal((await ok(obs.getBucketStoragePolicy({ Bucket: bucket }))).StorageClass, 'WARM');
    // Objects that name no class take the bucket's, whichever dialect wrote them.
    await oss.put('plain', Buffer.from('p'));
    assert.equal((await oss.head('plain')).res.headers['x-oss-storage-class'], 'IA');
    assert.equal((await ok(obs.getObjectMetadata({ Bucket: bucket, Key: 'plain' }))).StorageClass, 'WARM');
    // An ACL set through OBS reads back through OSS as the canned name for what it grants.
    await ok(obs.setBucketAcl({ Bucket: bucket, ACL: 'public-read-write' }));
    assert.equal((await oss.getBucketACL(bucket)).acl, 'public-read-write');
    await oss.putBucketACL(bucket, 'public-read');
  });

  it("OSS's object ACLs, `default` included, are OBS's and the other way round", async () => {
    await oss.put('rw', Buffer.from('1'), { headers: { 'x-oss-object-acl': 'public-read-write' } });
    let acl = await ok(obs.getObjectAcl({ Bucket: bucket, Key: 'rw' }));
    assert.deepEqual(grants(acl), [
      [acl.Owner.ID, 'FULL_CONTROL'],
      ['Everyone', 'READ'],
      ['Everyone', 'WRITE'],
    ]);
    // `default`: no ACL of its own. OSS says so; OBS shows the owner's private ACL.
    await oss.putACL('rw', 'default');
    assert.equal((await oss.getACL('rw')).acl, 'default');
    acl = await ok(obs.getObjectAcl({ Bucket: bucket, Key: 'rw' }));
    assert.deepEqual(grants(acl), [[acl.Owner.ID, 'FULL_CONTROL']]);
    // Grants OSS cannot name exactly show as what they give everyone.
    await ok(
      obs.setObjectAcl({
        Bucket: bucket,
        Key: 'rw',
        Owner: { ID: acl.Owner.ID },
        Grants: [
          { Grantee: { Type: 'CanonicalUser', ID: acl.Owner.ID }, Permission: 'FULL_CONTROL' },
          { Grantee: { Type: 'Group', URI: 'AllUsers' }, Permission: 'READ' },
          { Grantee: { Type: 'Group', URI: 'AllUsers' }, Permission: 'READ_ACP' },
        ],
      }),
    );
    assert.equal((await oss.getACL('rw')).acl, 'public-read');
    // A copy through OSS with x-oss-object-acl: default keeps no ACL of the source's.
    await oss.copy('rw-copy', 'rw', { headers: { 'x-oss-object-acl': 'default' } });
    assert.equal((await oss.getACL('rw-copy')).acl, 'default');
  });

  it('an ACL set through S3 reads back through OBS (both modes) and OSS, and the other way round', async () => {
    const obsV2 = await obsClient(t, 'v2');
    try {
      await t.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 's3-acl', Body: 's', ACL: 'public-read' }));
      let acl = await ok(obs.getObjectAcl({ Bucket: bucket, Key: 's3-acl' }));
      assert.deepEqual(grants(acl), [
        [acl.Owner.ID, 'FULL_CONTROL'],
        ['Everyone', 'READ'],
      ]);
      assert.equal((await oss.getACL('s3-acl')).acl, 'public-read');
      const owner = acl.Owner.ID;
      // Grants by header: OBS's AWS-compatible mode shows S3's group URIs; OSS what they give everyone.
      await t.s3.send(new PutObjectAclCommand({ Bucket: bucket, Key: 's3-acl', GrantWrite: 'uri="http://acs.amazonaws.com/groups/global/AllUsers"', GrantFullControl: `id="${owner}"` }));
      acl = await ok(obsV2.getObjectAcl({ Bucket: bucket, Key: 's3-acl' }));
      assert.deepEqual(grants(acl), [
        ['http://acs.amazonaws.com/groups/global/AllUsers', 'WRITE'],
        [owner, 'FULL_CONTROL'],
      ]);
      assert.equal((await oss.getACL('s3-acl')).acl, 'public-read-write');
      // OSS's `default` is S3's private: no grant but the owner's.
      await oss.putACL('s3-acl', 'default');
      const s3acl = await t.s3.send(new GetObjectAclCommand({ Bucket: bucket, Key: 's3-acl' }));
      assert.deepEqual(s3acl.Grants?.map((g) => [g.Grantee?.ID, g.Permission]), [[owner, 'FULL_CONTROL']]);
      // A bucket ACL set through S3 is OSS's canned name and OBS's grants.
      await t.s3.send(new PutBucketAclCommand({ Bucket: bucket, ACL: 'public-read-write' }));
      assert.equal((await oss.getBucketACL(bucket)).acl, 'public-read-write');
      assert.deepEqual(grants(await ok(obs.getBucketAcl({ Bucket: bucket }))), [
        [owner, 'FULL_CONTROL'],
        ['Everyone', 'READ'],
        ['Everyone', 'WRITE'],
      ]);
      await oss.putBucketACL(bucket, 'public-read');
    } finally {
      obsV2.close();
    }
  });

  it("COS's authority is the same ACL", async () => {
    const cos = new CosClient({ appid: APPID, secretId: ACCESS_KEY, secretKey: SECRET_KEY, endpoint: t.url });
    await oss.put('cos-acl', Buffer.from('c'));
    const authority = async () => assertOk(await cos.statFile({ bucket, cosPath: '/cos-acl' })).data!.authority;
    assert.equal(await authority(), 'eInvalid');
    await oss.putACL('cos-acl', 'public-read-write');
    assert.equal(await authority(), 'eWPrivateRPublic');
    assertOk(await cos.updateFile({ bucket, cosPath: '/cos-acl', authority: 'eWRPrivate' }));
    assert.equal((await oss.getACL('cos-acl')).acl, 'private');
    const acl = await ok(obs.getObjectAcl({ Bucket: bucket, Key: 'cos-acl' }));
    assert.deepEqual(grants(acl), [[acl.Owner.ID, 'FULL_CONTROL']]);
    assertOk(await cos.updateFile({ bucket, cosPath: '/cos-acl', authority: 'eInvalid' }));
    assert.equal((await oss.getACL('cos-acl')).acl, 'default');
  });
});
