/** Factories for the stores the conformance suites run against: a SQLite file, a PostgreSQL schema. */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PostgresDriver } from '../../src/meta/sql/pg-driver.js';
import { SqlMetadataStore } from '../../src/meta/sql/sql-store.js';
import type { SqlDriver } from '../../src/meta/sql/driver.js';
import { SqliteDriver } from '../../src/meta/sql/sqlite-driver.js';
import type { OpenedStore } from './conformance.js';

export const PG_URL = process.env.STRATUS_TEST_PG ?? 'postgres://127.0.0.1:5432/test';

/** A fresh SQLite database file in a temporary directory (not yet migrated). */
export async function openSqlite(wrap: (d: SqlDriver) => SqlDriver = (d) => d): Promise<OpenedStore> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'stratus-meta-'));
  const file = path.join(dir, 'meta.db');
  const store = new SqlMetadataStore(wrap(new SqliteDriver(file, false)));
  return {
    store,
    location: { url: file },
    async cleanup() {
      await store.close();
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Set (to 1) where PostgreSQL must be tested (scripts/run-tests.js sets it for
 * `npm test`): an unreachable server then fails the suites instead of skipping them.
 */
export const PG_REQUIRED = process.env.STRATUS_REQUIRE_PG === '1';

/**
 * What a suite does when PostgreSQL does not answer: skip with the reason, or,
 * when STRATUS_REQUIRE_PG=1, fail, so a run cannot pass without having tested it.
 */
export function pgMissing(t: { skip(message?: string): void }, reason: string): void {
  if (PG_REQUIRED) throw new Error(`${reason} (STRATUS_REQUIRE_PG=1: PostgreSQL is required)`);
  t.skip(reason);
}

/** Why PostgreSQL cannot be used, or undefined when it answers. */
export async function pgUnavailable(): Promise<string | undefined> {
  const d = new PostgresDriver(PG_URL, { max: 1, connectionTimeoutMillis: 3000 });
  try {
    await d.get('SELECT 1 AS x');
    return undefined;
  } catch (e) {
    return `PostgreSQL at ${PG_URL} does not answer (${(e as Error).message}); set STRATUS_TEST_PG to run this suite`;
  } finally {
    await d.close().catch(() => undefined);
  }
}

/** A fresh schema `stratus_test_<random>` (not yet migrated), dropped by cleanup. */
export async function openPostgres(wrap: (d: SqlDriver) => SqlDriver = (d) => d): Promise<OpenedStore> {
  const schema = `stratus_test_${randomBytes(6).toString('hex')}`;
  const admin = new PostgresDriver(PG_URL, { max: 1 });
  await admin.exec(`CREATE SCHEMA ${schema}`);
  const store = new SqlMetadataStore(wrap(new PostgresDriver(PG_URL, { schema })));
  return {
    store,
    location: { url: PG_URL, pgSchema: schema },
    async cleanup() {
      try {
        await store.close();
        await admin.exec(`DROP SCHEMA ${schema} CASCADE`);
      } finally {
        await admin.close();
      }
    },
  };
}
