import path from 'node:path';
import type { MetadataStore } from './store.js';
import { SqlMetadataStore } from './sql/sql-store.js';
import { SqliteDriver } from './sql/sqlite-driver.js';
import { PostgresDriver } from './sql/pg-driver.js';

/**
 * Opens the metadata store named by a URL: `postgres://...` for PostgreSQL,
 * otherwise a SQLite file (default `<data>/meta.db`).
 */
export async function openMetadataStore(opts: { dataDir: string; url?: string; pgSchema?: string; fsync?: boolean }): Promise<MetadataStore> {
  const url = opts.url;
  const store =
    url && /^postgres(ql)?:\/\//.test(url)
      ? new SqlMetadataStore(new PostgresDriver(url, { schema: opts.pgSchema }))
      : new SqlMetadataStore(new SqliteDriver(url ?? path.join(opts.dataDir, 'meta.db'), opts.fsync ?? true));
  await store.migrate();
  return store;
}
