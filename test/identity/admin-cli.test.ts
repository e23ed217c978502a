/** `stratus admin` as a subprocess against a running server: accounts, users, keys, roles and policies, with --json and exit codes. */
import { ListBucketsCommand } from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cliEnv, stratus, stratusJson, type CliEnv } from '../cli/helpers.js';
import { failure, startIdentityServer, type IdentityServer } from './helpers.js';

describe('stratus admin', { timeout: 300_000 }, () => {
  let t: IdentityServer;
  let e: CliEnv;
  let dir: string;
  before(async () => {
    t = await startIdentityServer();
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'stratus-admin-'));
    e = await cliEnv(dir, { local: { dialect: 's3', endpoint: t.url } });
  });
  /** No config file: everything from the environment. */
  async function bareEnv(): Promise<CliEnv> {
    const sub = await fs.mkdtemp(path.join(dir, 'bare-'));
    const env = await cliEnv(sub, {});
    await fs.rm(env.configFile);
    return env;
  }
  after(async () => {
    await t.stop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('adds an account with the keys and email the operator chose; its keys work and it owns what it creates', async () => {
    const { r, json } = await stratusJson(e, ['admin', 'account', 'add', 'alt', '--access-key', 'ALTACCESSKEY0000001', '--secret-key', 'alt-secret-key-0000001', '--email', 'Alt@Example.com', '--display-name', 'Alt User']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(json.account.id, /^[0-9a-f]{64}$/);
    assert.deepEqual({ ...json.account, id: undefined, appid: undefined }, { name: 'alt', id: undefined, displayName: 'Alt User', email: 'alt@example.com', appid: undefined });
    assert.match(json.account.appid, /^\d{10}$/);
    assert.deepEqual(json.accessKey, { accessKeyId: 'ALTACCESSKEY0000001', secretAccessKey: 'alt-secret-key-0000001' });
    const owner = (await t.s3({ accessKeyId: 'ALTACCESSKEY0000001', secretAccessKey: 'alt-secret-key-0000001' }).send(new ListBucketsCommand({}))).Owner;
    assert.equal(owner?.ID, json.account.id);
    assert.deepEqual(await t.authorizer.directory.accountByEmail('ALT@example.com'), { id: json.account.id, displayName: 'Alt User', email: 'alt@example.com' });

    // Generated keys are printed.
    const plain = await stratus(e, ['admin', 'account', 'add', 'gen']);
    assert.equal(plain.code, 0, plain.stderr);
    assert.match(plain.stdout, /^account: gen \(canonical id [0-9a-f]{64}, appid \d+\)\naccess key: AKIA[A-Z2-7]{16}\nsecret key: \S{40}\n$/);

    const dup = await stratusJson(e, ['admin', 'account', 'add', 'alt']);
    assert.equal(dup.r.code, 1);
    assert.equal(dup.json.error.code, 'EntityAlreadyExists');
    const sameEmail = await stratus(e, ['admin', 'account', 'add', 'alt2', '--email', 'alt@example.com']);
    assert.equal(sameEmail.code, 1);
    assert.match(sameEmail.stderr, /EntityAlreadyExists/);
    assert.equal((await stratus(e, ['admin', 'account', 'add', 'x', '--access-key', 'ONLYONE'])).code, 2, 'usage: both keys or neither');

    // Only the first-start account's root creates accounts.
    const asAlt = await stratusJson(await bareEnv(), ['admin', 'account', 'add', 'nested'], { env: { STRATUS_ENDPOINT: t.url, STRATUS_ACCESS_KEY: 'ALTACCESSKEY0000001', STRATUS_SECRET_KEY: 'alt-secret-key-0000001' } });
    assert.equal(asAlt.r.code, 1);
    assert.equal(asAlt.json.error.code, 'AccessDenied');
  });

  it('manages users, their keys and policies, and roles', async () => {
    assert.equal((await stratus(e, ['admin', 'user', 'add', 'dana', '--path', '/ops/'])).code, 0);
    const users = await stratusJson(e, ['admin', 'user', 'ls']);
    assert.deepEqual(users.json.users.map((u: { name: string; arn: string }) => [u.name, u.arn]), [['dana', 'arn:aws:iam::root:user/ops/dana']]);

    const key = (await stratusJson(e, ['admin', 'key', 'add', '--user', 'dana'])).json.accessKey;
    assert.match(key.accessKeyId, /^AKIA/);
    assert.equal(key.secretAccessKey.length, 40);
    const dana = { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey };
    // The key signs as dana, who may do nothing until a policy allows it.
    assert.equal((await failure(t.s3(dana).send(new ListBucketsCommand({})))).Code, 'AccessDenied');
    assert.equal((await stratus(e, ['admin', 'key', 'disable', key.accessKeyId, '--user', 'dana'])).code, 0);
    assert.deepEqual((await stratusJson(e, ['admin', 'key', 'ls', '--user', 'dana'])).json.keys.map((k: { status: string }) => k.status), ['Inactive']);
    assert.equal((await failure(t.s3(dana).send(new ListBucketsCommand({})))).Code, 'InvalidAccessKeyId');
    assert.equal((await stratus(e, ['admin', 'key', 'enable', key.accessKeyId, '--user', 'dana'])).code, 0);
    assert.equal((await failure(t.s3(dana).send(new ListBucketsCommand({})))).Code, 'AccessDenied', 'authenticated again, still without a policy');

    const doc = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' },
        { Effect: 'Allow', Action: 's3:ListAllMyBuckets', Resource: '*' },
      ],
    };
    await fs.writeFile(path.join(dir, 'policy.json'), JSON.stringify(doc));
    assert.equal((await stratus(e, ['admin', 'policy', 'set', '--user', 'dana', 'read', 'policy.json'])).code, 0);
    await t.s3(dana).send(new ListBucketsCommand({}));
    assert.deepEqual((await stratusJson(e, ['admin', 'policy', 'get', '--user', 'dana', 'read'])).json.document, doc);
    assert.deepEqual(JSON.parse((await stratus(e, ['admin', 'policy', 'get', '--user', 'dana', 'read'])).stdout), doc);
    assert.deepEqual((await stratusJson(e, ['admin', 'policy', 'ls', '--user', 'dana'])).json.policies, ['read']);
    const bad = await stratusJson(e, ['admin', 'policy', 'set', '--user', 'dana', 'bad', '-'], { input: '{"Statement": []}' });
    assert.equal(bad.r.code, 1);
    assert.equal(bad.json.error.code, 'MalformedPolicyDocument');
    assert.equal((await stratus(e, ['admin', 'policy', 'get', 'read'])).code, 2, 'usage: --user or --role');

    // A user with keys or policies cannot go; then it can.
    const conflict = await stratusJson(e, ['admin', 'user', 'rm', 'dana']);
    assert.equal(conflict.json.error.code, 'DeleteConflict');
    assert.equal((await stratus(e, ['admin', 'policy', 'rm', '--user', 'dana', 'read'])).code, 0);
    assert.equal((await stratus(e, ['admin', 'key', 'rm', key.accessKeyId, '--user', 'dana'])).code, 0);
    assert.equal((await stratus(e, ['admin', 'user', 'rm', 'dana'])).code, 0);
    const missing = await stratusJson(e, ['admin', 'key', 'ls', '--user', 'dana']);
    assert.equal(missing.r.code, 3, 'NoSuchEntity is "not found"');
    assert.equal(missing.json.error.code, 'NoSuchEntity');

    const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::root:root' }, Action: 'sts:AssumeRole' }] });
    const role = await stratusJson(e, ['admin', 'role', 'add', 'ci', '--trust', trust, '--max-session-duration', '7200']);
    assert.equal(role.json.role.arn, 'arn:aws:iam::root:role/ci');
    assert.equal(role.json.role.maxSessionDuration, 7200);
    assert.equal((await stratus(e, ['admin', 'policy', 'set', '--role', 'ci', 'p', JSON.stringify(doc)])).code, 0);
    assert.deepEqual((await stratusJson(e, ['admin', 'role', 'ls'])).json.roles.map((r: { name: string }) => r.name), ['ci']);
    assert.equal((await stratus(e, ['admin', 'policy', 'rm', '--role', 'ci', 'p'])).code, 0);
    assert.equal((await stratus(e, ['admin', 'role', 'rm', 'ci'])).code, 0);
  });

  it('takes the endpoint and keys from the environment, and says when the server is unreachable or keys are missing', async () => {
    const bare = await bareEnv();
    const viaEnv = await stratusJson(bare, ['admin', 'user', 'ls'], { env: { STRATUS_ENDPOINT: t.url, STRATUS_ACCESS_KEY: t.keys.accessKey, STRATUS_SECRET_KEY: t.keys.secretKey } });
    assert.equal(viaEnv.r.code, 0, viaEnv.r.stderr);
    const noKeys = await stratus(bare, ['admin', 'user', 'ls'], { env: { STRATUS_ENDPOINT: t.url } });
    assert.equal(noKeys.code, 2);
    assert.match(noKeys.stderr, /STRATUS_ACCESS_KEY/);
    const down = await stratus(bare, ['admin', 'user', 'ls'], { env: { STRATUS_ENDPOINT: 'http://127.0.0.1:1', STRATUS_ACCESS_KEY: 'a', STRATUS_SECRET_KEY: 'b' } });
    assert.equal(down.code, 1);
    assert.match(down.stderr, /cannot reach http:\/\/127\.0\.0\.1:1/);
    const wrong = await stratusJson(bare, ['admin', 'user', 'ls'], { env: { STRATUS_ENDPOINT: t.url, STRATUS_ACCESS_KEY: t.keys.accessKey, STRATUS_SECRET_KEY: 'wrong' } });
    assert.equal(wrong.json.error.code, 'SignatureDoesNotMatch');
  });
});
