import type ObsClient from 'esdk-obs-nodejs';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CosClient } from '../../src/sdk/cos/client.js';
import { APPID, assertOk } from '../cos/helpers.js';
import { ACCESS_KEY, SECRET_KEY, bucketName, type TestServer } from '../helpers/server.js';
import { obsClient, ok, startObsServer } from '../obs/helpers.js';
import { ossClient } from './helpers.js';

/** One neutral ACL model and one bucket default storage class behind OSS's canned names, OBS's grants and COS's authority. */
describe('OSS, OBS and COS share ACLs and the bucket storage class', () => {
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
