/**
 * Coherence across gateways (docs/deployment.md, "What a gateway caches"):
 * two gateways over one PostgreSQL schema; a change made through one is seen
 * through the other within the documented bound. Each case first makes the
 * other gateway read (and cache) the old state, then changes it through the
 * first, then polls the other until it answers the new way.
 *
 * The time asserted is a correctness bound (a revoked key must stop working
 * everywhere within it), not a performance figure: a cache that forgets
 * another gateway's change later than documented, or never, fails here. The
 * margin covers the polling request's own round trip on a busy machine.
 */
import { CreateAccessKeyCommand, CreateUserCommand, DeleteUserPolicyCommand, PutUserPolicyCommand, UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteBucketPolicyCommand,
  GetObjectCommand,
  PutBucketAclCommand,
  PutBucketCorsCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { GetSessionTokenCommand } from '@aws-sdk/client-sts';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { after, before, describe, it, test } from 'node:test';
import { PostgresDriver } from '../../src/meta/sql/pg-driver.js';
import { COHERENCE_BOUND_MS, watchChanges } from '../../src/server/change-watch.js';
import { bucketName } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';
import { startIdentityServer, type IdentityServer, type Keys } from '../identity/helpers.js';
import { pgMissing, pgUnavailable, PG_URL } from '../meta/stores.js';

const MARGIN_MS = 500;

/**
 * Polls `seen` (through the other gateway) until it is true; fails when that
 * took longer than the documented bound plus the margin.
 */
async function seenWithinBound(what: string, seen: () => Promise<boolean>): Promise<number> {
  const start = performance.now();
  await waitFor(seen, { what, timeoutMs: 10_000, intervalMs: 10 });
  const took = performance.now() - start;
  assert.ok(took <= COHERENCE_BOUND_MS + MARGIN_MS, `${what}: seen after ${Math.round(took)} ms; the documented bound is ${COHERENCE_BOUND_MS} ms`);
  return took;
}

/** The error's code, or 'ok'. */
const outcome = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: { Code?: string; name?: string }) => e.Code ?? e.name ?? String(e),
  );

const anonymous = async (url: string, init: RequestInit = {}) => (await fetch(url, init)).status;

describe('the change watch', () => {
  it('calls back on the first reading, on every move and after a failed reading, never while the counter stands', async () => {
    const readings: (number | Error)[] = [5, 5, 6, 6, new Error('store down'), 6, 6];
    let moves = 0;
    const seenAt: number[] = [];
    const watch = watchChanges(
      async () => {
        const r = readings.shift() ?? 6;
        if (r instanceof Error) throw r;
        return r;
      },
      () => void moves++,
      { intervalMs: 5 },
    );
    try {
      await waitFor(() => readings.length === 0, { what: 'every reading taken' });
      // Before the first reading, at 6, and after the failure (a change may have gone unseen).
      seenAt.push(moves);
    } finally {
      await watch.stop();
    }
    assert.deepEqual(seenAt, [3]);
  });
});

