/**
 * The cost of one lifecycle pass over a big bucket with a few objects due
 * (issue 14: "the measured pass time for a bucket of 1M objects with 1% due").
 *
 *   node --import tsx bench/lifecycle-pass.ts [--objects 1000000] [--due 0.01]
 *        [--scenario age|prefix|obs] [--store sqlite|postgres] [--pg postgres://127.0.0.1:5432/test]
 *
 * The bucket is filled straight through the metadata store's API (zero-byte
 * objects without blobs, 50,000 rows a transaction), then one pass of the
 * lifecycle job runs to its end, timed, with the real clock (one day a day):
 * - age: every object under `data/`, a rule expiring all of them after 5 days; the due ones
 *   were written 10 days ago, the others now;
 * - prefix: every object written 10 days ago, the due ones under `logs/`, a rule expiring
 *   `logs/` after 5 days;
 * - obs: no rule; the due ones carry an OBS per-object expiry (x-obs-expires) that has passed.
 * It checks that exactly the due objects went, and prints the fill time, the pass time and
 * what the pass did.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { FsBlobStore } from '../src/blob/fs-store.js';
import { Engine } from '../src/engine/engine.js';
import { configureLifecycle } from '../src/engine/lifecycle/timing.js';
import type { LifecycleRule } from '../src/engine/lifecycle/model.js';
import type { MetadataStore } from '../src/meta/store.js';
import { PostgresDriver } from '../src/meta/sql/pg-driver.js';
import { SqlMetadataStore } from '../src/meta/sql/sql-store.js';
import { SqliteDriver } from '../src/meta/sql/sqlite-driver.js';
import type { NewObject } from '../src/meta/types.js';
import { lifecycleJob } from '../src/workers/lifecycle.js';

const DAY = 86_400_000;
const CHUNK = 50_000;

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}

const objects = Number(arg('objects', '1000000'));
const dueShare = Number(arg('due', '0.01'));
const scenario = arg('scenario', 'age') as 'age' | 'prefix' | 'obs';
const storeKind = arg('store', 'sqlite') as 'sqlite' | 'postgres';
if (!['age', 'prefix', 'obs'].includes(scenario)) throw new Error(`unknown scenario ${scenario}`);
const every = Math.round(1 / dueShare);

async function openStore(dir: string): Promise<{ meta: MetadataStore; cleanup: () => Promise<void> }> {
  if (storeKind === 'sqlite') {
    const meta = new SqlMetadataStore(new SqliteDriver(path.join(dir, 'meta.db'), false));
    return { meta, cleanup: () => meta.close() };
  }
  const url = arg('pg', process.env.STRATUS_TEST_PG ?? 'postgres://127.0.0.1:5432/test');
  const schema = `stratus_bench_${randomBytes(4).toString('hex')}`;
  const meta = new SqlMetadataStore(new PostgresDriver(url, { schema }));
  return {
    meta,
    cleanup: async () => {
      await meta.close();
      const admin = new PostgresDriver(url, { max: 1 });
      await admin.exec(`DROP SCHEMA ${schema} CASCADE`);
      await admin.close();
    },
  };
}

async function main() {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'stratus-lc-bench-'));
  const { meta, cleanup } = await openStore(dir);
  try {
    await meta.migrate();
    const engine = new Engine(meta, new FsBlobStore(path.join(dir, 'blobs'), false));
    const clock = configureLifecycle(engine, {}).clock;
    const b = await engine.createBucket({ accountId: 'root' }, 'lc-bench');
    const now = Date.now();
    const old = now - 10 * DAY;
    const row = (i: number): NewObject => {
      const due = i % every === 0;
      const key = scenario === 'prefix' && due ? `logs/${String(i).padStart(8, '0')}` : `data/${String(i).padStart(8, '0')}`;
      return {
        bucketId: b.id,
        key,
        versionId: 'null',
        isLatest: true,
        isDeleteMarker: false,
        size: 0,
        etag: 'd41d8cd98f00b204e9800998ecf8427e',
        lastModified: scenario === 'prefix' || due ? old : now,
        meta: { user: {} },
        checksums: {},
        storageClass: 'STANDARD',
        objectType: 'Normal',
        ownerId: 'root',
        blobId: null,
        segmentCount: 0,
        inline: false,
        tags: null,
        extra: {},
        ...(scenario === 'obs' && due ? { expiresAt: now - DAY } : {}),
      };
    };
    let t = performance.now();
    for (let from = 0; from < objects; from += CHUNK) {
      await meta.transaction(async (tx) => {
        for (let i = from; i < Math.min(objects, from + CHUNK); i++) await tx.insertObject(row(i));
        await tx.adjustUsage(b.id, Math.min(objects, from + CHUNK) - from, 0);
      });
    }
    const fillMs = performance.now() - t;
    const due = Math.ceil(objects / every);
    const rule: LifecycleRule | undefined =
      scenario === 'age'
        ? { id: 'all', enabled: true, filter: { prefix: '' }, expiration: { days: 5 }, transitions: [], noncurrentTransitions: [] }
        : scenario === 'prefix'
          ? { id: 'logs', enabled: true, filter: { prefix: 'logs/' }, expiration: { days: 5 }, transitions: [], noncurrentTransitions: [] }
          : undefined;
    if (rule) await engine.setBucketSetting(b.name, 'lifecycle', { rules: [rule] });

    const job = lifecycleJob(engine, clock);
    const counts: Record<string, number> = {};
    let batches = 0;
    t = performance.now();
    for (;;) {
      batches++;
      if (!(await job.step(counts))) break;
    }
    const passMs = performance.now() - t;
    const left = (await engine.getBucket(b.name)).objectCount;
    const ok = left === objects - due;
    console.log(
      JSON.stringify(
        { store: storeKind, scenario, objects, due, fillSeconds: +(fillMs / 1000).toFixed(1), passMs: Math.round(passMs), batches, counts, left, ok },
        null,
        1,
      ),
    );
    if (!ok) process.exitCode = 1;
  } finally {
    await cleanup();
    await fs.rm(dir, { recursive: true, force: true });
  }
}

await main();
