/**
 * STS through @aws-sdk/client-sts, and the credentials it issues through
 * every dialect's official client: @aws-sdk/client-s3 (sessionToken), ali-oss
 * (stsToken), esdk-obs-nodejs (security_token, both signature modes); until
 * they expire (the server's session clock is moved, nothing sleeps) or what
 * they act for goes away.
 */
import {
  CreateAccessKeyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  DeleteAccessKeyCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { CreateBucketCommand, GetObjectCommand, ListBucketsCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { AssumeRoleCommand, GetCallerIdentityCommand, GetSessionTokenCommand, type Credentials } from '@aws-sdk/client-sts';
import OSS from 'ali-oss';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Principal } from '../../src/authz/principal.js';
import { bucketName, type TestServer } from '../helpers/server.js';
import { obsClient, OBS_DOMAIN, OBS_MODES } from '../obs/helpers.js';
import { CosClient } from '../../src/sdk/cos/client.js';
import { failure, startIdentityServer, type IdentityServer, type Keys } from './helpers.js';
import { principalsSeen } from './helpers.js';

const POLICY = (action: string, resource = '*') => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: resource }] });
const TRUST = (aws: string) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: aws }, Action: 'sts:AssumeRole' }] });
const keysOf = (c: Credentials | undefined): Keys => ({ accessKeyId: c!.AccessKeyId!, secretAccessKey: c!.SecretAccessKey!, sessionToken: c!.SessionToken! });
const MINUTES_15 = 900_000;
const APPID = '1250000000';

