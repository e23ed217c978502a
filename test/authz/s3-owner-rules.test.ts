/**
 * S3 rules about who owns what, over HTTP with @aws-sdk/client-s3 (ceph
 * s3-tests cases in brackets): a missing object answers 404 only to a caller
 * who may list the bucket (test_head_object_404_with_policy_prefix);
 * x-amz-expected-bucket-owner (test_expected_bucket_owner); an object another
 * account wrote is that account's (test_bucket_policy_put_obj_grant);
 * multipart listings show the owner's display name
 * (test_list_multipart_upload_owner); a POST form's redirect target, the
 * bucket URL with ?bucket=&key=&etag=, is a listing
 * (test_post_object_success_redirect_action).
 */
import {
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetBucketAclCommand,
  GetObjectAclCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsCommand,
  ListPartsCommand,
  PutBucketAclCommand,
  PutBucketOwnershipControlsCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertS3Error, rawRequest, signedRequest, xmlField } from '../helpers/raw.js';
import { bucketName, startTestServer, type TestServer } from '../helpers/server.js';
import { addAccount, s3Error, type OtherAccount } from './accounts.js';

const policy = (...statements: Record<string, unknown>[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });

describe('S3 ownership rules', () => {
  let t: TestServer;
  let other: OtherAccount;
  let owner: string;

  before(async () => {
    t = await startTestServer();
    other = await addAccount(t, 'acct-owner-rules');
    const probe = bucketName('probe');
    await t.s3.send(new CreateBucketCommand({ Bucket: probe }));
    owner = (await t.s3.send(new GetBucketAclCommand({ Bucket: probe }))).Owner!.ID!;
  });
  after(async () => {
    other.s3.destroy();
    await t.stop();
  });

  it('a missing object: 404 to a caller who may list (s3:prefix is the key), 403 to one who may not', async () => {
    const b = bucketName('missing');
    await t.s3.send(new CreateBucketCommand({ Bucket: b }));
    await t.s3.send(new PutObjectCommand({ Bucket: b, Key: 'open/here', Body: 'x' }));
    await t.s3.send(new PutBucketPolicyCommand({
      Bucket: b,
      Policy: policy(
        { Effect: 'Allow', Principal: { AWS: '*' }, Action: 's3:ListBucket', Resource: `arn:aws:s3:::${b}`, Condition: { StringLike: { 's3:prefix': 'public/*' } } },
        { Effect: 'Allow', Principal: { AWS: '*' }, Action: 's3:GetObject', Resource: `arn:aws:s3:::${b}/open/*` },
      ),
    }));
    const head = (key: string) => s3Error(other.s3.send(new HeadObjectCommand({ Bucket: b, Key: key })));
    assert.deepEqual((await head('public/object'))[1], 404, 'may list public/: learns it is missing');
    assert.deepEqual((await head('private/object'))[1], 403, 'may not list private/');
    assert.deepEqual(await s3Error(other.s3.send(new GetObjectCommand({ Bucket: b, Key: 'public/object' }))), ['NoSuchKey', 404]);
    assert.deepEqual(await s3Error(other.s3.send(new GetObjectCommand({ Bucket: b, Key: 'open/missing' }))), ['AccessDenied', 403], 'GetObject alone does not tell a missing key');
    assert.equal(await (await other.s3.send(new GetObjectCommand({ Bucket: b, Key: 'open/here' }))).Body!.transformToString(), 'x');
    assert.deepEqual(await s3Error(other.s3.send(new GetObjectCommand({ Bucket: b, Key: 'private/here' }))), ['AccessDenied', 403]);
    // The owner always learns NoSuchKey; anonymous callers get what the policy gives them too.
    assert.deepEqual(await s3Error(t.s3.send(new GetObjectCommand({ Bucket: b, Key: 'private/object' }))), ['NoSuchKey', 404]);
    assert.equal((await rawRequest(`${t.url}/${b}/public/object`)).status, 404);
    assertS3Error(await rawRequest(`${t.url}/${b}/open/missing`), 403, 'AccessDenied');
    // A bucket ACL granting READ (listing) answers 404 for a missing key.
    const pub = bucketName('missing-acl');
    await t.s3.send(new CreateBucketCommand({ Bucket: pub, ACL: 'public-read' }));
    assertS3Error(await rawRequest(`${t.url}/${pub}/nothing`), 404, 'NoSuchKey');
  });

  it('x-amz-expected-bucket-owner: another owner than named is 403 AccessDenied, for every operation', async () => {
    const b = bucketName('expected');
    await t.s3.send(new CreateBucketCommand({ Bucket: b }));
    await t.s3.send(new PutBucketAclCommand({ Bucket: b, ACL: 'public-read-write' }));
    await t.s3.send(new ListObjectsCommand({ Bucket: b, ExpectedBucketOwner: owner }));
    await t.s3.send(new PutObjectCommand({ Bucket: b, Key: 'src', Body: 'v', ExpectedBucketOwner: owner }));
    const wrong = owner + 'foo';
    assert.deepEqual(await s3Error(t.s3.send(new ListObjectsCommand({ Bucket: b, ExpectedBucketOwner: wrong }))), ['AccessDenied', 403]);
    assert.deepEqual(await s3Error(other.s3.send(new PutObjectCommand({ Bucket: b, Key: 'k', Body: 'v', ExpectedBucketOwner: other.id }))), ['AccessDenied', 403]);
    assert.deepEqual(await s3Error(t.s3.send(new HeadObjectCommand({ Bucket: b, Key: 'k' }))), ['NotFound', 404], 'the refused write stored nothing');
    const anon = await rawRequest(`${t.url}/${b}/k`, { method: 'PUT', body: 'v', headers: { 'x-amz-expected-bucket-owner': wrong } });
    assertS3Error(anon, 403, 'AccessDenied');
    assert.equal((await rawRequest(`${t.url}/${b}?list-type=2`, { headers: { 'x-amz-expected-bucket-owner': owner } })).status, 200);
    // A copy's source is checked against x-amz-source-expected-bucket-owner.
    await t.s3.send(new CopyObjectCommand({ Bucket: b, Key: 'dst', CopySource: `${b}/src`, ExpectedSourceBucketOwner: owner }));
    assert.deepEqual(await s3Error(t.s3.send(new CopyObjectCommand({ Bucket: b, Key: 'dst', CopySource: `${b}/src`, ExpectedSourceBucketOwner: wrong }))), ['AccessDenied', 403]);
    // No such bucket: the header changes nothing.
    assertS3Error(await signedRequest(t.url, `/${bucketName('nope')}`, { headers: { 'x-amz-expected-bucket-owner': wrong } }), 404, 'NoSuchBucket');
  });

  it("an object another account wrote is its own: the bucket owner reads it only as the object's ACL grants", async () => {
    const b = bucketName('foreign');
    await t.s3.send(new CreateBucketCommand({ Bucket: b }));
    await t.s3.send(new PutBucketPolicyCommand({ Bucket: b, Policy: policy({ Effect: 'Allow', Principal: { AWS: '*' }, Action: 's3:PutObject', Resource: `arn:aws:s3:::${b}/*` }) }));
    await other.s3.send(new PutObjectCommand({ Bucket: b, Key: 'theirs', Body: 'secret' }));
    assert.deepEqual(await s3Error(t.s3.send(new GetObjectAclCommand({ Bucket: b, Key: 'theirs' }))), ['AccessDenied', 403]);
    assert.deepEqual(await s3Error(t.s3.send(new GetObjectCommand({ Bucket: b, Key: 'theirs' }))), ['AccessDenied', 403]);
    const acl = await other.s3.send(new GetObjectAclCommand({ Bucket: b, Key: 'theirs' }));
    assert.equal(acl.Owner!.ID, other.id);
    // Granted full control: the bucket owner reads it (the writer stays its owner).
    await other.s3.send(new PutObjectCommand({ Bucket: b, Key: 'shared', Body: 'both', GrantFullControl: `id=${owner}` }));
    const shared = await t.s3.send(new GetObjectAclCommand({ Bucket: b, Key: 'shared' }));
    assert.equal(shared.Owner!.ID, other.id);
    assert.equal(shared.Grants![0].Grantee!.ID, owner);
    assert.equal(await (await t.s3.send(new GetObjectCommand({ Bucket: b, Key: 'shared' }))).Body!.transformToString(), 'both');
    // The bucket owner may still delete it.
    await t.s3.send(new DeleteObjectCommand({ Bucket: b, Key: 'theirs' }));
    // BucketOwnerEnforced: every object is the bucket owner's.
    await other.s3.send(new PutObjectCommand({ Bucket: b, Key: 'later', Body: 'y' }));
    await t.s3.send(new PutBucketOwnershipControlsCommand({ Bucket: b, OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] } }));
    assert.equal(await (await t.s3.send(new GetObjectCommand({ Bucket: b, Key: 'later' }))).Body!.transformToString(), 'y');
  });

  it("multipart listings show the initiating account's display name", async () => {
    const b = bucketName('mpu-owner');
    await t.s3.send(new CreateBucketCommand({ Bucket: b }));
    await t.s3.send(new PutBucketPolicyCommand({ Bucket: b, Policy: policy({ Effect: 'Allow', Principal: { AWS: '*' }, Action: ['s3:PutObject', 's3:ListMultipartUploadParts'], Resource: `arn:aws:s3:::${b}/*` }) }));
    const mine = await t.s3.send(new CreateMultipartUploadCommand({ Bucket: b, Key: 'a' }));
    const theirs = await other.s3.send(new CreateMultipartUploadCommand({ Bucket: b, Key: 'b' }));
    const list = await t.s3.send(new ListMultipartUploadsCommand({ Bucket: b }));
    const byKey = new Map(list.Uploads!.map((u) => [u.Key, u]));
    assert.deepEqual(byKey.get('b')!.Owner, { ID: other.id, DisplayName: 'acct-owner-rules-name' });
    assert.deepEqual(byKey.get('b')!.Initiator, { ID: other.id, DisplayName: 'acct-owner-rules-name' });
    assert.equal(byKey.get('a')!.Owner!.ID, owner);
    const parts = await other.s3.send(new ListPartsCommand({ Bucket: b, Key: 'b', UploadId: theirs.UploadId! }));
    assert.deepEqual(parts.Owner, { ID: other.id, DisplayName: 'acct-owner-rules-name' });
    assert.ok(mine.UploadId);
  });

  it('unknown query parameters with a value are ignored (a POST redirect target); a bare one is still refused', async () => {
    const b = bucketName('redirect');
    await t.s3.send(new CreateBucketCommand({ Bucket: b, ACL: 'public-read' }));
    await t.s3.send(new PutObjectCommand({ Bucket: b, Key: 'foo.txt', Body: 'bar' }));
    const landed = await rawRequest(`${t.url}/${b}?bucket=${b}&key=foo.txt&etag=%22abc%22`);
    assert.equal(landed.status, 200, landed.body.toString());
    assert.equal(xmlField(landed.body, 'Key'), 'foo.txt');
    assertS3Error(await rawRequest(`${t.url}/${b}?no-such-subresource`), 403, 'AccessDenied');
    assertS3Error(await signedRequest(t.url, `/${b}?no-such-subresource`), 501, 'NotImplemented');
  });
});
