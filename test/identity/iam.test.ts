/** The IAM query API through @aws-sdk/client-iam: users, access keys, inline policies, roles, and who may call it. */
import {
  CreateAccessKeyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  DeleteAccessKeyCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DeleteUserCommand,
  DeleteUserPolicyCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  ListAccessKeysCommand,
  ListAttachedRolePoliciesCommand,
  ListAttachedUserPoliciesCommand,
  ListGroupsCommand,
  ListOpenIDConnectProvidersCommand,
  ListRolePoliciesCommand,
  ListRolesCommand,
  ListUserPoliciesCommand,
  ListUsersCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { CreateBucketCommand, ListBucketsCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Principal } from '../../src/authz/principal.js';
import { bucketName } from '../helpers/server.js';
import { failure, startIdentityServer, type IdentityServer, type Keys } from './helpers.js';
import { principalsSeen } from './helpers.js';

const POLICY = (action: string, resource = '*') => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: resource }] });
const TRUST = (principal: unknown) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRole' }] });

describe('IAM: users, keys, policies and roles', { timeout: 120_000 }, () => {
  let t: IdentityServer;
  before(async () => {
    t = await startIdentityServer();
  });
  after(async () => {
    await t.stop();
  });

  const principals = (fn: () => Promise<unknown>) => principalsSeen(t, fn);

  it('creates a user and a key that signs S3 requests as that user, until disabled or deleted', async () => {
    const iam = t.iam();
    const created = await iam.send(new CreateUserCommand({ UserName: 'alice', Path: '/team/' }));
    assert.equal(created.User?.UserName, 'alice');
    assert.match(created.User!.UserId!, /^AIDA[A-Z2-7]{17}$/);
    assert.equal(created.User?.Arn, 'arn:aws:iam::root:user/team/alice');
    assert.equal(created.User?.Path, '/team/');
    assert.ok(created.User?.CreateDate instanceof Date);
    assert.deepEqual((await iam.send(new GetUserCommand({ UserName: 'alice' }))).User?.UserId, created.User?.UserId);
    assert.ok((await iam.send(new ListUsersCommand({}))).Users?.some((u) => u.UserName === 'alice'));
    assert.deepEqual((await iam.send(new ListUsersCommand({ PathPrefix: '/other/' }))).Users ?? [], []);

    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'alice' }))).AccessKey!;
    assert.match(key.AccessKeyId!, /^AKIA[A-Z2-7]{16}$/);
    assert.equal(key.SecretAccessKey!.length, 40);
    assert.equal(key.Status, 'Active');
    const listed = await iam.send(new ListAccessKeysCommand({ UserName: 'alice' }));
    assert.deepEqual(listed.AccessKeyMetadata?.map((k) => [k.AccessKeyId, k.Status, k.UserName]), [[key.AccessKeyId, 'Active', 'alice']]);
    assert.equal(JSON.stringify(listed).includes(key.SecretAccessKey!), false, 'secrets are shown once, at creation');

    const alice: Keys = { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! };
    // The key signs as alice; with no identity policy yet, alice may do nothing (S3's implicit deny).
    const seen = await principals(async () => {
      const e = await failure(t.s3(alice).send(new ListBucketsCommand({})));
      assert.equal(e.Code, 'AccessDenied');
      assert.equal(e.$metadata.httpStatusCode, 403);
    });
    assert.deepEqual(seen, [{ kind: 'user', accountId: 'root', userId: created.User!.UserId, userName: 'alice' }]);
    await iam.send(new PutUserPolicyCommand({ UserName: 'alice', PolicyName: 's3', PolicyDocument: POLICY('s3:*') }));
    await t.s3(alice).send(new ListBucketsCommand({}));
    // A bucket a user creates belongs to the user's account.
    const b = bucketName('alice');
    await t.s3(alice).send(new CreateBucketCommand({ Bucket: b }));
    assert.equal((await t.engine.lookupBucket(b)).ownerId, 'root');

    await iam.send(new UpdateAccessKeyCommand({ UserName: 'alice', AccessKeyId: alice.accessKeyId, Status: 'Inactive' }));
    const inactive = await failure(t.s3(alice).send(new ListBucketsCommand({})));
    assert.equal(inactive.Code, 'InvalidAccessKeyId');
    assert.equal(inactive.$metadata.httpStatusCode, 403);
    assert.equal((await iam.send(new ListAccessKeysCommand({ UserName: 'alice' }))).AccessKeyMetadata?.[0]?.Status, 'Inactive');
    await iam.send(new UpdateAccessKeyCommand({ UserName: 'alice', AccessKeyId: alice.accessKeyId, Status: 'Active' }));
    await t.s3(alice).send(new PutObjectCommand({ Bucket: b, Key: 'k', Body: 'v' }));

    const conflict = await failure(iam.send(new DeleteUserCommand({ UserName: 'alice' })));
    assert.equal(conflict.Code, 'DeleteConflict');
    assert.equal(conflict.$metadata.httpStatusCode, 409);
    await iam.send(new DeleteAccessKeyCommand({ UserName: 'alice', AccessKeyId: alice.accessKeyId }));
    assert.equal((await failure(t.s3(alice).send(new ListBucketsCommand({})))).Code, 'InvalidAccessKeyId');
    assert.equal((await failure(iam.send(new DeleteUserCommand({ UserName: 'alice' })))).Code, 'DeleteConflict', 'its policy remains');
    await iam.send(new DeleteUserPolicyCommand({ UserName: 'alice', PolicyName: 's3' }));
    await iam.send(new DeleteUserCommand({ UserName: 'alice' }));
    const gone = await failure(iam.send(new GetUserCommand({ UserName: 'alice' })));
    assert.equal(gone.Code, 'NoSuchEntity');
    assert.equal(gone.$metadata.httpStatusCode, 404);
  });

  it("keeps a user's inline policies, refuses malformed ones, and hands them to the authorizer's directory", async () => {
    const iam = t.iam();
    const u = await iam.send(new CreateUserCommand({ UserName: 'bob' }));
    const doc = POLICY('s3:GetObject', 'arn:aws:s3:::photos/*');
    await iam.send(new PutUserPolicyCommand({ UserName: 'bob', PolicyName: 'read-photos', PolicyDocument: doc }));
    const got = await iam.send(new GetUserPolicyCommand({ UserName: 'bob', PolicyName: 'read-photos' }));
    assert.equal(got.UserName, 'bob');
    assert.deepEqual(JSON.parse(decodeURIComponent(got.PolicyDocument!)), JSON.parse(doc), 'IAM returns the document URL-encoded');
    assert.deepEqual((await iam.send(new ListUserPoliciesCommand({ UserName: 'bob' }))).PolicyNames, ['read-photos']);
    const bob: Principal = { kind: 'user', accountId: 'root', userId: u.User!.UserId!, userName: 'bob' };
    assert.deepEqual(await t.authorizer.directory.policiesOf(bob), [doc]);

    for (const [bad, why] of [
      ['{not json', 'syntax'],
      [JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:*', Resource: '*' }] }), 'a principal'],
      [JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': 'not-an-ip' } } }] }), 'bad condition value'],
      [JSON.stringify({ Version: '2012-10-17' }), 'no Statement'],
      [JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Maybe', Action: 's3:*', Resource: '*' }] }), 'bad Effect'],
      [JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*' }] }), 'no Resource'],
    ]) {
      const e = await failure(iam.send(new PutUserPolicyCommand({ UserName: 'bob', PolicyName: 'bad', PolicyDocument: bad })));
      assert.equal(e.Code, 'MalformedPolicyDocument', why);
      assert.equal(e.$metadata.httpStatusCode, 400, why);
    }
    assert.deepEqual((await iam.send(new ListUserPoliciesCommand({ UserName: 'bob' }))).PolicyNames, ['read-photos'], 'nothing changed');
    // The message is the policy parser's, the one the authorizer evaluates with.
    const effect = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Maybe', Action: 's3:*', Resource: '*' }] });
    assert.match((await failure(iam.send(new PutUserPolicyCommand({ UserName: 'bob', PolicyName: 'bad', PolicyDocument: effect })))).message, /^Invalid effect: Maybe$/);

    const noUser = await failure(iam.send(new PutUserPolicyCommand({ UserName: 'nobody', PolicyName: 'p', PolicyDocument: doc })));
    assert.equal(noUser.Code, 'NoSuchEntity');
    assert.equal((await failure(iam.send(new GetUserPolicyCommand({ UserName: 'bob', PolicyName: 'missing' })))).Code, 'NoSuchEntity');
    assert.equal((await failure(iam.send(new DeleteUserCommand({ UserName: 'bob' })))).Code, 'DeleteConflict', 'policies remain');
    // No groups, managed policies or OIDC providers exist: their listings are empty (clean-up code lists them).
    assert.deepEqual((await iam.send(new ListAttachedUserPoliciesCommand({ UserName: 'bob' }))).AttachedPolicies ?? [], []);
    assert.equal((await failure(iam.send(new ListAttachedUserPoliciesCommand({ UserName: 'nobody' })))).Code, 'NoSuchEntity');
    assert.equal((await failure(iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'nobody' })))).Code, 'NoSuchEntity');
    assert.deepEqual((await iam.send(new ListGroupsCommand({}))).Groups ?? [], []);
    assert.deepEqual((await iam.send(new ListOpenIDConnectProvidersCommand({}))).OpenIDConnectProviderList ?? [], []);
    await iam.send(new DeleteUserPolicyCommand({ UserName: 'bob', PolicyName: 'read-photos' }));
    assert.deepEqual(await t.authorizer.directory.policiesOf(bob), [], 'the directory sees the removal at once');
    await iam.send(new DeleteUserCommand({ UserName: 'bob' }));
  });

  it('answers bad input with IAM errors: duplicates, invalid names, unknown keys and actions', async () => {
    const iam = t.iam();
    await iam.send(new CreateUserCommand({ UserName: 'carol' }));
    const dup = await failure(iam.send(new CreateUserCommand({ UserName: 'CAROL' })));
    assert.equal(dup.Code, 'EntityAlreadyExists', 'names are unique regardless of case');
    assert.equal(dup.$metadata.httpStatusCode, 409);
    const badName = await failure(iam.send(new CreateUserCommand({ UserName: 'no spaces' })));
    assert.equal(badName.Code, 'ValidationError');
    assert.equal(badName.$metadata.httpStatusCode, 400);
    assert.equal((await failure(iam.send(new CreateUserCommand({ UserName: 'x', Path: 'nopath' })))).Code, 'ValidationError');
    const badStatus = await failure(iam.send(new UpdateAccessKeyCommand({ UserName: 'carol', AccessKeyId: 'AKIAX', Status: 'Paused' as 'Active' })));
    assert.equal(badStatus.Code, 'ValidationError');
    assert.equal((await failure(iam.send(new DeleteAccessKeyCommand({ UserName: 'carol', AccessKeyId: 'AKIANOSUCHKEY' })))).Code, 'NoSuchEntity');
    // Two keys per user, as AWS.
    await iam.send(new CreateAccessKeyCommand({ UserName: 'carol' }));
    await iam.send(new CreateAccessKeyCommand({ UserName: 'carol' }));
    const third = await failure(iam.send(new CreateAccessKeyCommand({ UserName: 'carol' })));
    assert.equal(third.Code, 'LimitExceeded');
    // A user's key is not another user's (nor the root's) to manage.
    const carolKey = (await iam.send(new ListAccessKeysCommand({ UserName: 'carol' }))).AccessKeyMetadata![0]!.AccessKeyId!;
    assert.equal((await failure(iam.send(new DeleteAccessKeyCommand({ AccessKeyId: carolKey })))).Code, 'NoSuchEntity');

    const unknownKey = await failure(t.iam({ accessKeyId: 'AKIAUNKNOWNUNKNOWN01', secretAccessKey: 'x'.repeat(40) }).send(new ListUsersCommand({})));
    assert.equal(unknownKey.Code, 'InvalidClientTokenId');
    assert.equal(unknownKey.$metadata.httpStatusCode, 403);
    const wrongSecret = await failure(t.iam({ accessKeyId: t.keys.accessKey, secretAccessKey: 'wrong' }).send(new ListUsersCommand({})));
    assert.equal(wrongSecret.Code, 'SignatureDoesNotMatch');
  });

  it('lets only the account root, or a user allowed iam:*, use IAM', async () => {
    const iam = t.iam();
    await iam.send(new CreateUserCommand({ UserName: 'admin' }));
    await iam.send(new CreateUserCommand({ UserName: 'plain' }));
    const keyOf = async (name: string): Promise<Keys> => {
      const k = (await iam.send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey!;
      return { accessKeyId: k.AccessKeyId!, secretAccessKey: k.SecretAccessKey! };
    };
    const admin = await keyOf('admin');
    const plain = await keyOf('plain');
    await iam.send(new PutUserPolicyCommand({ UserName: 'admin', PolicyName: 'iam-admin', PolicyDocument: POLICY('iam:*') }));
    await iam.send(new PutUserPolicyCommand({ UserName: 'plain', PolicyName: 's3-only', PolicyDocument: POLICY('s3:*') }));

    const denied = await failure(t.iam(plain).send(new CreateUserCommand({ UserName: 'sneaky' })));
    assert.equal(denied.Code, 'AccessDenied');
    assert.equal(denied.$metadata.httpStatusCode, 403);
    assert.match(denied.message, /arn:aws:iam::root:user\/plain is not authorized to perform: iam:CreateUser/);
    assert.equal((await failure(iam.send(new GetUserCommand({ UserName: 'sneaky' })))).Code, 'NoSuchEntity', 'nothing was created');

    await t.iam(admin).send(new CreateUserCommand({ UserName: 'made-by-admin' }));
    assert.equal((await iam.send(new GetUserCommand({ UserName: 'made-by-admin' }))).User?.UserName, 'made-by-admin');
    // Without UserName, key actions are about the caller itself.
    const own = await t.iam(plain).send(new ListAccessKeysCommand({})).catch((e) => e);
    assert.equal(own.Code, 'AccessDenied', 'listing even its own keys needs iam:ListAccessKeys');
    const mine = await t.iam(admin).send(new ListAccessKeysCommand({}));
    assert.deepEqual(mine.AccessKeyMetadata?.map((k) => k.AccessKeyId), [admin.accessKeyId]);
    // A Deny beats the Allow.
    await iam.send(new PutUserPolicyCommand({
      UserName: 'admin',
      PolicyName: 'no-deletes',
      PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'iam:Delete*', Resource: '*' }] }),
    }));
    assert.equal((await failure(t.iam(admin).send(new DeleteUserCommand({ UserName: 'made-by-admin' })))).Code, 'AccessDenied');
  });

  it('honours the conditions of identity and trust policies: s3:prefix in S3, aws:SourceIp in IAM and AssumeRole', async () => {
    const iam = t.iam();
    await iam.send(new CreateUserCommand({ UserName: 'cond' }));
    const k = (await iam.send(new CreateAccessKeyCommand({ UserName: 'cond' }))).AccessKey!;
    const cond: Keys = { accessKeyId: k.AccessKeyId!, secretAccessKey: k.SecretAccessKey! };
    const b = bucketName('cond');
    await t.s3().send(new CreateBucketCommand({ Bucket: b }));
    const statement = (extra: object) => JSON.stringify({ Version: '2012-10-17', Statement: [extra] });
    await iam.send(new PutUserPolicyCommand({
      UserName: 'cond',
      PolicyName: 'list-public',
      PolicyDocument: statement({ Effect: 'Allow', Action: 's3:ListBucket', Resource: `arn:aws:s3:::${b}`, Condition: { StringLike: { 's3:prefix': 'public/*' } } }),
    }));
    await t.s3(cond).send(new ListObjectsV2Command({ Bucket: b, Prefix: 'public/' }));
    assert.equal((await failure(t.s3(cond).send(new ListObjectsV2Command({ Bucket: b, Prefix: 'private/' })))).Code, 'AccessDenied');
    assert.equal((await failure(t.s3(cond).send(new ListObjectsV2Command({ Bucket: b })))).Code, 'AccessDenied', 'no prefix: the condition has no value');

    // IAM: allowed from loopback, and a Deny from anywhere but 10/8 (the test calls from 127.0.0.1) beats it.
    await iam.send(new PutUserPolicyCommand({
      UserName: 'cond',
      PolicyName: 'iam-from-loopback',
      PolicyDocument: statement({ Effect: 'Allow', Action: 'iam:ListUsers', Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': '127.0.0.0/8' } } }),
    }));
    assert.ok((await t.iam(cond).send(new ListUsersCommand({}))).Users?.some((u) => u.UserName === 'cond'));
    await iam.send(new PutUserPolicyCommand({
      UserName: 'cond',
      PolicyName: 'only-from-10',
      PolicyDocument: statement({ Effect: 'Deny', Action: '*', Resource: '*', Condition: { NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } }),
    }));
    assert.equal((await failure(t.iam(cond).send(new ListUsersCommand({})))).Code, 'AccessDenied');
    assert.equal((await failure(t.s3(cond).send(new ListObjectsV2Command({ Bucket: b, Prefix: 'public/' })))).Code, 'AccessDenied', 'the same Deny in S3');
    await iam.send(new DeleteUserPolicyCommand({ UserName: 'cond', PolicyName: 'only-from-10' }));

    // A trust policy's condition: only from 10/8, so not from here; from loopback, yes.
    const trustFrom = (cidr: string) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::root:user/cond' }, Action: 'sts:AssumeRole', Condition: { IpAddress: { 'aws:SourceIp': cidr } } }] });
    await iam.send(new CreateRoleCommand({ RoleName: 'from-10', AssumeRolePolicyDocument: trustFrom('10.0.0.0/8') }));
    await iam.send(new CreateRoleCommand({ RoleName: 'from-loopback', AssumeRolePolicyDocument: trustFrom('127.0.0.0/8') }));
    assert.equal((await failure(t.sts(cond).send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::root:role/from-10', RoleSessionName: 'ss' })))).Code, 'AccessDenied');
    await t.sts(cond).send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::root:role/from-loopback', RoleSessionName: 'ss' }));
    const badTrust = await failure(iam.send(new CreateRoleCommand({ RoleName: 'bad-trust', AssumeRolePolicyDocument: trustFrom('nope') })));
    assert.equal(badTrust.Code, 'MalformedPolicyDocument');
    assert.equal(badTrust.$metadata.httpStatusCode, 400);
    const withResource = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::root:root' }, Action: 'sts:AssumeRole', Resource: '*' }] });
    assert.equal((await failure(iam.send(new CreateRoleCommand({ RoleName: 'bad-trust', AssumeRolePolicyDocument: withResource })))).Code, 'MalformedPolicyDocument');
  });

  it('keeps roles with their trust policy, duration limit and inline policies', async () => {
    const iam = t.iam();
    const trust = TRUST({ AWS: 'arn:aws:iam::root:root' });
    const r = await iam.send(new CreateRoleCommand({ RoleName: 'reader', AssumeRolePolicyDocument: trust, MaxSessionDuration: 7200, Description: 'reads' }));
    assert.match(r.Role!.RoleId!, /^AROA/);
    assert.equal(r.Role?.Arn, 'arn:aws:iam::root:role/reader');
    assert.equal(r.Role?.MaxSessionDuration, 7200);
    assert.deepEqual(JSON.parse(decodeURIComponent(r.Role!.AssumeRolePolicyDocument!)), JSON.parse(trust));
    assert.equal((await iam.send(new GetRoleCommand({ RoleName: 'reader' }))).Role?.Description, 'reads');
    assert.ok((await iam.send(new ListRolesCommand({}))).Roles?.some((x) => x.RoleName === 'reader'));
    assert.equal((await failure(iam.send(new CreateRoleCommand({ RoleName: 'reader', AssumeRolePolicyDocument: trust })))).Code, 'EntityAlreadyExists');
    const noPrincipal = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole' }] });
    assert.equal((await failure(iam.send(new CreateRoleCommand({ RoleName: 'x', AssumeRolePolicyDocument: noPrincipal })))).Code, 'MalformedPolicyDocument');
    assert.equal((await failure(iam.send(new CreateRoleCommand({ RoleName: 'x', AssumeRolePolicyDocument: trust, MaxSessionDuration: 60 })))).Code, 'ValidationError');

    await iam.send(new PutRolePolicyCommand({ RoleName: 'reader', PolicyName: 'get', PolicyDocument: POLICY('s3:GetObject') }));
    assert.deepEqual((await iam.send(new ListRolePoliciesCommand({ RoleName: 'reader' }))).PolicyNames, ['get']);
    assert.equal((await iam.send(new GetRolePolicyCommand({ RoleName: 'reader', PolicyName: 'get' }))).RoleName, 'reader');
    assert.equal((await failure(iam.send(new DeleteRoleCommand({ RoleName: 'reader' })))).Code, 'DeleteConflict');
    await iam.send(new DeleteRolePolicyCommand({ RoleName: 'reader', PolicyName: 'get' }));
    await iam.send(new DeleteRoleCommand({ RoleName: 'reader' }));
    assert.equal((await failure(iam.send(new GetRoleCommand({ RoleName: 'reader' })))).Code, 'NoSuchEntity');
  });
});
