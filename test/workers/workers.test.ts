/**
 * The background workers: a gateway started with --no-workers runs none; a
 * pass interrupted after a batch resumes from the cursor in the store; and on
 * PostgreSQL one gateway of several runs a worker, another taking over once
 * the holder is killed.
 */
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutBucketLifecycleConfigurationCommand, PutBucketVersioningCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { INLINE_MAX } from '../../src/engine/inline.js';
import { Background } from '../../src/engine/background.js';
import { debugClock } from '../../src/engine/lifecycle/evaluate.js';
import { PostgresDriver } from '../../src/meta/sql/pg-driver.js';
import { resolveConfig } from '../../src/server/config.js';
import { SETTLE_MS } from '../../src/blob/workspace.js';
import { blobSweepJob } from '../../src/workers/blob-sweep.js';
import { lifecycleJob } from '../../src/workers/lifecycle.js';
import { KEY_FLAGS, spawnServer } from '../helpers/process.js';
import { ACCESS_KEY, bucketName, SECRET_KEY, startTestServer, storedFiles, type TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';
import { PG_URL, pgMissing } from '../meta/stores.js';

const expireAll = (s3: S3Client, Bucket: string) =>
  s3.send(new PutBucketLifecycleConfigurationCommand({ Bucket, LifecycleConfiguration: { Rules: [{ ID: 'all', Filter: { Prefix: '' }, Status: 'Enabled', Expiration: { Days: 1 } }] } }));
const keys = async (s3: S3Client, Bucket: string) => ((await s3.send(new ListObjectsV2Command({ Bucket }))).Contents ?? []).map((o) => o.Key!);

async function bucketWith(srv: TestServer, names: string[]): Promise<string> {
  const b = bucketName('wk');
  await srv.s3.send(new CreateBucketCommand({ Bucket: b }));
  for (const k of names) await srv.s3.send(new PutObjectCommand({ Bucket: b, Key: k, Body: k }));
  return b;
}

describe('worker configuration', () => {
  it('reads --no-workers, --lifecycle-day-seconds and the lease from flags and the environment', () => {
    assert.equal(resolveConfig({}).backgroundWorkers, true);
    assert.equal(resolveConfig({ workers: false }).backgroundWorkers, false);
    assert.equal(resolveConfig({ workers: 'false' }).backgroundWorkers, false);
    assert.equal(resolveConfig({ backgroundWorkers: 'off' }).backgroundWorkers, false);
    // The same flag with a count is the number of gateway processes (--workers N), not background work.
    assert.deepEqual([resolveConfig({ workers: '3' }).processes, resolveConfig({ workers: '3' }).backgroundWorkers], [3, true]);
    assert.equal(resolveConfig({ lifecycleDaySeconds: '10' }).lifecycleDaySeconds, 10);
    assert.equal(resolveConfig({}).lifecycleDaySeconds, undefined);
    assert.throws(() => resolveConfig({ lifecycleDaySeconds: '0' }), /lifecycleDaySeconds/);
    assert.equal(resolveConfig({ workerLeaseMs: '2500' }).workerLeaseMs, 2500);
  });
});

describe('workers on SQLite', () => {
  it('a gateway with --no-workers leaves due objects alone; one with workers expires them', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'stratus-wk-'));
    try {
      const quiet = await spawnServer(dir, [...KEY_FLAGS, '--no-workers', '--lifecycle-day-seconds', '1']);
      const s3 = new S3Client({ endpoint: quiet.url, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY } });
      const b = bucketName('wk');
      await s3.send(new CreateBucketCommand({ Bucket: b }));
      await s3.send(new PutObjectCommand({ Bucket: b, Key: 'x', Body: 'x' }));
      await expireAll(s3, b);
      // Three debug days pass with no worker: the object stays.
      await new Promise((r) => setTimeout(r, 3000));
      assert.deepEqual(await keys(s3, b), ['x']);
      s3.destroy();
      await quiet.stop();

      const busy = await startTestServer({ data: dir, lifecycleDaySeconds: 1 });
      try {
        assert.equal(busy.workers?.get('lifecycle')?.name, 'lifecycle');
        await waitFor(async () => (await keys(busy.s3, b)).length === 0, { what: 'x expired once workers run', timeoutMs: 20_000, intervalMs: 100 });
      } finally {
        await busy.stop();
      }
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  // Unversioned, the rule's objects are read by age (cursor: creation time and key); versioned, key by key.
  for (const versioned of [false, true]) {
    it(`a pass resumes after a restart from the cursor kept in the store (${versioned ? 'versioned: the key walk' : 'unversioned: the walk by age'})`, async () => {
      const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'stratus-wk-'));
      try {
        let srv = await startTestServer({ data: dir, workers: false });
        const b = bucketName('wk');
        await srv.s3.send(new CreateBucketCommand({ Bucket: b }));
        if (versioned) await srv.s3.send(new PutBucketVersioningCommand({ Bucket: b, VersioningConfiguration: { Status: 'Enabled' } }));
        // Written one after another, so creation order is key order too.
        for (const k of ['a', 'b', 'c', 'd', 'e']) {
          await srv.s3.send(new PutObjectCommand({ Bucket: b, Key: k, Body: k }));
          await new Promise((r) => setTimeout(r, 5));
        }
        await expireAll(srv.s3, b);
        const clock = debugClock(1);
        await new Promise((r) => setTimeout(r, 1100));
        const first: Record<string, number> = {};
        // Batches of two keys: the first batch expires a and b, then the gateway stops.
        assert.equal(await lifecycleJob(srv.engine, clock, 2).step(first), true);
        assert.equal(first.expired, 2);
        assert.deepEqual(await keys(srv.s3, b), ['c', 'd', 'e']);
        await srv.stop();

        srv = await startTestServer({ data: dir, workers: false });
        try {
          const saved = await new Background(srv.engine).loadState<{ cursor: { phase: string; key?: string; age?: { key: string } } }>('lifecycle');
          if (versioned) assert.deepEqual([saved?.cursor.phase, saved?.cursor.key], ['versions', 'c']);
          else assert.deepEqual([saved?.cursor.phase, saved?.cursor.age?.key], ['aged', 'b']);
          // A new job (nothing in memory) continues at c: it examines c and d, not a and b again.
          const second: Record<string, number> = {};
          assert.equal(await lifecycleJob(srv.engine, clock, 2).step(second), true);
          assert.deepEqual([second.examined, second.expired], [2, 2]);
          assert.deepEqual(await keys(srv.s3, b), ['e']);
          // The last batch completes the pass and clears the cursor.
          while (await lifecycleJob(srv.engine, clock, 2).step(second));
          assert.deepEqual(await keys(srv.s3, b), []);
          assert.equal((await new Background(srv.engine).loadState<{ cursor: unknown }>('lifecycle'))?.cursor, null);
        } finally {
          await srv.stop();
        }
      } finally {
        await fs.rm(dir, { recursive: true, force: true });
      }
    });
  }
});

