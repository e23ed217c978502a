import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
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
