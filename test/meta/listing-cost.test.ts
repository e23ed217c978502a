/**
 * A listing page must cost in proportion to the page, not the bucket. Measured
 * without clocks: the SQL statements (and rows) the engine issues for one page
 * of 1000 with a delimiter, in a bucket of 10k keys and one of 100k keys of the
 * same shape, must be the same.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FsBlobStore } from '../../src/blob/fs-store.js';
import { Engine } from '../../src/engine/engine.js';
import type { ListOptions } from '../../src/engine/types.js';
import type { NewObject } from '../../src/meta/types.js';
import type { OpenedStore } from './conformance.js';
import { CountingDriver } from './counting-driver.js';
import { openPostgres, openSqlite, pgMissing, pgUnavailable } from './stores.js';
import type { SqlDriver } from '../../src/meta/sql/driver.js';

// Probed before any suite runs: the SQLite fill keeps the event loop busy.
const unavailable = await pgUnavailable();

const DIRS = 1000;
const caller = { accountId: 'owner' };

interface Cost {
  statements: number;
  rows: number;
  objects: number;
  prefixes: number;
  truncated: boolean;
}

/**
 * The shape: DIRS top-level objects `kNNNN.txt`, each followed (in key order) by a
 * directory `kNNNN/` of `perDir` objects. With delimiter '/', a page alternates an
 * object and a common prefix; the bucket size changes only how much each prefix hides.
 */
function defineCost(name: string, open: (wrap: (d: SqlDriver) => SqlDriver) => Promise<OpenedStore>, sizes: [number, number]) {
  describe(`listing cost: ${name}`, () => {
    const cleanups: (() => Promise<void>)[] = [];
    const costs = new Map<number, Record<string, Cost>>();

    async function measure(total: number) {
      let counting!: CountingDriver;
      const opened = await open((d) => (counting = new CountingDriver(d, (sql) => sql.startsWith('SELECT * FROM buckets WHERE name') || (sql.includes('FROM buckets b') && sql.includes('WHERE b.name = ?')))));
      const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'stratus-cost-'));
      cleanups.push(async () => {
        await opened.cleanup();
        await fs.rm(dir, { recursive: true, force: true });
      });
      const meta = opened.store;
      await meta.migrate();
      const engine = new Engine(meta, new FsBlobStore(dir, false));
      const b = await engine.createBucket(caller, `cost-${total}`);
      const perDir = total / DIRS - 1;
      const row = (key: string): NewObject => ({
        bucketId: b.id,
        key,
        versionId: 'null',
        isLatest: true,
        isDeleteMarker: false,
        size: 1,
        etag: '0cc175b9c0f1b6a831c399e269772661',
        lastModified: 1_700_000_000_000,
        meta: { user: {} },
        checksums: {},
        storageClass: 'STANDARD',
        objectType: 'Normal',
        ownerId: caller.accountId,
        blobId: null,
        segmentCount: 0,
        inline: false,
        tags: null,
        extra: {},
      });
      await meta.transaction(async (tx) => {
        for (let i = 0; i < DIRS; i++) {
          const d = `k${String(i).padStart(4, '0')}`;
          await tx.insertObject(row(`${d}.txt`));
          for (let j = 0; j < perDir; j++) await tx.insertObject(row(`${d}/f${String(j).padStart(3, '0')}`));
        }
      });
      const measured: Record<string, Cost> = {};
      const page = async (label: string, opts: ListOptions) => {
        counting.reset();
        const p = await engine.listObjects(b.name, opts);
        measured[label] = { statements: counting.statements, rows: counting.rows, objects: p.objects.length, prefixes: p.prefixes.length, truncated: p.truncated };
        return p;
      };
      const first = await page('first page, delimiter', { delimiter: '/', maxKeys: 1000 });
      await page('second page, delimiter', { delimiter: '/', maxKeys: 1000, after: first.last });
      await page('first page, no delimiter', { maxKeys: 1000 });
      costs.set(total, measured);
    }

    before(async () => {
      for (const total of sizes) await measure(total);
    });
    after(async () => {
      for (const c of cleanups) await c();
    });

    it(`issues the same statements for a page in ${sizes[0]} and in ${sizes[1]} keys`, () => {
      const small = costs.get(sizes[0])!;
      const large = costs.get(sizes[1])!;
      for (const label of Object.keys(small)) {
        const { statements: s, rows: r } = small[label];
        const { statements: S, rows: R } = large[label];
        // Printed for the record (the numbers are what the check is about).
        console.log(`# ${name} ${label}: ${sizes[0]} keys -> ${s} statements, ${r} rows; ${sizes[1]} keys -> ${S} statements, ${R} rows`);
        assert.equal(S, s, `${label}: statements`);
        assert.equal(R, r, `${label}: rows read`);
      }
      // The pages themselves have the same shape.
      assert.deepEqual(large, small);
      assert.deepEqual(small['first page, delimiter'], { ...small['first page, delimiter'], objects: 500, prefixes: 500, truncated: true });
      assert.equal(small['second page, delimiter'].objects + small['second page, delimiter'].prefixes, 1000);
    });

    it('costs in proportion to the page: about one statement per common prefix, a few rows per entry', () => {
      for (const [label, c] of Object.entries(costs.get(sizes[1])!)) {
        const entries = c.objects + c.prefixes;
        assert.ok(c.statements <= c.prefixes + 12, `${label}: ${c.statements} statements for ${entries} entries`);
        assert.ok(c.rows <= 10 * entries, `${label}: ${c.rows} rows read for ${entries} entries`);
      }
    });
  });
}

defineCost('SQLite', (wrap) => openSqlite(wrap), [10_000, 100_000]);

// The statement count depends only on the engine and the shared SQL; on PostgreSQL the
// check runs at a smaller scale to keep the fill (one round trip per row) quick.
if (unavailable) describe('listing cost: PostgreSQL', () => it('needs PostgreSQL', (t) => pgMissing(t, unavailable)));
else defineCost('PostgreSQL', (wrap) => openPostgres(wrap), [2_000, 10_000]);
