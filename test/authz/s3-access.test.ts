/**
 * Access control over HTTP with @aws-sdk/client-s3: a second account (its
 * own key pair) against the root account's buckets. ACL grants, bucket
 * policies (and their Deny beating a grant), the public access block,
 * object ownership, GetBucketPolicyStatus and malformed policies.
 */
import {
  CreateBucketCommand,
  DeleteBucketOwnershipControlsCommand,
  DeleteBucketPolicyCommand,
  DeletePublicAccessBlockCommand,
  GetBucketAclCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetBucketPolicyStatusCommand,
  GetObjectAclCommand,
  GetObjectCommand,
  GetPublicAccessBlockCommand,
  ListObjectsV2Command,
  PutBucketAclCommand,
  PutBucketOwnershipControlsCommand,
  PutBucketPolicyCommand,
  PutObjectAclCommand,
  PutObjectCommand,
  PutPublicAccessBlockCommand,
  CreateMultipartUploadCommand,
  ListPartsCommand,
  CopyObjectCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
} from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bucketName, startTestServer, type TestServer } from '../helpers/server.js';
import { addAccount, s3Error, type OtherAccount } from './accounts.js';

const ALL_USERS = 'http://acs.amazonaws.com/groups/global/AllUsers';

const policyOf = (bucket: string, statements: Record<string, unknown>[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const allow = (principal: unknown, action: string | string[], resource: string | string[], extra: Record<string, unknown> = {}) => ({ Effect: 'Allow', Principal: principal, Action: action, Resource: resource, ...extra });

describe('S3 access control: a second account', () => {
  let t: TestServer;
  let other: OtherAccount;
  let owner: string;
  const text = async (p: Promise<{ Body?: { transformToString(): Promise<string> } }>) => (await (await p).Body!.transformToString());

  before(async () => {
    t = await startTestServer();
    other = await addAccount(t, 'acct-two');
    const probe = bucketName('probe');
    await t.s3.send(new CreateBucketCommand({ Bucket: probe }));
    owner = (await t.s3.send(new GetBucketAclCommand({ Bucket: probe }))).Owner!.ID!;
  });
  after(async () => {
    other.s3.destroy();
    await t.stop();
  });

  async function bucketWith(objects: Record<string, string>): Promise<string> {
    const b = bucketName('acc');
    await t.s3.send(new CreateBucketCommand({ Bucket: b }));
    for (const [Key, Body] of Object.entries(objects)) await t.s3.send(new PutObjectCommand({ Bucket: b, Key, Body }));
    return b;
  }

  it('is refused a private bucket and object; nothing it tries is stored', async () => {
    const b = await bucketWith({ 'a.txt': 'private' });
    assert.deepEqual(await s3Error(other.s3.send(new GetObjectCommand({ Bucket: b, Key: 'a.txt' }))), ['AccessDenied', 403]);
    assert.deepEqual(await s3Error(other.s3.send(new ListObjectsV2Command({ Bucket: b }))), ['AccessDenied', 403]);
    assert.deepEqual(await s3Error(other.s3.send(new PutObjectCommand({ Bucket: b, Key: 'b.txt', Body: 'x' }))), ['AccessDenied', 403]);
    assert.deepEqual(await s3Error(other.s3.send(new GetBucketPolicyCommand({ Bucket: b }))), ['AccessDenied', 403]);
    assert.deepEqual(await s3Error(other.s3.send(new PutBucketAclCommand({ Bucket: b, ACL: 'public-read' }))), ['AccessDenied', 403]);
    const listed = await t.s3.send(new ListObjectsV2Command({ Bucket: b }));
    assert.deepEqual(listed.Contents?.map((o) => o.Key), ['a.txt']);
    assert.equal((await t.s3.send(new GetBucketAclCommand({ Bucket: b }))).Grants?.length, 1);
  });

  it('is let in by an ACL grant to its id: the object ACL for reading, the bucket ACL for listing and writing', async () => {
    const b = await bucketWith({ 'a.txt': 'granted', 'b.txt': 'not granted' });
    await t.s3.send(new PutObjectAclCommand({ Bucket: b, Key: 'a.txt', GrantRead: `id="${other.id}"` }));
    assert.equal(await text(other.s3.send(new GetObjectCommand({ Bucket: b, Key: 'a.txt' }))), 'granted');
    assert.deepEqual(await s3Error(other.s3.send(new GetObjectCommand({ Bucket: b, Key: 'b.txt' }))), ['AccessDenied', 403]);
    assert.deepEqual(await s3Error(other.s3.send(new GetObjectAclCommand({ Bucket: b, Key: 'a.txt' }))), ['AccessDenied', 403], 'READ is not READ_ACP');
    assert.deepEqual(await s3Error(other.s3.send(new ListObjectsV2Command({ Bucket: b }))), ['AccessDenied', 403]);

    await t.s3.send(new PutBucketAclCommand({ Bucket: b, GrantRead: `id="${other.id}"`, GrantWrite: `id="${other.id}"`, GrantFullControl: `id="${owner}"` }));
    assert.equal((await other.s3.send(new ListObjectsV2Command({ Bucket: b }))).KeyCount, 2);
    await other.s3.send(new PutObjectCommand({ Bucket: b, Key: 'theirs.txt', Body: 'written by acct-two' }));
    // The writer owns what it writes: it reads it back and sees itself (by its display name) as the owner.
    const acl = await other.s3.send(new GetObjectAclCommand({ Bucket: b, Key: 'theirs.txt' }));
    assert.deepEqual([acl.Owner?.ID, acl.Owner?.DisplayName], [other.id, 'acct-two-name']);
    assert.equal(await text(other.s3.send(new GetObjectCommand({ Bucket: b, Key: 'theirs.txt' }))), 'written by acct-two');
    // The bucket ACL shows display names from the directory.
    const bacl = await t.s3.send(new GetBucketAclCommand({ Bucket: b }));
    assert.ok(bacl.Grants?.some((g) => g.Grantee?.ID === other.id && g.Grantee?.DisplayName === 'acct-two-name'));
  });

  it('bucket-owner-full-control on a write by another account grants the bucket owner', async () => {
    const b = await bucketWith({});
    await t.s3.send(new PutBucketAclCommand({ Bucket: b, GrantWrite: `id="${other.id}"`, GrantFullControl: `id="${owner}"` }));
    await other.s3.send(new PutObjectCommand({ Bucket: b, Key: 'k', Body: 'x', ACL: 'bucket-owner-full-control' }));
    const acl = await other.s3.send(new GetObjectAclCommand({ Bucket: b, Key: 'k' }));
    assert.equal(acl.Owner?.ID, other.id);
    assert.deepEqual(acl.Grants?.map((g) => [g.Grantee?.ID, g.Permission]).sort(), [[other.id, 'FULL_CONTROL'], [owner, 'FULL_CONTROL']].sort());
  });

  it('grants to unknown accounts are refused and change nothing', async () => {
    const b = await bucketWith({ k: 'v' });
    assert.deepEqual(await s3Error(t.s3.send(new PutObjectAclCommand({ Bucket: b, Key: 'k', GrantRead: 'id="no-such-account"' }))), ['InvalidArgument', 400]);
    assert.deepEqual(await s3Error(t.s3.send(new PutBucketAclCommand({ Bucket: b, GrantRead: 'emailAddress="nobody@example.com"' }))), ['UnresolvableGrantByEmailAddress', 400]);
    assert.equal((await t.s3.send(new GetObjectAclCommand({ Bucket: b, Key: 'k' }))).Grants?.length, 1);
    assert.equal((await t.s3.send(new GetBucketAclCommand({ Bucket: b }))).Grants?.length, 1);
  });

  it('is let in by a bucket policy Allow, which Put/Get/DeleteBucketPolicy manage (at once: no stale cache)', async () => {
    const b = await bucketWith({ 'docs/a': 'A', 'img/b': 'B' });
    const policy = policyOf(b, [
      allow({ AWS: `arn:aws:iam::${other.id}:root` }, 's3:ListBucket', `arn:aws:s3:::${b}`, { Condition: { StringLike: { 's3:prefix': 'docs/*' } } }),
      allow({ AWS: other.id }, ['s3:GetObject'], `arn:aws:s3:::${b}/docs/*`),
    ]);
    await t.s3.send(new PutBucketPolicyCommand({ Bucket: b, Policy: policy }));
    assert.equal((await t.s3.send(new GetBucketPolicyCommand({ Bucket: b }))).Policy, policy, 'the text comes back as sent');
    assert.equal(await text(other.s3.send(new GetObjectCommand({ Bucket: b, Key: 'docs/a' }))), 'A');
    assert.deepEqual(await s3Error(other.s3.send(new GetObjectCommand({ Bucket: b, Key: 'img/b' }))), ['AccessDenied', 403]);
    assert.deepEqual((await other.s3.send(new ListObjectsV2Command({ Bucket: b, Prefix: 'docs/' }))).Contents?.map((o) => o.Key), ['docs/a']);
    assert.deepEqual(await s3Error(other.s3.send(new ListObjectsV2Command({ Bucket: b, Prefix: 'img/' }))), ['AccessDenied', 403]);
    assert.deepEqual(await s3Error(other.s3.send(new ListObjectsV2Command({ Bucket: b }))), ['AccessDenied', 403], 's3:prefix absent');

    await t.s3.send(new DeleteBucketPolicyCommand({ Bucket: b }));
    assert.deepEqual(await s3Error(other.s3.send(new GetObjectCommand({ Bucket: b, Key: 'docs/a' }))), ['AccessDenied', 403]);
    assert.deepEqual(await s3Error(t.s3.send(new GetBucketPolicyCommand({ Bucket: b }))), ['NoSuchBucketPolicy', 404]);
  });

  it('a Deny on a prefix beats an ACL grant, and binds the owner too', async () => {
    const b = await bucketWith({ 'secret/x': 'S', 'open/y': 'O' });
    await t.s3.send(new PutObjectAclCommand({ Bucket: b, Key: 'secret/x', ACL: 'public-read' }));
    await t.s3.send(new PutObjectAclCommand({ Bucket: b, Key: 'open/y', GrantRead: `id="${other.id}"` }));
    assert.equal(await text(other.s3.send(new GetObjectCommand({ Bucket: b, Key: 'secret/x' }))), 'S');
    await t.s3.send(new PutBucketPolicyCommand({ Bucket: b, Policy: policyOf(b, [{ Effect: 'Deny', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${b}/secret/*` }]) }));
    assert.deepEqual(await s3Error(other.s3.send(new GetObjectCommand({ Bucket: b, Key: 'secret/x' }))), ['AccessDenied', 403]);
    assert.deepEqual(await s3Error(t.s3.send(new GetObjectCommand({ Bucket: b, Key: 'secret/x' }))), ['AccessDenied', 403], 'an explicit Deny binds the owner');
    assert.equal(await text(other.s3.send(new GetObjectCommand({ Bucket: b, Key: 'open/y' }))), 'O');
  });

  it('a batch delete asks about each key: a Deny on a prefix holds inside DeleteObjects', async () => {
    const b = await bucketWith({ 'keep/a': 'A', 'tmp/b': 'B' });
    await t.s3.send(new PutBucketPolicyCommand({ Bucket: b, Policy: policyOf(b, [{ Effect: 'Deny', Principal: '*', Action: 's3:DeleteObject', Resource: `arn:aws:s3:::${b}/keep/*` }]) }));
    const r = await t.s3.send(new DeleteObjectsCommand({ Bucket: b, Delete: { Objects: [{ Key: 'keep/a' }, { Key: 'tmp/b' }] } }));
    assert.deepEqual(r.Deleted?.map((d) => d.Key), ['tmp/b']);
    assert.deepEqual(r.Errors?.map((e) => [e.Key, e.Code]), [['keep/a', 'AccessDenied']]);
    assert.deepEqual((await t.s3.send(new ListObjectsV2Command({ Bucket: b }))).Contents?.map((o) => o.Key), ['keep/a']);
  });

  it("the owner's root keeps the policy operations a policy denies, unless it confirmed removing its own access", async () => {
    const b = await bucketWith({});
    const denyPolicyOps = policyOf(b, [{ Effect: 'Deny', Principal: '*', Action: ['s3:PutBucketPolicy', 's3:GetBucketPolicy', 's3:DeleteBucketPolicy'], Resource: [`arn:aws:s3:::${b}`, `arn:aws:s3:::${b}/*`] }]);
    await t.s3.send(new PutBucketPolicyCommand({ Bucket: b, Policy: denyPolicyOps }));
    assert.equal((await t.s3.send(new GetBucketPolicyCommand({ Bucket: b }))).Policy, denyPolicyOps);
    await t.s3.send(new DeleteBucketPolicyCommand({ Bucket: b }));
    await t.s3.send(new PutBucketPolicyCommand({ Bucket: b, Policy: denyPolicyOps, ConfirmRemoveSelfBucketAccess: true }));
    assert.deepEqual(await s3Error(t.s3.send(new GetBucketPolicyCommand({ Bucket: b }))), ['AccessDenied', 403]);
    assert.deepEqual(await s3Error(t.s3.send(new DeleteBucketPolicyCommand({ Bucket: b }))), ['AccessDenied', 403]);
  });

  it('conditions see the request: aws:SourceIp', async () => {
    const b = await bucketWith({ k: 'v' });
    const byIp = (cidr: string) => policyOf(b, [allow({ AWS: other.id }, 's3:GetObject', `arn:aws:s3:::${b}/*`, { Condition: { IpAddress: { 'aws:SourceIp': cidr } } })]);
    await t.s3.send(new PutBucketPolicyCommand({ Bucket: b, Policy: byIp('10.0.0.0/8') }));
    assert.deepEqual(await s3Error(other.s3.send(new GetObjectCommand({ Bucket: b, Key: 'k' }))), ['AccessDenied', 403]);
    await t.s3.send(new PutBucketPolicyCommand({ Bucket: b, Policy: byIp('127.0.0.0/8') }));
    assert.equal(await text(other.s3.send(new GetObjectCommand({ Bucket: b, Key: 'k' }))), 'v');
  });

  it('malformed policies are MalformedPolicy and store nothing (nor replace what is stored)', async () => {
    const b = await bucketWith({});
    const bad: [string, RegExp][] = [
      ['not json', /first byte must be/],
      [JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${b}/*` }] }), /Missing required field Principal/],
      [policyOf(b, [allow('*', 's3:GetObject', `arn:aws:s3:::${b}`)]), /Action does not apply to any resource/],
      [policyOf(b, [allow({ AWS: 'arn:aws:iam::' }, 's3:GetObject', `arn:aws:s3:::${b}/*`)]), /Invalid principal in policy/],
      [policyOf(b, [allow('*', 's3:GetObject', 'arn:aws:s3:::some-other-bucket/*')]), /invalid resource/],
      [policyOf(b, [{ Effect: 'Allow', NotPrincipal: { AWS: other.id }, Action: 's3:ListBucket', Resource: `arn:aws:s3:::${b}` }]), /NotPrincipal/],
    ];
    for (const [Policy, message] of bad) {
      const err = await t.s3.send(new PutBucketPolicyCommand({ Bucket: b, Policy })).then(() => undefined, (e: { name: string; message: string; $metadata: { httpStatusCode: number } }) => e);
      assert.deepEqual([err?.name, err?.$metadata.httpStatusCode], ['MalformedPolicy', 400], Policy);
      assert.match(err!.message, message);
    }
    assert.deepEqual(await s3Error(t.s3.send(new GetBucketPolicyCommand({ Bucket: b }))), ['NoSuchBucketPolicy', 404]);
    const good = policyOf(b, [allow({ AWS: other.id }, 's3:ListBucket', `arn:aws:s3:::${b}`)]);
    await t.s3.send(new PutBucketPolicyCommand({ Bucket: b, Policy: good }));
    await assert.rejects(t.s3.send(new PutBucketPolicyCommand({ Bucket: b, Policy: '{"Statement": 5}' })), { name: 'MalformedPolicy' });
    assert.equal((await t.s3.send(new GetBucketPolicyCommand({ Bucket: b }))).Policy, good);
  });

  it('GetBucketPolicyStatus: public policies and public ACLs, not conditioned or named ones', async () => {
    const b = await bucketWith({});
    const status = async () => (await t.s3.send(new GetBucketPolicyStatusCommand({ Bucket: b }))).PolicyStatus?.IsPublic;
    assert.equal(await status(), false);
    await t.s3.send(new PutBucketPolicyCommand({ Bucket: b, Policy: policyOf(b, [allow({ AWS: '*' }, 's3:ListBucket', `arn:aws:s3:::${b}`, { Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/32' } } })]) }));
    assert.equal(await status(), false);
    await t.s3.send(new PutBucketPolicyCommand({ Bucket: b, Policy: policyOf(b, [allow({ AWS: other.id }, 's3:ListBucket', `arn:aws:s3:::${b}`)]) }));
    assert.equal(await status(), false);
    await t.s3.send(new PutBucketPolicyCommand({ Bucket: b, Policy: policyOf(b, [allow({ AWS: '*' }, 's3:ListBucket', `arn:aws:s3:::${b}`)]) }));
    assert.equal(await status(), true);
    await t.s3.send(new DeleteBucketPolicyCommand({ Bucket: b }));
    await t.s3.send(new PutBucketAclCommand({ Bucket: b, ACL: 'authenticated-read' }));
    assert.equal(await status(), true);
  });

  it('public access block: stored and removed; BlockPublicAcls refuses public ACLs in headers and documents', async () => {
    const b = await bucketWith({ k: 'v' });
    assert.deepEqual(await s3Error(t.s3.send(new GetPublicAccessBlockCommand({ Bucket: b }))), ['NoSuchPublicAccessBlockConfiguration', 404]);
    const conf = { BlockPublicAcls: true, IgnorePublicAcls: false, BlockPublicPolicy: true, RestrictPublicBuckets: false };
    await t.s3.send(new PutPublicAccessBlockCommand({ Bucket: b, PublicAccessBlockConfiguration: conf }));
    assert.deepEqual((await t.s3.send(new GetPublicAccessBlockCommand({ Bucket: b }))).PublicAccessBlockConfiguration, conf);
    for (const ACL of ['public-read', 'public-read-write', 'authenticated-read'] as const) {
      assert.deepEqual(await s3Error(t.s3.send(new PutBucketAclCommand({ Bucket: b, ACL }))), ['AccessDenied', 403], ACL);
      assert.deepEqual(await s3Error(t.s3.send(new PutObjectCommand({ Bucket: b, Key: 'n', Body: '', ACL }))), ['AccessDenied', 403], ACL);
    }
    const doc = { Owner: { ID: owner }, Grants: [{ Grantee: { Type: 'Group' as const, URI: ALL_USERS }, Permission: 'READ' as const }] };
    assert.deepEqual(await s3Error(t.s3.send(new PutObjectAclCommand({ Bucket: b, Key: 'k', AccessControlPolicy: doc }))), ['AccessDenied', 403]);
    await t.s3.send(new PutObjectCommand({ Bucket: b, Key: 'fine', Body: '', ACL: 'private' }));
    assert.deepEqual(await s3Error(t.s3.send(new GetObjectCommand({ Bucket: b, Key: 'n' }))), ['NoSuchKey', 404], 'nothing was written');
    // BlockPublicPolicy: a public policy is refused, one naming an account is not.
    assert.deepEqual(await s3Error(t.s3.send(new PutBucketPolicyCommand({ Bucket: b, Policy: policyOf(b, [allow('*', 's3:GetObject', `arn:aws:s3:::${b}/*`)]) }))), ['AccessDenied', 403]);
    await t.s3.send(new PutBucketPolicyCommand({ Bucket: b, Policy: policyOf(b, [allow({ AWS: 'arn:aws:iam::s3tenant1:root' }, 's3:GetObject', `arn:aws:s3:::${b}/*`)]) }));
    await t.s3.send(new DeletePublicAccessBlockCommand({ Bucket: b }));
    assert.deepEqual(await s3Error(t.s3.send(new GetPublicAccessBlockCommand({ Bucket: b }))), ['NoSuchPublicAccessBlockConfiguration', 404]);
    await t.s3.send(new PutBucketAclCommand({ Bucket: b, ACL: 'public-read' }));
  });

  it('IgnorePublicAcls makes a public bucket private to others; RestrictPublicBuckets confines a public policy to the owner', async () => {
    const b = await bucketWith({ k: 'v' });
    await t.s3.send(new PutBucketAclCommand({ Bucket: b, ACL: 'public-read' }));
    await t.s3.send(new PutObjectAclCommand({ Bucket: b, Key: 'k', ACL: 'public-read' }));
    assert.equal((await other.s3.send(new ListObjectsV2Command({ Bucket: b }))).KeyCount, 1);
    assert.equal(await text(other.s3.send(new GetObjectCommand({ Bucket: b, Key: 'k' }))), 'v');
    await t.s3.send(new PutPublicAccessBlockCommand({ Bucket: b, PublicAccessBlockConfiguration: { IgnorePublicAcls: true } }));
    assert.deepEqual(await s3Error(other.s3.send(new ListObjectsV2Command({ Bucket: b }))), ['AccessDenied', 403]);
    assert.deepEqual(await s3Error(other.s3.send(new GetObjectCommand({ Bucket: b, Key: 'k' }))), ['AccessDenied', 403]);

    await t.s3.send(new DeletePublicAccessBlockCommand({ Bucket: b }));
    await t.s3.send(new PutBucketAclCommand({ Bucket: b, ACL: 'private' }));
    await t.s3.send(new PutObjectAclCommand({ Bucket: b, Key: 'k', ACL: 'private' }));
    await t.s3.send(new PutBucketPolicyCommand({ Bucket: b, Policy: policyOf(b, [allow('*', 's3:GetObject', `arn:aws:s3:::${b}/*`)]) }));
    assert.equal(await text(other.s3.send(new GetObjectCommand({ Bucket: b, Key: 'k' }))), 'v');
    await t.s3.send(new PutPublicAccessBlockCommand({ Bucket: b, PublicAccessBlockConfiguration: { RestrictPublicBuckets: true } }));
    assert.deepEqual(await s3Error(other.s3.send(new GetObjectCommand({ Bucket: b, Key: 'k' }))), ['AccessDenied', 403]);
    assert.equal(await text(t.s3.send(new GetObjectCommand({ Bucket: b, Key: 'k' }))), 'v');
  });

  const publicWrite = (b: string) => policyOf(b, [allow({ AWS: '*' }, '*', [`arn:aws:s3:::${b}`, `arn:aws:s3:::${b}/*`])]);
  const objectOwner = async (b: string, Key: string) => (await other.s3.send(new GetObjectAclCommand({ Bucket: b, Key }))).Owner?.ID;

  it('ownership controls: none by default; BucketOwnerEnforced owns every object and disables ACLs', async () => {
    const b = await bucketWith({});
    assert.deepEqual(await s3Error(t.s3.send(new GetBucketOwnershipControlsCommand({ Bucket: b }))), ['OwnershipControlsNotFoundError', 404]);
    await t.s3.send(new PutBucketOwnershipControlsCommand({ Bucket: b, OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] } }));
    assert.equal((await t.s3.send(new GetBucketOwnershipControlsCommand({ Bucket: b }))).OwnershipControls?.Rules?.[0]?.ObjectOwnership, 'BucketOwnerEnforced');
    await t.s3.send(new PutBucketPolicyCommand({ Bucket: b, Policy: publicWrite(b) }));

    await other.s3.send(new PutObjectCommand({ Bucket: b, Key: 'plain', Body: 'x' }));
    assert.equal(await objectOwner(b, 'plain'), owner);
    await other.s3.send(new PutObjectCommand({ Bucket: b, Key: 'bofc', Body: 'x', ACL: 'bucket-owner-full-control' }));
    assert.equal(await objectOwner(b, 'bofc'), owner);
    assert.deepEqual(await s3Error(other.s3.send(new PutObjectCommand({ Bucket: b, Key: 'priv', Body: 'x', ACL: 'private' }))), ['AccessControlListNotSupported', 400]);
    const upload = await other.s3.send(new CreateMultipartUploadCommand({ Bucket: b, Key: 'mpu' }));
    assert.equal((await other.s3.send(new ListPartsCommand({ Bucket: b, Key: 'mpu', UploadId: upload.UploadId }))).Owner?.ID, owner);
    await other.s3.send(new CopyObjectCommand({ Bucket: b, Key: 'copy', CopySource: `${b}/plain` }));
    assert.equal(await objectOwner(b, 'copy'), owner);
    assert.deepEqual(await s3Error(t.s3.send(new PutBucketAclCommand({ Bucket: b, ACL: 'private' }))), ['AccessControlListNotSupported', 400]);
    assert.deepEqual(await s3Error(other.s3.send(new PutObjectAclCommand({ Bucket: b, Key: 'plain', ACL: 'private' }))), ['AccessControlListNotSupported', 400]);

    await t.s3.send(new DeleteBucketOwnershipControlsCommand({ Bucket: b }));
    assert.deepEqual(await s3Error(t.s3.send(new GetBucketOwnershipControlsCommand({ Bucket: b }))), ['OwnershipControlsNotFoundError', 404]);
  });

  it('ownership controls: BucketOwnerPreferred takes objects written with bucket-owner-full-control; ObjectWriter never', async () => {
    const preferred = bucketName('pref');
    await t.s3.send(new CreateBucketCommand({ Bucket: preferred, ObjectOwnership: 'BucketOwnerPreferred' }));
    assert.equal((await t.s3.send(new GetBucketOwnershipControlsCommand({ Bucket: preferred }))).OwnershipControls?.Rules?.[0]?.ObjectOwnership, 'BucketOwnerPreferred');
    await t.s3.send(new PutBucketPolicyCommand({ Bucket: preferred, Policy: publicWrite(preferred) }));
    await other.s3.send(new PutObjectCommand({ Bucket: preferred, Key: 'mine', Body: 'x' }));
    await other.s3.send(new PutObjectCommand({ Bucket: preferred, Key: 'given', Body: 'x', ACL: 'bucket-owner-full-control' }));
    assert.deepEqual([await objectOwner(preferred, 'mine'), await objectOwner(preferred, 'given')], [other.id, owner]);

    const writer = await bucketWith({});
    await t.s3.send(new PutBucketOwnershipControlsCommand({ Bucket: writer, OwnershipControls: { Rules: [{ ObjectOwnership: 'ObjectWriter' }] } }));
    await t.s3.send(new PutBucketPolicyCommand({ Bucket: writer, Policy: publicWrite(writer) }));
    await other.s3.send(new PutObjectCommand({ Bucket: writer, Key: 'given', Body: 'x', ACL: 'bucket-owner-full-control' }));
    assert.equal(await objectOwner(writer, 'given'), other.id);
    await other.s3.send(new DeleteObjectCommand({ Bucket: writer, Key: 'given' }));
  });

  it('BucketOwnerEnforced is refused while the bucket ACL grants others; bad configurations are MalformedXML', async () => {
    const b = bucketName('pubacl');
    await t.s3.send(new CreateBucketCommand({ Bucket: b, ACL: 'public-read' }));
    const enforce = { Bucket: b, OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' as const }] } };
    assert.deepEqual(await s3Error(t.s3.send(new PutBucketOwnershipControlsCommand(enforce))), ['InvalidBucketAclWithObjectOwnership', 400]);
    assert.deepEqual(await s3Error(t.s3.send(new PutBucketOwnershipControlsCommand({ Bucket: b, OwnershipControls: { Rules: [{ ObjectOwnership: 'Nobody' as 'ObjectWriter' }] } }))), ['MalformedXML', 400]);
    assert.deepEqual(await s3Error(t.s3.send(new GetBucketOwnershipControlsCommand({ Bucket: b }))), ['OwnershipControlsNotFoundError', 404]);
    await t.s3.send(new PutBucketAclCommand({ Bucket: b, ACL: 'private' }));
    await t.s3.send(new PutBucketOwnershipControlsCommand(enforce));
  });
});
