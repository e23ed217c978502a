import type { SqlDriver } from './driver.js';

/**
 * Schema migrations, applied in order and recorded in schema_migrations.
 * One text for both databases; the few type words that differ are
 * placeholders: {ID} (auto-increment key), {KEY} (text compared by its UTF-8
 * bytes, as S3 orders keys), {BIG} (64-bit integer). A step that only one
 * database needs gives a text per database.
 */
type Migration = string | { sqlite: string; postgres: string };

const MIGRATIONS: Migration[] = [
  `
  CREATE TABLE accounts (
    id TEXT PRIMARY KEY,
    display_name TEXT NOT NULL,
    created_at {BIG} NOT NULL
  );
  CREATE TABLE access_keys (
    access_key_id TEXT PRIMARY KEY,
    secret_access_key TEXT NOT NULL,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    session_token TEXT,
    expires_at {BIG},
    created_at {BIG} NOT NULL
  );
  CREATE TABLE buckets (
    id {ID},
    name TEXT NOT NULL UNIQUE,
    owner_id TEXT NOT NULL,
    region TEXT NOT NULL,
    created_at {BIG} NOT NULL,
    versioning TEXT NOT NULL,
    object_count {BIG} NOT NULL DEFAULT 0,
    bytes_used {BIG} NOT NULL DEFAULT 0
  );
  CREATE TABLE bucket_settings (
    bucket_id INTEGER NOT NULL REFERENCES buckets(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (bucket_id, name)
  );
  CREATE TABLE objects (
    id {ID},
    bucket_id INTEGER NOT NULL REFERENCES buckets(id) ON DELETE CASCADE,
    key {KEY} NOT NULL,
    version_id TEXT NOT NULL,
    is_latest SMALLINT NOT NULL,
    is_delete_marker SMALLINT NOT NULL,
    size {BIG} NOT NULL,
    etag TEXT NOT NULL,
    last_modified {BIG} NOT NULL,
    meta TEXT NOT NULL,
    checksums TEXT NOT NULL,
    storage_class TEXT NOT NULL,
    object_type TEXT NOT NULL,
    owner_id TEXT NOT NULL,
    blob_id TEXT,
    segment_count INTEGER NOT NULL,
    tags TEXT,
    extra TEXT NOT NULL
  );
  CREATE UNIQUE INDEX objects_version ON objects (bucket_id, key, version_id);
  CREATE INDEX objects_history ON objects (bucket_id, key, id);
  CREATE UNIQUE INDEX objects_latest ON objects (bucket_id, key) WHERE is_latest = 1;
  CREATE INDEX objects_visible ON objects (bucket_id, key) WHERE is_latest = 1 AND is_delete_marker = 0;
  CREATE INDEX objects_blob ON objects (blob_id) WHERE blob_id IS NOT NULL;
  CREATE TABLE object_segments (
    object_id {BIG} NOT NULL REFERENCES objects(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    blob_id TEXT NOT NULL,
    size {BIG} NOT NULL,
    etag TEXT NOT NULL,
    checksums TEXT NOT NULL,
    PRIMARY KEY (object_id, seq)
  );
  CREATE INDEX object_segments_blob ON object_segments (blob_id);
  CREATE TABLE uploads (
    upload_id TEXT PRIMARY KEY,
    bucket_id INTEGER NOT NULL REFERENCES buckets(id) ON DELETE CASCADE,
    key {KEY} NOT NULL,
    initiated {BIG} NOT NULL,
    owner_id TEXT NOT NULL,
    meta TEXT NOT NULL,
    storage_class TEXT NOT NULL,
    tags TEXT,
    extra TEXT NOT NULL
  );
  CREATE INDEX uploads_key ON uploads (bucket_id, key, initiated);
  CREATE TABLE upload_parts (
    upload_id TEXT NOT NULL REFERENCES uploads(upload_id) ON DELETE CASCADE,
    part_number INTEGER NOT NULL,
    blob_id TEXT NOT NULL,
    size {BIG} NOT NULL,
    etag TEXT NOT NULL,
    checksums TEXT NOT NULL,
    last_modified {BIG} NOT NULL,
    PRIMARY KEY (upload_id, part_number)
  );
  CREATE INDEX upload_parts_blob ON upload_parts (blob_id);
  CREATE TABLE once_tokens (
    scope TEXT NOT NULL,
    token TEXT NOT NULL,
    expires_at {BIG} NOT NULL,
    PRIMARY KEY (scope, token)
  );
  `,
  // COS JSON v4 addresses an account by its numeric appid.
  `
  ALTER TABLE accounts ADD COLUMN appid TEXT;
  CREATE UNIQUE INDEX accounts_appid ON accounts (appid);
  `,
  {
    // Bucket names are listed in byte order; SQLite compares TEXT by bytes already, PostgreSQL
    // needs the "C" collation (the database default may be a linguistic one). Expired single-use
    // tokens are purged on every use: index their expiry.
    sqlite: `CREATE INDEX once_tokens_expiry ON once_tokens (expires_at)`,
    postgres: `
    ALTER TABLE buckets ALTER COLUMN name TYPE TEXT COLLATE "C";
    CREATE INDEX once_tokens_expiry ON once_tokens (expires_at);
    `,
  },
  // Identities: accounts get a name and an email (both unique; grants by email resolve here); keys
  // belong to an account root or an IAM user and may be Inactive; temporary credentials record
  // whom they act as and the key that asked for them. IAM names are unique regardless of case.
  `
  ALTER TABLE accounts ADD COLUMN name TEXT;
  ALTER TABLE accounts ADD COLUMN email TEXT;
  CREATE UNIQUE INDEX accounts_name ON accounts (name);
  CREATE UNIQUE INDEX accounts_email ON accounts (email);
  ALTER TABLE access_keys ADD COLUMN user_name TEXT;
  ALTER TABLE access_keys ADD COLUMN status TEXT NOT NULL DEFAULT 'Active';
  ALTER TABLE access_keys ADD COLUMN role_name TEXT;
  ALTER TABLE access_keys ADD COLUMN session_name TEXT;
  ALTER TABLE access_keys ADD COLUMN session_policy TEXT;
  ALTER TABLE access_keys ADD COLUMN principal_id TEXT;
  ALTER TABLE access_keys ADD COLUMN parent_key TEXT;
  CREATE INDEX access_keys_owner ON access_keys (account_id, user_name);
  CREATE INDEX access_keys_expiry ON access_keys (expires_at) WHERE expires_at IS NOT NULL;
  CREATE TABLE iam_users (
    account_id TEXT NOT NULL REFERENCES accounts(id),
    name TEXT NOT NULL,
    id TEXT NOT NULL UNIQUE,
    path TEXT NOT NULL,
    created_at {BIG} NOT NULL
  );
  CREATE UNIQUE INDEX iam_users_name ON iam_users (account_id, lower(name));
  CREATE TABLE iam_roles (
    account_id TEXT NOT NULL REFERENCES accounts(id),
    name TEXT NOT NULL,
    id TEXT NOT NULL UNIQUE,
    path TEXT NOT NULL,
    trust_policy TEXT NOT NULL,
    max_session_duration INTEGER NOT NULL,
    description TEXT,
    created_at {BIG} NOT NULL
  );
  CREATE UNIQUE INDEX iam_roles_name ON iam_roles (account_id, lower(name));
  CREATE TABLE iam_policies (
    account_id TEXT NOT NULL,
    owner_kind TEXT NOT NULL,
    owner_name TEXT NOT NULL,
    name TEXT NOT NULL,
    document TEXT NOT NULL
  );
  CREATE UNIQUE INDEX iam_policies_name ON iam_policies (account_id, owner_kind, lower(owner_name), lower(name));
  `,
  {
    // PostgreSQL: writes append usage deltas instead of updating the bucket row, so writers of
    // one bucket do not queue behind that row's lock (sql-store: getBucketForWrite, adjustUsage).
    sqlite: `SELECT 1`,
    postgres: `
    CREATE TABLE bucket_usage (
      id BIGSERIAL PRIMARY KEY,
      bucket_id BIGINT NOT NULL REFERENCES buckets(id) ON DELETE CASCADE,
      objects BIGINT NOT NULL,
      bytes BIGINT NOT NULL
    );
    CREATE INDEX bucket_usage_bucket ON bucket_usage (bucket_id);
    `,
  },
  // ---- background workers (issue 14): leases (one gateway runs each worker), each worker's
  // persisted progress (cursor), so a pass resumes where it stopped after a restart, and the
  // queue of access-log lines waiting to be written into their target buckets.
  `
  CREATE TABLE worker_leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    expires_at {BIG} NOT NULL
  );
  CREATE TABLE worker_state (
    name TEXT PRIMARY KEY,
    doc TEXT NOT NULL
  );
  CREATE INDEX bucket_settings_name ON bucket_settings (name, bucket_id);
  CREATE TABLE access_log_queue (
    id {ID},
    source_bucket TEXT NOT NULL,
    target_bucket TEXT NOT NULL,
    target_key_prefix TEXT NOT NULL,
    line TEXT NOT NULL,
    created_at {BIG} NOT NULL
  );
  `,
  // ---- small objects inline (issue 16): their bytes in the metadata store, written in the commit
  // that makes the version visible (one fsync for a small PUT, no file to open for its GET). A table
  // of its own, so that listings, which scan object rows, do not page through object data.
  {
    sqlite: `
    ALTER TABLE objects ADD COLUMN inline SMALLINT NOT NULL DEFAULT 0;
    CREATE TABLE object_data (
      object_id INTEGER PRIMARY KEY REFERENCES objects(id) ON DELETE CASCADE,
      data BLOB NOT NULL
    );
    `,
    postgres: `
    ALTER TABLE objects ADD COLUMN inline SMALLINT NOT NULL DEFAULT 0;
    CREATE TABLE object_data (
      object_id BIGINT PRIMARY KEY REFERENCES objects(id) ON DELETE CASCADE,
      data BYTEA NOT NULL
    );
    `,
  },
  // ---- coherence across gateways (issue 15): one counter that every change to data a gateway
  // caches (bucket rows, bucket settings, long-term keys and their status, users, roles, identity
  // policies) moves in the change's own transaction; gateways read it a few times a second and drop
  // their caches when it moved (src/server/change-watch.ts).
  `
  CREATE TABLE cache_changes (
    id INTEGER PRIMARY KEY,
    n {BIG} NOT NULL
  );
  INSERT INTO cache_changes (id, n) VALUES (1, 0);
  `,
  // Per-object expiry (OBS x-obs-expires): when the lifecycle worker deletes a current version.
  // Indexed for current versions only, so a pass reads what is due by the index, never a bucket.
  `
  ALTER TABLE objects ADD COLUMN expires_at {BIG};
  CREATE INDEX objects_expiry ON objects (expires_at, id) WHERE expires_at IS NOT NULL AND is_latest = 1;
  `,
  // Current versions by creation time, per bucket: a lifecycle pass over an unversioned bucket whose
  // rules only expire by age reads the objects old enough to be due, not the whole bucket. The key
  // is in the index so a rule's prefix is tested there; (last_modified, key) is unique per bucket.
  `
  CREATE INDEX objects_age ON objects (bucket_id, last_modified, key) WHERE is_latest = 1;
  `,
];