describe('the blob sweep worker', () => {
  it('removes blobs no metadata references once they are older than the settle time, a shard per batch, and nothing else', async () => {
    const srv = await startTestServer({ workers: false });
    try {
      const b = await bucketWith(srv, ['kept']);
      // 'kept' is small (inline in the metadata); 'big' has a blob, which must stay.
      const big = Buffer.alloc(INLINE_MAX + 1, 0x62);
      await srv.s3.send(new PutObjectCommand({ Bucket: b, Key: 'big', Body: big }));
      // A blob renamed into place whose commit never came (its gateway died).
      const orphan = await srv.engine.blobs.write(Readable.from([Buffer.from('orphan')]));
      await orphan.commit();
      const blobFiles = async () => (await storedFiles(srv.dataDir)).filter((f) => f.startsWith('objects/blobs/')).map((f) => path.basename(f));
      assert.ok((await blobFiles()).includes(orphan.id));

      // Within the settle time it may be a write in its commit window: a whole pass spares it.
      const young: Record<string, number> = {};
      while (await blobSweepJob(srv.engine, SETTLE_MS).step(young));
      assert.equal(young.blobs, 0);
      assert.ok((await blobFiles()).includes(orphan.id));

      // One batch is one shard, and the pass resumes from the store.
      const counts: Record<string, number> = {};
      assert.equal(await blobSweepJob(srv.engine, 0).step(counts), true);
      assert.deepEqual(await new Background(srv.engine).loadState('blob-sweep'), { next: 1 });
      while (await blobSweepJob(srv.engine, 0).step(counts));
      assert.equal(counts.blobs, 1);
      assert.deepEqual(await new Background(srv.engine).loadState('blob-sweep'), { next: 0 });
      const left = await blobFiles();
      assert.equal(left.includes(orphan.id), false);
      assert.equal(left.length, 1, 'the referenced blob stays');
      assert.equal(await (await srv.s3.send(new GetObjectCommand({ Bucket: b, Key: 'kept' }))).Body!.transformToString(), 'kept');
      assert.deepEqual(Buffer.from(await (await srv.s3.send(new GetObjectCommand({ Bucket: b, Key: 'big' }))).Body!.transformToByteArray()), big);
    } finally {
      await srv.stop();
    }
  });
});

