/**
 * The authorizer's decision, with a real engine over a temporary SQLite
 * store and a Directory built here (the identity helper's store-backed one
 * is not here yet): users and roles of the owner's and of another account,
 * identity and session policies, anonymous callers and public ACLs, and the
 * order in which explicit Deny, the owner, policies and ACLs count.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import type { Action } from '../../src/authz/actions.js';
import { Authorizer } from '../../src/authz/authorizer.js';
import type { Directory } from '../../src/authz/directory.js';
import type { Principal } from '../../src/authz/principal.js';
import type { RequestFacts } from '../../src/authz/request-facts.js';
import { FsBlobStore } from '../../src/blob/fs-store.js';
import { cannedAcl } from '../../src/engine/acl.js';
import { Engine } from '../../src/engine/engine.js';
import { openMetadataStore } from '../../src/meta/open.js';
import type { MetadataStore } from '../../src/meta/store.js';

const OWNER = 'acct-owner';
const OTHER = 'acct-other';
const root = (accountId: string): Principal => ({ kind: 'root', accountId });
const user = (accountId: string, userName: string): Principal => ({ kind: 'user', accountId, userId: `id-${userName}`, userName });
const role = (accountId: string, roleName: string, policy?: string): Principal => ({ kind: 'role', accountId, roleId: `r-${roleName}`, roleName, session: { accessKeyId: 'ASIA1', expiresAt: Date.now() + 60_000, name: 's', ...(policy ? { policy } : {}) } });
const ANON: Principal = { kind: 'anonymous' };

const identity = (...statements: Record<string, unknown>[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const facts = (over: Partial<RequestFacts> = {}): RequestFacts => ({ dialect: 's3', sourceIp: '127.0.0.1', secureTransport: false, headers: {}, query: new Map(), now: Date.now(), authType: 'header', ...over });

describe('the decision', () => {
  let dir: string;
  let meta: MetadataStore;
  let engine: Engine;
  let authz: Authorizer;
  const policies = new Map<string, string[]>();
  const directory: Directory = {
    async policiesOf(p) {
      if (p.kind === 'user') return policies.get(`${p.accountId}/user/${p.userName}`) ?? [];
      if (p.kind === 'role') return policies.get(`${p.accountId}/role/${p.roleName}`) ?? [];
      return [];
    },
    accountById: async (id) => ({ id, displayName: id }),
    accountByEmail: async () => undefined,
  };
  const put = (bucket: string, key: string, body = 'x') => engine.putObject({ accountId: OWNER }, bucket, key, Readable.from([Buffer.from(body)]), { meta: { user: {} }, size: body.length });
  const allowed = async (p: Principal, action: Action, bucket: string, key?: string, f?: RequestFacts) =>
    authz.authorize(p, action, key === undefined ? { bucket } : { bucket, key }, f ?? facts()).then(
      () => true,
      (e: { code: string }) => {
        assert.equal(e.code, 'AccessDenied');
        return false;
      },
    );

  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'stratus-decision-'));
    meta = await openMetadataStore({ dataDir: dir, fsync: false });
    const blobs = new FsBlobStore(path.join(dir, 'objects'), false);
    await blobs.init();
    engine = new Engine(meta, blobs);
    authz = new Authorizer(engine, directory);
  });
  after(async () => {
    await meta.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it("a user of the owner's account gets exactly what its identity policies allow", async () => {
    await engine.createBucket({ accountId: OWNER }, 'dec-users');
    await put('dec-users', 'reports/q1');
    await put('dec-users', 'private/p');
    const alice = user(OWNER, 'alice');
    assert.equal(await allowed(alice, 's3:GetObject', 'dec-users', 'reports/q1'), false, 'no policy: nothing');
    policies.set(`${OWNER}/user/alice`, [identity({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::dec-users/reports/*' })]);
    assert.equal(await allowed(alice, 's3:GetObject', 'dec-users', 'reports/q1'), true);
    assert.equal(await allowed(alice, 's3:GetObject', 'dec-users', 'private/p'), false);
    assert.equal(await allowed(alice, 's3:PutObject', 'dec-users', 'reports/q2'), false);
    assert.equal(await allowed(alice, 's3:ListBucket', 'dec-users'), false);
    // A Deny in another of its policies wins.
    policies.set(`${OWNER}/user/alice`, [...policies.get(`${OWNER}/user/alice`)!, identity({ Effect: 'Deny', Action: 's3:*', Resource: 'arn:aws:s3:::dec-users/reports/q1' })]);
    assert.equal(await allowed(alice, 's3:GetObject', 'dec-users', 'reports/q1'), false);
    // Account actions come from identity policies too.
    assert.equal(await allowed(alice, 's3:ListAllMyBuckets', undefined as unknown as string), false);
    policies.set(`${OWNER}/user/alice`, [identity({ Effect: 'Allow', Action: 's3:ListAllMyBuckets', Resource: '*' })]);
    assert.equal(await authz.authorize(alice, 's3:ListAllMyBuckets', {}, facts()).then(() => true), true);
    // A bucket policy naming the user lets it in without an identity policy.
    policies.delete(`${OWNER}/user/alice`);
    await engine.setBucketSetting('dec-users', 'policy', { text: identityBucketPolicy('dec-users', `arn:aws:iam::${OWNER}:user/alice`), dialect: 's3' });
    assert.equal(await allowed(alice, 's3:GetObject', 'dec-users', 'reports/q1'), true);
    assert.equal(await allowed(user(OWNER, 'bob'), 's3:GetObject', 'dec-users', 'reports/q1'), false);
  });

  it('a role session: its role policies and its session policy must both allow', async () => {
    await engine.createBucket({ accountId: OWNER }, 'dec-roles');
    await put('dec-roles', 'k'); // a missing key would ask ListBucket instead
    policies.set(`${OWNER}/role/reader`, [identity({ Effect: 'Allow', Action: ['s3:GetObject', 's3:ListBucket'], Resource: ['arn:aws:s3:::dec-roles', 'arn:aws:s3:::dec-roles/*'] })]);
    assert.equal(await allowed(role(OWNER, 'reader'), 's3:ListBucket', 'dec-roles'), true);
    const narrowed = identity({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::dec-roles/*' });
    assert.equal(await allowed(role(OWNER, 'reader', narrowed), 's3:ListBucket', 'dec-roles'), false, 'the session policy does not allow listing');
    assert.equal(await allowed(role(OWNER, 'reader', narrowed), 's3:GetObject', 'dec-roles', 'k'), true);
    const wide = identity({ Effect: 'Allow', Action: 's3:*', Resource: '*' });
    assert.equal(await allowed(role(OWNER, 'reader', wide), 's3:PutObject', 'dec-roles', 'k'), false, 'a session policy never adds');
    assert.equal(await allowed(role(OWNER, 'nobody'), 's3:GetObject', 'dec-roles', 'k'), false);
  });

  it('another account: its root needs the resource side; its users need both sides', async () => {
    await engine.createBucket({ accountId: OWNER }, 'dec-cross');
    await put('dec-cross', 'k');
    const carol = user(OTHER, 'carol');
    policies.set(`${OTHER}/user/carol`, [identity({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' })]);
    assert.equal(await allowed(carol, 's3:GetObject', 'dec-cross', 'k'), false, 'its own policy is not enough');
    assert.equal(await allowed(root(OTHER), 's3:GetObject', 'dec-cross', 'k'), false);
    await engine.setBucketSetting('dec-cross', 'policy', { text: identityBucketPolicy('dec-cross', OTHER), dialect: 's3' });
    assert.equal(await allowed(root(OTHER), 's3:GetObject', 'dec-cross', 'k'), true);
    assert.equal(await allowed(carol, 's3:GetObject', 'dec-cross', 'k'), true, 'both sides allow');
    assert.equal(await allowed(user(OTHER, 'dave'), 's3:GetObject', 'dec-cross', 'k'), false, 'the bucket side alone is not enough for a user');
  });

  it('anonymous callers get what public ACLs and policies grant, nothing else', async () => {
    await engine.createBucket({ accountId: OWNER }, 'dec-anon');
    await put('dec-anon', 'open');
    await put('dec-anon', 'closed');
    assert.equal(await allowed(ANON, 's3:ListBucket', 'dec-anon'), false);
    await engine.setBucketSetting('dec-anon', 'acl', cannedAcl('public-read', OWNER));
    assert.equal(await allowed(ANON, 's3:ListBucket', 'dec-anon'), true);
    assert.equal(await allowed(ANON, 's3:GetObject', 'dec-anon', 'open'), false, 'a public bucket is not public objects in S3');
    assert.equal(await allowed(ANON, 's3:GetObject', 'dec-anon', 'open', facts({ dialect: 'oss' })), true, "OSS: an object without its own ACL has the bucket's");
    assert.equal(await allowed(ANON, 's3:PutObject', 'dec-anon', 'new'), false);
    const [o] = [await engine.getObject('dec-anon', 'open')];
    assert.ok(o);
    await meta.transaction(async (tx) => tx.updateObjectExtra(o.id, { acl: cannedAcl('public-read', OWNER) }));
    assert.equal(await allowed(ANON, 's3:GetObject', 'dec-anon', 'open'), true);
    assert.equal(await allowed(ANON, 's3:GetObject', 'dec-anon', 'closed'), false);
    assert.equal(await allowed(ANON, 's3:GetObjectAcl', 'dec-anon', 'open'), false);
    // AuthenticatedUsers is every signed caller, never an anonymous one.
    await engine.setBucketSetting('dec-anon', 'acl', cannedAcl('authenticated-read', OWNER));
    assert.equal(await allowed(ANON, 's3:ListBucket', 'dec-anon'), false);
    assert.equal(await allowed(root(OTHER), 's3:ListBucket', 'dec-anon'), true);
    // A public policy with a condition on the request.
    await engine.setBucketSetting('dec-anon', 'policy', {
      text: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::dec-anon/*', Condition: { StringLike: { 'aws:Referer': 'https://example.com/*' } } }] }),
      dialect: 's3',
    });
    assert.equal(await allowed(ANON, 's3:GetObject', 'dec-anon', 'closed'), false);
    assert.equal(await allowed(ANON, 's3:GetObject', 'dec-anon', 'closed', facts({ headers: { referer: 'https://example.com/page' } })), true);
    // The public access block's RestrictPublicBuckets shuts it again.
    await engine.setBucketSetting('dec-anon', 'publicAccessBlock', { blockPublicAcls: false, ignorePublicAcls: false, blockPublicPolicy: false, restrictPublicBuckets: true });
    assert.equal(await allowed(ANON, 's3:GetObject', 'dec-anon', 'closed', facts({ headers: { referer: 'https://example.com/page' } })), false);
  });

  it("the owner's root: everything on its bucket but what a Deny names; ExistingObjectTag conditions read the object's tags", async () => {
    await engine.createBucket({ accountId: OWNER }, 'dec-owner');
    await put('dec-owner', 'tagged');
    await engine.tagging.putObjectTags('dec-owner', 'tagged', undefined, { class: 'secret' });
    assert.equal(await allowed(root(OWNER), 's3:DeleteBucket', 'dec-owner'), true);
    await engine.setBucketSetting('dec-owner', 'policy', {
      text: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::dec-owner/*', Condition: { StringEquals: { 's3:ExistingObjectTag/class': 'secret' } } }] }),
      dialect: 's3',
    });
    assert.equal(await allowed(root(OWNER), 's3:GetObject', 'dec-owner', 'tagged'), false);
    await put('dec-owner', 'plain');
    assert.equal(await allowed(root(OWNER), 's3:GetObject', 'dec-owner', 'plain'), true);
    // Another account's bucket stays refused; a bucket that does not exist is the handler's to answer.
    assert.equal(await allowed(root(OTHER), 's3:ListBucket', 'dec-owner'), false);
    assert.equal(await allowed(root(OTHER), 's3:ListBucket', 'dec-none'), true);
  });
});

function identityBucketPolicy(bucket: string, principal: string): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: principal }, Action: 's3:GetObject', Resource: `arn:aws:s3:::${bucket}/*` }] });
}
