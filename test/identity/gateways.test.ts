/**
 * Identities live in the metadata store: two gateways over one PostgreSQL
 * schema (and one data directory) share users, keys and sessions. A session
 * issued through one gateway works through the other, in S3 and OSS, and
 * expires there by that gateway's clock; a key disabled through one is
 * refused by the other (which had not cached it).
 */
import { CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, PutRolePolicyCommand, UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import { CreateBucketCommand, GetObjectCommand, ListBucketsCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import OSS from 'ali-oss';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it, test } from 'node:test';
import { PostgresDriver } from '../../src/meta/sql/pg-driver.js';
import { bucketName } from '../helpers/server.js';
import { pgMissing, pgUnavailable, PG_URL } from '../meta/stores.js';
import { failure, startIdentityServer } from './helpers.js';

const unavailable = await pgUnavailable();
if (unavailable) {
  test('identities across gateways on PostgreSQL', (t) => pgMissing(t, unavailable));
} else {
  describe('identities across gateways on PostgreSQL', { timeout: 120_000 }, () => {
    it('shares users, keys and sessions between gateways', async () => {
      const schema = `stratus_test_${randomBytes(6).toString('hex')}`;
      const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'identity-gw-'));
      const admin = new PostgresDriver(PG_URL, { max: 1 });
      const a = await startIdentityServer({ data: dir, meta: PG_URL, pgSchema: schema });
      const b = await startIdentityServer({ data: dir, meta: PG_URL, pgSchema: schema });
      try {
        const bucket = bucketName('gw');
        await a.s3().send(new CreateBucketCommand({ Bucket: bucket }));
        await a.s3().send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'shared' }));
        await a.iam().send(new CreateUserCommand({ UserName: 'gw' }));
        const k = (await a.iam().send(new CreateAccessKeyCommand({ UserName: 'gw' }))).AccessKey!;
        const user = { accessKeyId: k.AccessKeyId!, secretAccessKey: k.SecretAccessKey! };
        const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::root:user/gw' }, Action: 'sts:AssumeRole' }] });
        await b.iam().send(new CreateRoleCommand({ RoleName: 'gw-role', AssumeRolePolicyDocument: trust }));
        // The role's policy, written through b, is what lets its session (issued through a) read through b.
        const read = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${bucket}/*` }] });
        await b.iam().send(new PutRolePolicyCommand({ RoleName: 'gw-role', PolicyName: 'read', PolicyDocument: read }));

        const c = (await a.sts(user).send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::root:role/gw-role', RoleSessionName: 'across', DurationSeconds: 900 }))).Credentials!;
        const session = { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
        assert.equal(await (await b.s3(session).send(new GetObjectCommand({ Bucket: bucket, Key: 'k' }))).Body!.transformToString(), 'shared');
        const oss = new OSS({
          accessKeyId: session.accessKeyId, accessKeySecret: session.secretAccessKey, stsToken: session.sessionToken,
          refreshSTSToken: async () => ({ accessKeyId: session.accessKeyId, accessKeySecret: session.secretAccessKey, stsToken: session.sessionToken }),
          refreshSTSTokenInterval: 3_600_000, endpoint: `http://127.0.0.1:${b.port}`, region: 'oss-cn-hangzhou', bucket,
        });
        assert.equal((await oss.get('k')).content.toString(), 'shared');
        b.advance(901_000);
        assert.equal((await failure(b.s3(session).send(new GetObjectCommand({ Bucket: bucket, Key: 'k' })))).Code, 'ExpiredToken');
        b.advance(-901_000);

        // A key disabled through one gateway is refused by the other (which has not seen it yet).
        const k2 = (await a.iam().send(new CreateAccessKeyCommand({ UserName: 'gw' }))).AccessKey!;
        await a.iam().send(new UpdateAccessKeyCommand({ UserName: 'gw', AccessKeyId: k2.AccessKeyId!, Status: 'Inactive' }));
        const refused = await failure(b.s3({ accessKeyId: k2.AccessKeyId!, secretAccessKey: k2.SecretAccessKey! }).send(new ListBucketsCommand({})));
        assert.equal(refused.Code, 'InvalidAccessKeyId');
      } finally {
        await a.stop();
        await b.stop();
        await fs.rm(dir, { recursive: true, force: true });
        await admin.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await admin.close();
      }
    });
  });
}