const unavailable = await pgUnavailable();
if (unavailable) {
  test('coherence across gateways', (t) => pgMissing(t, unavailable));
} else {
  describe('coherence across gateways on PostgreSQL', { timeout: 120_000 }, () => {
    const schema = `stratus_coh_${randomBytes(5).toString('hex')}`;
    let dir: string;
    let a: IdentityServer;
    let b: IdentityServer;
    let s3a: S3Client;
    let s3b: S3Client;
    const took: Record<string, number> = {};

    before(async () => {
      dir = await fs.mkdtemp(path.join(os.tmpdir(), 'stratus-coherence-'));
      a = await startIdentityServer({ data: dir, meta: PG_URL, pgSchema: schema });
      b = await startIdentityServer({ data: dir, meta: PG_URL, pgSchema: schema });
      s3a = a.s3();
      s3b = b.s3();
    });
    after(async () => {
      await a?.stop();
      await b?.stop();
      const admin = new PostgresDriver(PG_URL, { max: 1 });
      await admin.exec(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
      await admin.close();
      await fs.rm(dir, { recursive: true, force: true });
    });

    const bucketWith = async (tag: string, keys: string[] = []) => {
      const bucket = bucketName(tag);
      await s3a.send(new CreateBucketCommand({ Bucket: bucket }));
      for (const Key of keys) await s3a.send(new PutObjectCommand({ Bucket: bucket, Key, Body: Key }));
      return bucket;
    };

    it('a bucket deleted through one gateway is gone through the other', async (t) => {
      const bucket = await bucketWith('coh-del');
      assert.equal(await outcome(s3b.send(new GetObjectCommand({ Bucket: bucket, Key: 'nope' }))), 'NoSuchKey');
      await s3a.send(new DeleteBucketCommand({ Bucket: bucket }));
      took.deleteBucket = await seenWithinBound('the other gateway answers NoSuchBucket', async () => (await outcome(s3b.send(new GetObjectCommand({ Bucket: bucket, Key: 'nope' })))) === 'NoSuchBucket');
      t.diagnostic(`${Math.round(took.deleteBucket)} ms`);
    });

    it('versioning turned on through one gateway is announced by reads through the other', async (t) => {
      const bucket = await bucketWith('coh-ver', ['k']);
      assert.equal((await s3b.send(new GetObjectCommand({ Bucket: bucket, Key: 'k' }))).VersionId, undefined);
      await s3a.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
      took.versioning = await seenWithinBound('the other gateway announces the null version', async () => (await s3b.send(new GetObjectCommand({ Bucket: bucket, Key: 'k' }))).VersionId === 'null');
      t.diagnostic(`${Math.round(took.versioning)} ms`);
    });

    it('a bucket ACL granted and taken back through one gateway applies through the other', async (t) => {
      const bucket = await bucketWith('coh-acl', ['k']);
      const list = () => anonymous(`${b.url}/${bucket}`);
      assert.equal(await list(), 403);
      await s3a.send(new PutBucketAclCommand({ Bucket: bucket, ACL: 'public-read' }));
      took.aclGrant = await seenWithinBound('the other gateway lets anyone list', async () => (await list()) === 200);
      await s3a.send(new PutBucketAclCommand({ Bucket: bucket, ACL: 'private' }));
      took.aclRevoke = await seenWithinBound('the other gateway refuses anonymous listing again', async () => (await list()) === 403);
      t.diagnostic(`grant ${Math.round(took.aclGrant)} ms, revoke ${Math.round(took.aclRevoke)} ms`);
    });

    it('a bucket policy put and deleted through one gateway applies through the other', async (t) => {
      const bucket = await bucketWith('coh-pol', ['k']);
      const read = () => anonymous(`${b.url}/${bucket}/k`);
      assert.equal(await read(), 403);
      const Policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${bucket}/*` }] });
      await s3a.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy }));
      took.policyPut = await seenWithinBound('the other gateway lets anyone read', async () => (await read()) === 200);
      await s3a.send(new DeleteBucketPolicyCommand({ Bucket: bucket }));
      took.policyDelete = await seenWithinBound('the other gateway refuses anonymous reads again', async () => (await read()) === 403);
      t.diagnostic(`put ${Math.round(took.policyPut)} ms, delete ${Math.round(took.policyDelete)} ms`);
    });

    it('CORS rules put through one gateway answer preflights through the other', async (t) => {
      const bucket = await bucketWith('coh-cors', ['k']);
      const preflight = () => anonymous(`${b.url}/${bucket}/k`, { method: 'OPTIONS', headers: { origin: 'http://app.example', 'access-control-request-method': 'GET' } });
      assert.equal(await preflight(), 403);
      await s3a.send(new PutBucketCorsCommand({ Bucket: bucket, CORSConfiguration: { CORSRules: [{ AllowedOrigins: ['http://app.example'], AllowedMethods: ['GET'] }] } }));
      took.cors = await seenWithinBound('the other gateway answers the preflight', async () => (await preflight()) === 200);
      t.diagnostic(`${Math.round(took.cors)} ms`);
    });

    describe('identities', () => {
      let bucket: string;
      const user = async (name: string, policy = true): Promise<Keys> => {
        await a.iam().send(new CreateUserCommand({ UserName: name }));
        if (policy) {
          const doc = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${bucket}/*` }] });
          await a.iam().send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'read', PolicyDocument: doc }));
        }
        const k = (await a.iam().send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey!;
        return { accessKeyId: k.AccessKeyId!, secretAccessKey: k.SecretAccessKey! };
      };
      const readAs = (k: Keys) => outcome(b.s3(k).send(new GetObjectCommand({ Bucket: bucket, Key: 'k' })));
      before(async () => {
        bucket = await bucketWith('coh-id', ['k']);
      });

      it('a key deactivated through one gateway is refused by the other', async (t) => {
        const k = await user('coh-deactivate');
        assert.equal(await readAs(k), 'ok');
        await a.iam().send(new UpdateAccessKeyCommand({ UserName: 'coh-deactivate', AccessKeyId: k.accessKeyId, Status: 'Inactive' }));
        took.keyDeactivated = await seenWithinBound('the other gateway refuses the key', async () => (await readAs(k)) === 'InvalidAccessKeyId');
        t.diagnostic(`${Math.round(took.keyDeactivated)} ms`);
      });

      it("a user's policy deleted through one gateway no longer admits through the other", async (t) => {
        const k = await user('coh-policy');
        assert.equal(await readAs(k), 'ok');
        await a.iam().send(new DeleteUserPolicyCommand({ UserName: 'coh-policy', PolicyName: 'read' }));
        took.userPolicy = await seenWithinBound('the other gateway denies the user', async () => (await readAs(k)) === 'AccessDenied');
        t.diagnostic(`${Math.round(took.userPolicy)} ms`);
      });

      it('a session is revoked everywhere with its parent key, and expires everywhere at once', async (t) => {
        const k = await user('coh-session');
        const c = (await a.sts(k).send(new GetSessionTokenCommand({ DurationSeconds: 900 }))).Credentials!;
        const session: Keys = { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
        assert.equal(await readAs(session), 'ok');
        // Expiry is checked on every use, cached or not: the first request after it is refused.
        b.advance(901_000);
        try {
          assert.equal(await readAs(session), 'ExpiredToken');
        } finally {
          b.advance(-901_000);
        }
        assert.equal(await readAs(session), 'ok');
        await a.iam().send(new UpdateAccessKeyCommand({ UserName: 'coh-session', AccessKeyId: k.accessKeyId, Status: 'Inactive' }));
        took.sessionRevoked = await seenWithinBound('the other gateway refuses the session', async () => (await readAs(session)) === 'InvalidToken');
        t.diagnostic(`${Math.round(took.sessionRevoked)} ms`);
      });
    });
  });
}