const TYPES = {
  sqlite: { ID: 'INTEGER PRIMARY KEY AUTOINCREMENT', KEY: 'TEXT', BIG: 'INTEGER' },
  postgres: { ID: 'BIGSERIAL PRIMARY KEY', KEY: 'TEXT COLLATE "C"', BIG: 'BIGINT' },
} as const;

export function renderMigration(sql: string, kind: SqlDriver['kind']): string {
  const t = TYPES[kind];
  return sql.replace(/\{(ID|KEY|BIG)\}/g, (_, w: keyof typeof t) => t[w]);
}

/**
 * Applies the missing steps in one transaction. Gateways starting together
 * serialise here: SQLite's BEGIN IMMEDIATE takes the write lock at once, and
 * on PostgreSQL a transaction-scoped advisory lock is taken first; whoever
 * comes second finds the steps recorded and does nothing.
 */
export async function migrate(driver: SqlDriver): Promise<number> {
  return driver.transaction(async (ex) => {
    if (driver.kind === 'postgres') {
      await ex.get('SELECT pg_advisory_xact_lock(hashtext(?)) AS locked', [`stratus:migrate:${driver.schema ?? ''}`]);
      // Checked first: CREATE SCHEMA IF NOT EXISTS needs the CREATE privilege even when the schema exists.
      if (driver.schema && !(await ex.get('SELECT 1 AS x FROM pg_namespace WHERE nspname = ?', [driver.schema]))) {
        await ex.run(`CREATE SCHEMA ${driver.schema}`);
      }
    }
    await ex.run(`CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at ${TYPES[driver.kind].BIG} NOT NULL)`);
    const done = new Set((await ex.all<{ version: number }>('SELECT version FROM schema_migrations')).map((r) => Number(r.version)));
    let applied = 0;
    for (let v = 1; v <= MIGRATIONS.length; v++) {
      if (done.has(v)) continue;
      const m = MIGRATIONS[v - 1];
      const text = typeof m === 'string' ? m : m[driver.kind];
      for (const stmt of renderMigration(text, driver.kind).split(';')) {
        if (stmt.trim()) await ex.run(stmt);
      }
      await ex.run('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)', [v, Date.now()]);
      applied++;
    }
    return applied;
  });
}
