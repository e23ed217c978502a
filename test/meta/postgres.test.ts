import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { describe, it, test } from 'node:test';
import pg from 'pg';
import { openMetadataStore } from '../../src/meta/open.js';
import { PostgresDriver } from '../../src/meta/sql/pg-driver.js';
import { defineConformance } from './conformance.js';
import { defineEngineConformance } from './engine-conformance.js';
import { openPostgres, pgMissing, pgUnavailable, PG_URL } from './stores.js';

const unavailable = await pgUnavailable();
if (unavailable) {
  test('metadata store conformance: PostgreSQL', (t) => pgMissing(t, unavailable));
} else {
  defineConformance('PostgreSQL', () => openPostgres());
  defineEngineConformance('PostgreSQL', () => openPostgres());

  describe('PostgreSQL driver', () => {
    it('a write takes its keys\' advisory locks in the statement that reads the bucket, and holds them to the commit', async () => {
      const opened = await openPostgres();
      const admin = new PostgresDriver(PG_URL, { max: 1 });
      try {
        await opened.store.migrate();
        await opened.store.insertBucket({ name: 'locks', ownerId: 'o', region: 'r', createdAt: 1, versioning: 'Unversioned' });
        let release!: () => void;
        const gate = new Promise<void>((r) => (release = r));
        let locked!: () => void;
        const lockedP = new Promise<void>((r) => (locked = r));
        const tx = opened.store.transaction(async (t) => {
          const b = await t.getBucketForWrite('locks', ['k1', 'k2', 'k1']);
          assert.equal(b?.name, 'locks');
          locked();
          await gate;
        });
        await lockedP;
        // The locks' ids as the store computes them (a SHA-256 of bucket name and key), split as pg_locks shows a bigint key.
        const ids = ['k1', 'k2'].map((k) => BigInt.asUintN(64, createHash('sha256').update(`locks\0${k}`).digest().readBigInt64BE(0)));
        const ours = `locktype = 'advisory' AND (classid::text, objid::text) IN (${ids.map(() => '(?, ?)').join(', ')})`;
        const params = ids.flatMap((i) => [String(i >> 32n), String(i & 0xffffffffn)]);
        let held: { n: string } | undefined;
        try {
          held = await admin.get<{ n: string }>(`SELECT COUNT(*) AS n FROM pg_locks WHERE granted AND ${ours}`, params);
        } finally {
          release();
        }
        assert.equal(Number(held?.n), 2, 'one lock per distinct key, held while the transaction is open');
        await tx;
        const after = await admin.get<{ n: string }>(`SELECT COUNT(*) AS n FROM pg_locks WHERE ${ours}`, params);
        assert.equal(Number(after?.n), 0, 'released at the commit');
        // A bucket that does not exist: no row, and nothing left locked.
        assert.equal(await opened.store.transaction((t) => t.getBucketForWrite('no-such-bucket', ['k'])), undefined);
      } finally {
        await admin.close();
        await opened.cleanup();
      }
    });

    it('creates a missing schema on migrate, with bucket names in byte ("C") order', async () => {
      const schema = `stratus_test_${randomBytes(6).toString('hex')}`;
      const admin = new PostgresDriver(PG_URL, { max: 1 });
      try {
        const store = await openMetadataStore({ dataDir: '.', url: PG_URL, pgSchema: schema });
        try {
          const b = await store.insertBucket({ name: 'a-b', ownerId: 'o', region: 'r', createdAt: 1, versioning: 'Unversioned' });
          assert.deepEqual(await store.getBucket('a-b'), b);
          const col = await admin.get<{ collation_name: string }>(
            "SELECT collation_name FROM information_schema.columns WHERE table_schema = ? AND table_name = 'buckets' AND column_name = 'name'",
            [schema],
          );
          assert.equal(col?.collation_name, 'C');
          const tables = await admin.all<{ table_name: string }>('SELECT table_name FROM information_schema.tables WHERE table_schema = ?', [schema]);
          assert.ok(tables.some((t) => t.table_name === 'objects'), 'the tables are in the named schema');
        } finally {
          await store.close();
        }
      } finally {
        await admin.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await admin.close();
      }
    });

    it("parses BIGINT per pool, leaving pg's process-wide parsers alone", async () => {
      assert.equal(pg.types.getTypeParser(20, 'text')('5'), '5');
      const d = new PostgresDriver(PG_URL, { max: 1 });
      try {
        assert.deepEqual(await d.get('SELECT CAST(? AS BIGINT) AS n', [2 ** 40 + 1]), { n: 2 ** 40 + 1 });
      } finally {
        await d.close();
      }
    });

    it('refuses a schema name it would have to quote', () => {
      assert.throws(() => new PostgresDriver(PG_URL, { schema: 'x"; DROP' }), /invalid PostgreSQL schema name/);
    });
  });
}