describe('workers on PostgreSQL', () => {
  it('one gateway of two runs the worker; killing it hands the worker to the other within the lease', async (ctx) => {
    const admin = new PostgresDriver(PG_URL, { max: 1, connectionTimeoutMillis: 2000 });
    try {
      await admin.get('SELECT 1 AS x');
    } catch (e) {
      await admin.close().catch(() => undefined);
      pgMissing(ctx, `no PostgreSQL at ${PG_URL}: ${(e as Error).message}`);
      return;
    }
    const schema = `workers_${process.pid}_${Date.now().toString(36)}`;
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'stratus-wk-'));
    const configFile = path.join(dir, 'config.json');
    const leaseMs = 1500;
    await fs.writeFile(configFile, JSON.stringify({ meta: PG_URL, pgSchema: schema, workerLeaseMs: leaseMs, lifecycleDaySeconds: 1 }));
    let b: TestServer | undefined;
    try {
      await admin.exec(`CREATE SCHEMA "${schema}"`);
      const a = await spawnServer(dir, [...KEY_FLAGS, '--config', configFile]);
      try {
        b = await startTestServer({ data: dir, meta: PG_URL, pgSchema: schema, workerLeaseMs: leaseMs, lifecycleDaySeconds: 1 });
        const worker = b.workers!.get('lifecycle')!;
        // The child started first and holds the lease; this gateway waits.
        await waitFor(() => worker.status().state === 'standby' && worker.status().leaseHolder !== undefined, { what: 'the second gateway is on standby', timeoutMs: 10_000 });
        assert.notEqual(worker.status().leaseHolder, worker.status().holder);
        const bucket = await bucketWith(b, ['one', 'two']);
        await expireAll(b.s3, bucket);
        await waitFor(async () => (await keys(b!.s3, bucket)).length === 0, { what: 'the holder expired the objects', timeoutMs: 20_000, intervalMs: 100 });
        assert.equal(worker.status().passes, 0, 'the standby gateway ran no pass');
        assert.equal(await worker.runNow(), false, 'a standby gateway does not run a pass on demand');

        a.child.kill('SIGKILL');
        await a.exited;
      } finally {
        if (a.child.exitCode === null && a.child.signalCode === null) a.child.kill('SIGKILL');
      }
      const worker = b.workers!.get('lifecycle')!;
      await waitFor(() => worker.status().leaseHolder === worker.status().holder && worker.status().passes > 0, {
        what: 'the surviving gateway took the worker over',
        timeoutMs: 10 * leaseMs,
        intervalMs: 50,
      });
      const later = await bucketWith(b, ['three']);
      await expireAll(b.s3, later);
      await waitFor(async () => (await keys(b!.s3, later)).length === 0, { what: 'the new holder expires objects', timeoutMs: 20_000, intervalMs: 100 });
    } finally {
      await b?.stop();
      await admin.exec(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
      await admin.close();
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
