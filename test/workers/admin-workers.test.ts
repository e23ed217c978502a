/**
 * `stratus admin worker ls / run` against a running server: the operator
 * sees each background worker's state and last pass and runs one now; a
 * lifecycle rule that is due is applied by that pass. Other accounts are
 * refused.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CreateBucketCommand, HeadObjectCommand, PutBucketLifecycleConfigurationCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { cliEnv, stratus, stratusJson, type CliEnv } from '../cli/helpers.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

describe('stratus admin worker', { timeout: 120_000 }, () => {
  let server: TestServer;
  let dir: string;
  let e: CliEnv;
  before(async () => {
    // One lifecycle day is one second; a long pass interval would not matter: the test runs passes itself.
    server = await startTestServer({ lifecycleDaySeconds: '1' });
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'stratus-admin-workers-'));
    e = await cliEnv(dir, { local: { dialect: 's3', endpoint: server.url } });
  });
  after(async () => {
    await server.stop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('lists the workers with their state, and runs a lifecycle pass that expires a due object', async () => {
    const ls = await stratusJson(e, ['admin', 'worker', 'ls']);
    assert.equal(ls.r.code, 0, ls.r.stderr);
    const names = (ls.json.workers as { name: string; state: string }[]).map((w) => w.name).sort();
    assert.deepEqual(names, ['blob-sweep', 'lifecycle', 'log-delivery']);

    await server.s3.send(new CreateBucketCommand({ Bucket: 'expiring' }));
    await server.s3.send(new PutObjectCommand({ Bucket: 'expiring', Key: 'old/a', Body: 'a' }));
    await server.s3.send(
      new PutBucketLifecycleConfigurationCommand({
        Bucket: 'expiring',
        LifecycleConfiguration: { Rules: [{ ID: 'one-day', Status: 'Enabled', Filter: { Prefix: 'old/' }, Expiration: { Days: 1 } }] },
      }),
    );
    // Days count from creation in debug mode: after one (1 s) day the object is due.
    await new Promise((r) => setTimeout(r, 1500));
    const run = await stratusJson(e, ['admin', 'worker', 'run', 'lifecycle']);
    assert.equal(run.r.code, 0, run.r.stderr);
    assert.equal(run.json.ran, true);
    assert.ok(run.json.worker.passes >= 1);
    await assert.rejects(server.s3.send(new HeadObjectCommand({ Bucket: 'expiring', Key: 'old/a' })), { name: 'NotFound' });
    const after = await stratusJson(e, ['admin', 'worker', 'ls']);
    const lc = (after.json.workers as { name: string; lastRunEndedAt?: string }[]).find((w) => w.name === 'lifecycle');
    assert.ok(lc?.lastRunEndedAt, 'the pass is reported');
  });

  it('an unknown worker is NoSuchEntity (exit 3); another account may not see or run workers', async () => {
    const unknown = await stratus(e, ['admin', 'worker', 'run', 'nope']);
    assert.equal(unknown.code, 3, unknown.stderr);
    assert.match(unknown.stderr, /NoSuchEntity/);
    const add = await stratusJson(e, ['admin', 'account', 'add', 'other', '--access-key', 'OTHERACCESSKEY00001', '--secret-key', 'other-secret-key-00000001']);
    assert.equal(add.r.code, 0, add.r.stderr);
    const other = await cliEnv(await fs.mkdtemp(path.join(dir, 'other-')), { local: { dialect: 's3', endpoint: server.url, accessKey: 'OTHERACCESSKEY00001', secretKey: 'other-secret-key-00000001' } });
    const refused = await stratus(other, ['admin', 'worker', 'ls']);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /AccessDenied/);
    // The other account's own S3 keys work: the refusal is the operator rule, not a bad key.
    const s3 = new S3Client({ endpoint: server.url, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'OTHERACCESSKEY00001', secretAccessKey: 'other-secret-key-00000001' } });
    await s3.send(new CreateBucketCommand({ Bucket: 'other-bucket' }));
    s3.destroy();
  });
});