describe('STS: session tokens and assumed roles in every dialect', { timeout: 180_000 }, () => {
  let t: IdentityServer;
  let dev: Keys;
  let devId: string;
  const bucket = bucketName('sts');

  async function newUser(name: string): Promise<Keys> {
    await t.iam().send(new CreateUserCommand({ UserName: name }));
    const k = (await t.iam().send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey!;
    return { accessKeyId: k.AccessKeyId!, secretAccessKey: k.SecretAccessKey! };
  }

  const principals = (fn: () => Promise<unknown>) => principalsSeen(t, fn);

  const oss = (k: Keys) =>
    new OSS({ accessKeyId: k.accessKeyId, accessKeySecret: k.secretAccessKey, ...(k.sessionToken ? { stsToken: k.sessionToken, refreshSTSToken: async () => ({ accessKeyId: k.accessKeyId, accessKeySecret: k.secretAccessKey, stsToken: k.sessionToken }), refreshSTSTokenInterval: 3_600_000 } : {}), endpoint: `http://127.0.0.1:${t.port}`, region: 'oss-cn-hangzhou', bucket, timeout: 30_000 });
  const obs = (k: Keys, mode: 'obs' | 'v2') =>
    obsClient(t as unknown as TestServer, mode, { access_key_id: k.accessKeyId, secret_access_key: k.secretAccessKey, ...(k.sessionToken ? { security_token: k.sessionToken } : {}) });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const ossFailure = (p: Promise<unknown>) => p.then(() => assert.fail('expected the OSS call to fail'), (e: any) => e);

  before(async () => {
    t = await startIdentityServer({ domains: ['localhost', OBS_DOMAIN], appid: APPID });
    await t.s3().send(new CreateBucketCommand({ Bucket: bucket }));
    await t.s3().send(new PutObjectCommand({ Bucket: bucket, Key: 'doc.txt', Body: 'hello' }));
    dev = await newUser('dev');
    // dev may read the bucket's objects (its own policy); the worker role may do anything in S3 (its role policy).
    await t.iam().send(new PutUserPolicyCommand({ UserName: 'dev', PolicyName: 'read', PolicyDocument: POLICY('s3:GetObject', `arn:aws:s3:::${bucket}/*`) }));
    devId = (await t.sts(dev).send(new GetCallerIdentityCommand({}))).UserId!;
    await t.iam().send(new CreateRoleCommand({ RoleName: 'worker', AssumeRolePolicyDocument: TRUST('arn:aws:iam::root:user/dev') }));
    await t.iam().send(new PutRolePolicyCommand({ RoleName: 'worker', PolicyName: 'all-s3', PolicyDocument: POLICY('s3:*') }));
  });
  after(async () => {
    await t.stop();
  });

  it('GetCallerIdentity names the account root, a user and an assumed role', async () => {
    assert.deepEqual(await t.sts().send(new GetCallerIdentityCommand({})).then(({ Arn, UserId, Account }) => ({ Arn, UserId, Account })), {
      Arn: 'arn:aws:iam::root:root',
      UserId: 'root',
      Account: 'root',
    });
    const me = await t.sts(dev).send(new GetCallerIdentityCommand({}));
    assert.equal(me.Arn, 'arn:aws:iam::root:user/dev');
    assert.match(me.UserId!, /^AIDA/);
    const role = await t.sts(dev).send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::root:role/worker', RoleSessionName: 'who' }));
    assert.equal(role.AssumedRoleUser?.Arn, 'arn:aws:sts::root:assumed-role/worker/who');
    const asRole = await t.sts(keysOf(role.Credentials)).send(new GetCallerIdentityCommand({}));
    assert.equal(asRole.Arn, 'arn:aws:sts::root:assumed-role/worker/who');
    assert.equal(asRole.UserId, role.AssumedRoleUser?.AssumedRoleId);
  });

  it('long-term user keys sign OSS, OBS and COS requests as the user', async () => {
    // A user's requests are decided by its own policies in every dialect: without one, refused.
    const nobody = await newUser('nobody');
    const refused = await ossFailure(oss(nobody).get('doc.txt'));
    assert.equal(refused.status, 403);
    assert.equal(refused.code, 'AccessDenied');
    const seen = await principals(async () => {
      assert.equal((await oss(dev).get('doc.txt')).content.toString(), 'hello');
      for (const mode of OBS_MODES) {
        const r = await (await obs(dev, mode)).getObject({ Bucket: bucket, Key: 'doc.txt' });
        assert.equal(r.CommonMsg.Status, 200, `${mode}: ${r.CommonMsg.Code}`);
      }
    });
    // COS v4: the user's key signs for its account's appid.
    const cos = new CosClient({ appid: APPID, secretId: dev.accessKeyId, secretKey: dev.secretAccessKey, endpoint: t.url });
    const seenCos = await principals(async () => assert.equal((await cos.statFile({ bucket, cosPath: '/doc.txt' })).code, 0));
    seen.push(...seenCos);
    assert.ok(seenCos.length >= 1);
    // The OBS SDK's unsigned signature-negotiation probe is anonymous; every signed request is the user.
    const signed = seen.filter((p) => p.kind !== 'anonymous');
    assert.ok(signed.length >= 4);
    for (const p of signed) assert.deepEqual(p, { kind: 'user', accountId: 'root', userId: devId, userName: 'dev' });
  });

  it('GetSessionToken credentials act as the user in S3 until they expire; wrong tokens are refused', async () => {
    const before = t.identity.now();
    const got = await t.sts(dev).send(new GetSessionTokenCommand({ DurationSeconds: 900 }));
    const session = keysOf(got.Credentials);
    assert.match(session.accessKeyId, /^ASIA/);
    assert.ok(Math.abs(got.Credentials!.Expiration!.getTime() - (before + MINUTES_15)) < 5000);
    const seen = await principals(() => t.s3(session).send(new GetObjectCommand({ Bucket: bucket, Key: 'doc.txt' })));
    assert.equal(seen.length, 1);
    const p = seen[0]!;
    assert.equal(p.kind, 'user');
    assert.equal(p.kind === 'user' && p.userName, 'dev');
    assert.equal(p.kind === 'user' && p.session?.accessKeyId, session.accessKeyId);

    const wrong = await failure(t.s3({ ...session, sessionToken: session.sessionToken + 'x' }).send(new ListBucketsCommand({})));
    assert.equal(wrong.Code, 'InvalidToken');
    assert.equal(wrong.$metadata.httpStatusCode, 400);
    const missing = await failure(t.s3({ accessKeyId: session.accessKeyId, secretAccessKey: session.secretAccessKey }).send(new ListBucketsCommand({})));
    assert.equal(missing.Code, 'InvalidToken');
    const extra = await failure(t.s3({ ...dev, sessionToken: session.sessionToken }).send(new ListBucketsCommand({})));
    assert.equal(extra.Code, 'InvalidToken', 'a long-term key with a token');
    assert.equal((await failure(t.sts(session).send(new GetSessionTokenCommand({})))).Code, 'AccessDenied', 'not from session credentials');
    assert.equal((await failure(t.sts(dev).send(new GetSessionTokenCommand({ DurationSeconds: 899 })))).Code, 'ValidationError');
    assert.equal((await failure(t.sts().send(new GetSessionTokenCommand({ DurationSeconds: 3601 })))).Code, 'ValidationError', 'a root session lasts at most an hour');

    t.advance(MINUTES_15 + 1000);
    try {
      const expired = await failure(t.s3(session).send(new GetObjectCommand({ Bucket: bucket, Key: 'doc.txt' })));
      assert.equal(expired.Code, 'ExpiredToken');
      assert.equal(expired.$metadata.httpStatusCode, 400);
      const stsExpired = await failure(t.sts(session).send(new GetCallerIdentityCommand({})));
      assert.equal(stsExpired.Code, 'ExpiredToken');
      // Issuing another session purges only sessions expired a day ago: this one still answers ExpiredToken.
      await t.sts(dev).send(new GetSessionTokenCommand({ DurationSeconds: 900 }));
      assert.equal((await failure(t.s3(session).send(new ListBucketsCommand({})))).Code, 'ExpiredToken');
    } finally {
      t.advance(-(MINUTES_15 + 1000));
    }
  });

  it('AssumeRole credentials work through @aws-sdk, ali-oss and esdk-obs-nodejs, and stop at expiry', async () => {
    const r = await t.sts(dev).send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::root:role/worker', RoleSessionName: 'job-1', DurationSeconds: 900 }));
    const role = keysOf(r.Credentials);
    const seen = await principals(async () => {
      const body = await (await t.s3(role).send(new GetObjectCommand({ Bucket: bucket, Key: 'doc.txt' }))).Body!.transformToString();
      assert.equal(body, 'hello');
      await oss(role).put('from-oss.txt', Buffer.from('oss'));
      assert.equal((await oss(role).get('from-oss.txt')).content.toString(), 'oss');
      for (const mode of OBS_MODES) {
        const got = await (await obs(role, mode)).getObject({ Bucket: bucket, Key: 'from-oss.txt' });
        assert.equal(got.CommonMsg.Status, 200, `${mode}: ${got.CommonMsg.Code} ${got.CommonMsg.Message}`);
        assert.equal(String(got.InterfaceResult.Content), 'oss');
      }
    });
    const signed = seen.filter((p) => p.kind !== 'anonymous');
    assert.ok(signed.length >= 5);
    for (const p of signed) {
      assert.equal(p.kind, 'role');
      assert.equal(p.kind === 'role' && p.roleName, 'worker');
      assert.equal(p.kind === 'role' && p.session.name, 'job-1');
    }

    const badOss = await ossFailure(oss({ ...role, sessionToken: 'not-the-token' }).get('doc.txt'));
    assert.equal(badOss.status, 403);
    assert.equal(badOss.code, 'InvalidSecurityToken');

    t.advance(MINUTES_15 + 1000);
    try {
      const s3 = await failure(t.s3(role).send(new GetObjectCommand({ Bucket: bucket, Key: 'doc.txt' })));
      assert.equal(s3.Code, 'ExpiredToken');
      const o = await ossFailure(oss(role).get('doc.txt'));
      assert.equal(o.status, 403);
      assert.equal(o.code, 'SecurityTokenExpired');
      for (const mode of OBS_MODES) {
        const got = await (await obs(role, mode)).getObject({ Bucket: bucket, Key: 'doc.txt' });
        assert.equal(got.CommonMsg.Status, 403, mode);
        assert.equal(got.CommonMsg.Code, 'InvalidSecurity', mode);
      }
    } finally {
      t.advance(-(MINUTES_15 + 1000));
    }
  });

  it('AssumeRole refuses callers the trust policy does not admit, and bad durations, names and policies', async () => {
    const eve = await newUser('eve');
    const worker = 'arn:aws:iam::root:role/worker';
    const notTrusted = await failure(t.sts(eve).send(new AssumeRoleCommand({ RoleArn: worker, RoleSessionName: 's1' })));
    assert.equal(notTrusted.Code, 'AccessDenied');
    assert.equal(notTrusted.$metadata.httpStatusCode, 403);
    assert.equal((await failure(t.sts(dev).send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::root:role/nope', RoleSessionName: 's1' })))).Code, 'AccessDenied');
    assert.equal((await failure(t.sts(dev).send(new AssumeRoleCommand({ RoleArn: worker, RoleSessionName: 's1', DurationSeconds: 7200 })))).Code, 'ValidationError', 'beyond MaxSessionDuration');
    assert.equal((await failure(t.sts(dev).send(new AssumeRoleCommand({ RoleArn: worker, RoleSessionName: 's1', DurationSeconds: 600 })))).Code, 'ValidationError');
    assert.equal((await failure(t.sts(dev).send(new AssumeRoleCommand({ RoleArn: worker, RoleSessionName: 'a b' })))).Code, 'ValidationError');
    assert.equal((await failure(t.sts(dev).send(new AssumeRoleCommand({ RoleArn: worker, RoleSessionName: 's1', Policy: '{"Version":"2012-10-17"' })))).Code, 'MalformedPolicyDocument');

    // A trust policy naming the account delegates to it: its root may assume the role; a user needs sts:AssumeRole itself.
    await t.iam().send(new CreateRoleCommand({ RoleName: 'account-wide', AssumeRolePolicyDocument: TRUST('arn:aws:iam::root:root') }));
    const accountWide = 'arn:aws:iam::root:role/account-wide';
    await t.sts().send(new AssumeRoleCommand({ RoleArn: accountWide, RoleSessionName: 'by-root' }));
    assert.equal((await failure(t.sts(eve).send(new AssumeRoleCommand({ RoleArn: accountWide, RoleSessionName: 'by-eve' })))).Code, 'AccessDenied');
    await t.iam().send(new PutUserPolicyCommand({ UserName: 'eve', PolicyName: 'assume', PolicyDocument: POLICY('sts:AssumeRole', accountWide) }));
    await t.sts(eve).send(new AssumeRoleCommand({ RoleArn: accountWide, RoleSessionName: 'by-eve' }));

    // A trust policy's sts:ExternalId condition: the caller must give the agreed id.
    const withExternalId = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::root:user/dev' }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:ExternalId': 'agreed-42' } } }] });
    await t.iam().send(new CreateRoleCommand({ RoleName: 'external', AssumeRolePolicyDocument: withExternalId }));
    const external = 'arn:aws:iam::root:role/external';
    assert.equal((await failure(t.sts(dev).send(new AssumeRoleCommand({ RoleArn: external, RoleSessionName: 'x1' })))).Code, 'AccessDenied', 'no ExternalId');
    assert.equal((await failure(t.sts(dev).send(new AssumeRoleCommand({ RoleArn: external, RoleSessionName: 'x1', ExternalId: 'wrong' })))).Code, 'AccessDenied');
    await t.sts(dev).send(new AssumeRoleCommand({ RoleArn: external, RoleSessionName: 'x1', ExternalId: 'agreed-42' }));
  });

  it('an inline session policy travels in the principal', async () => {
    const policy = POLICY('s3:GetObject', `arn:aws:s3:::${bucket}/*`);
    const r = await t.sts(dev).send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::root:role/worker', RoleSessionName: 'narrow', Policy: policy }));
    assert.ok(r.PackedPolicySize! > 0);
    const seen = await principals(() => t.s3(keysOf(r.Credentials)).send(new GetObjectCommand({ Bucket: bucket, Key: 'doc.txt' })));
    assert.equal(seen[0]?.kind === 'role' && seen[0].session.policy, policy);
  });

  it('sessions end with the role, the user or the key they came from', async () => {
    await t.iam().send(new CreateRoleCommand({ RoleName: 'short-lived', AssumeRolePolicyDocument: TRUST('arn:aws:iam::root:user/dev') }));
    const listing = POLICY('s3:ListAllMyBuckets');
    await t.iam().send(new PutRolePolicyCommand({ RoleName: 'short-lived', PolicyName: 'list', PolicyDocument: listing }));
    const role = keysOf((await t.sts(dev).send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::root:role/short-lived', RoleSessionName: 'rr' }))).Credentials);
    await t.s3(role).send(new ListBucketsCommand({}));
    await t.iam().send(new DeleteRolePolicyCommand({ RoleName: 'short-lived', PolicyName: 'list' }));
    assert.equal((await failure(t.s3(role).send(new ListBucketsCommand({})))).Code, 'AccessDenied', 'the session has what its role has, now nothing');
    await t.iam().send(new DeleteRoleCommand({ RoleName: 'short-lived' }));
    assert.equal((await failure(t.s3(role).send(new ListBucketsCommand({})))).Code, 'InvalidToken');
    // A role of the same name made again, with the same policy, does not revive the old sessions.
    await t.iam().send(new CreateRoleCommand({ RoleName: 'short-lived', AssumeRolePolicyDocument: TRUST('arn:aws:iam::root:user/dev') }));
    await t.iam().send(new PutRolePolicyCommand({ RoleName: 'short-lived', PolicyName: 'list', PolicyDocument: listing }));
    assert.equal((await failure(t.s3(role).send(new ListBucketsCommand({})))).Code, 'InvalidToken');

    const temp = await newUser('temp');
    await t.iam().send(new PutUserPolicyCommand({ UserName: 'temp', PolicyName: 'list', PolicyDocument: listing }));
    const session = keysOf((await t.sts(temp).send(new GetSessionTokenCommand({}))).Credentials);
    await t.s3(session).send(new ListBucketsCommand({}));
    await t.iam().send(new UpdateAccessKeyCommand({ UserName: 'temp', AccessKeyId: temp.accessKeyId, Status: 'Inactive' }));
    assert.equal((await failure(t.s3(session).send(new ListBucketsCommand({})))).Code, 'InvalidToken', 'its key was disabled');
    await t.iam().send(new UpdateAccessKeyCommand({ UserName: 'temp', AccessKeyId: temp.accessKeyId, Status: 'Active' }));
    await t.s3(session).send(new ListBucketsCommand({}));
    await t.iam().send(new DeleteAccessKeyCommand({ UserName: 'temp', AccessKeyId: temp.accessKeyId }));
    assert.equal((await failure(t.s3(session).send(new ListBucketsCommand({})))).Code, 'InvalidToken', 'its key was deleted');
    await t.iam().send(new DeleteRolePolicyCommand({ RoleName: 'worker', PolicyName: 'all-s3' })).catch(() => undefined);
  });
});
