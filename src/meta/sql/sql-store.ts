import { createHash } from 'node:crypto';
import type { MetaOps, MetadataStore } from '../store.js';
import type {
  AccessKeyRecord,
  AccessLogRow,
  AccountRecord,
  AgeCursor,
  BucketRecord,
  ExpiryCursor,
  InlinePolicy,
  KeyStatus,
  PolicyOwner,
  RoleRecord,
  UserRecord,
  KeyRange,
  KeySpan,
  NewObject,
  ObjectMeta,
  ObjectRecord,
  PartRecord,
  Segment,
  UploadCursor,
  UploadRecord,
  VersionCursor,
  VersioningState,
} from '../types.js';
import type { SqlDriver, SqlExecutor } from './driver.js';
import { StorageError } from '../../engine/errors.js';
import { migrate } from './migrations.js';

type Row = Record<string, any>;

const json = (v: unknown) => JSON.stringify(v);
const parse = <T>(v: unknown, dflt: T): T => (typeof v === 'string' ? (JSON.parse(v) as T) : dflt);

function toAccount(r: Row): AccountRecord {
  return { id: r.id, displayName: r.display_name, createdAt: Number(r.created_at), appid: r.appid ?? null, name: r.name ?? null, email: r.email ?? null };
}

function toAccessKey(r: Row): AccessKeyRecord {
  return {
    accessKeyId: r.access_key_id,
    secretAccessKey: r.secret_access_key,
    accountId: r.account_id,
    sessionToken: r.session_token ?? null,
    expiresAt: r.expires_at == null ? null : Number(r.expires_at),
    createdAt: Number(r.created_at),
    userName: r.user_name ?? null,
    status: r.status === 'Inactive' ? 'Inactive' : 'Active',
    roleName: r.role_name ?? null,
    sessionName: r.session_name ?? null,
    sessionPolicy: r.session_policy ?? null,
    principalId: r.principal_id ?? null,
    parentKey: r.parent_key ?? null,
  };
}

function toUser(r: Row): UserRecord {
  return { accountId: r.account_id, name: r.name, id: r.id, path: r.path, createdAt: Number(r.created_at) };
}

function toRole(r: Row): RoleRecord {
  return {
    accountId: r.account_id,
    name: r.name,
    id: r.id,
    path: r.path,
    trustPolicy: r.trust_policy,
    maxSessionDuration: Number(r.max_session_duration),
    description: r.description ?? null,
    createdAt: Number(r.created_at),
  };
}

/** IAM listings are short: ordered here by the bytes of the name, whatever the database's collation. */
const byName = <T extends { name: string }>(rows: T[]) => rows.sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)));

function toBucket(r: Row): BucketRecord {
  return {
    id: Number(r.id),
    name: r.name,
    ownerId: r.owner_id,
    region: r.region,
    createdAt: Number(r.created_at),
    versioning: r.versioning,
    objectCount: Number(r.object_count),
    bytesUsed: Number(r.bytes_used),
  };
}

function toObject(r: Row): ObjectRecord {
  return {
    id: Number(r.id),
    bucketId: Number(r.bucket_id),
    key: r.key,
    versionId: r.version_id,
    isLatest: Number(r.is_latest) === 1,
    isDeleteMarker: Number(r.is_delete_marker) === 1,
    size: Number(r.size),
    etag: r.etag,
    lastModified: Number(r.last_modified),
    meta: parse(r.meta, { user: {} }),
    checksums: parse(r.checksums, {}),
    storageClass: r.storage_class,
    objectType: r.object_type,
    ownerId: r.owner_id,
    blobId: r.blob_id ?? null,
    segmentCount: Number(r.segment_count),
    inline: Number(r.inline) === 1,
    ...(r.inline_data ? { inlineData: Buffer.isBuffer(r.inline_data) ? r.inline_data : Buffer.from(r.inline_data) } : {}),
    tags: parse(r.tags, null),
    extra: parse(r.extra, {}),
    ...(r.expires_at != null ? { expiresAt: Number(r.expires_at) } : {}),
  };
}

function toUpload(r: Row): UploadRecord {
  return {
    uploadId: r.upload_id,
    bucketId: Number(r.bucket_id),
    key: r.key,
    initiated: Number(r.initiated),
    ownerId: r.owner_id,
    meta: parse(r.meta, { user: {} }),
    storageClass: r.storage_class,
    tags: parse(r.tags, null),
    extra: parse(r.extra, {}),
  };
}

function toPart(r: Row): PartRecord {
  return {
    uploadId: r.upload_id,
    partNumber: Number(r.part_number),
    blobId: r.blob_id,
    size: Number(r.size),
    etag: r.etag,
    checksums: parse(r.checksums, {}),
    lastModified: Number(r.last_modified),
  };
}

const OBJECT_COLS =
  'id, bucket_id, key, version_id, is_latest, is_delete_marker, size, etag, last_modified, meta, checksums, storage_class, object_type, owner_id, blob_id, segment_count, tags, extra, inline, expires_at';

const QUALIFIED_OBJECT_COLS = OBJECT_COLS.split(', ')
  .map((c) => `o.${c}`)
  .join(', ');
/** The same columns of `objects o`, and the bytes of an inline version (`object_data d`, joined). */
const OBJECT_COLS_WITH_DATA = `${QUALIFIED_OBJECT_COLS}, d.data AS inline_data`;

/** The advisory lock id of a key of a bucket: a signed 64-bit hash. */
function keyLockId(bucket: string, key: string): bigint {
  return createHash('sha256').update(`${bucket}\0${key}`).digest().readBigInt64BE(0);
}

/** Bucket rows on PostgreSQL: the usage columns plus the deltas appended since (see adjustUsage). */
const PG_BUCKETS = `SELECT b.*, b.object_count + COALESCE(u.objects, 0) AS object_count, b.bytes_used + COALESCE(u.bytes, 0) AS bytes_used
  FROM buckets b LEFT JOIN LATERAL (SELECT SUM(objects) AS objects, SUM(bytes) AS bytes FROM bucket_usage WHERE bucket_id = b.id) u ON true`;

/** Usage deltas of a bucket are folded into one row after this many writes in a process. */
const FOLD_EVERY = 256;

/** The metadata operations in portable SQL, over any executor (the pool or one transaction). */
class SqlOps implements MetaOps {
  constructor(
    protected readonly ex: SqlExecutor,
    protected readonly dialect: SqlDriver["kind"],
    /** Told of each bucket whose usage got a delta (PostgreSQL), so the store can fold them. */
    protected readonly usageTouched?: (bucketId: number) => void,
  ) {}

  /**
   * Moves the change counter (MetadataStore.changeCount) after a change to
   * cached data. Inside a transaction the row stays locked to the commit:
   * changes of cached data commit one after the other (they are rare:
   * settings, deletions, keys), and each takes this lock last, so no cycle.
   */
  private async changed(): Promise<void> {
    await this.ex.run('UPDATE cache_changes SET n = n + 1 WHERE id = 1');
  }

  async getAccount(id: string) {
    const r = await this.ex.get<Row>('SELECT * FROM accounts WHERE id = ?', [id]);
    return r && toAccount(r);
  }

  async getAccountByAppid(appid: string) {
    const r = await this.ex.get<Row>('SELECT * FROM accounts WHERE appid = ?', [appid]);
    return r && toAccount(r);
  }

  async getAccountByEmail(email: string) {
    const r = await this.ex.get<Row>('SELECT * FROM accounts WHERE email = ?', [email]);
    return r && toAccount(r);
  }

  async getAccountByName(name: string) {
    const r = await this.ex.get<Row>('SELECT * FROM accounts WHERE name = ?', [name]);
    return r && toAccount(r);
  }

  async putAccount(a: AccountRecord) {
    await this.ex.run(
      `INSERT INTO accounts (id, display_name, created_at, appid, name, email) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET display_name = excluded.display_name, appid = COALESCE(excluded.appid, accounts.appid),
         name = COALESCE(excluded.name, accounts.name), email = COALESCE(excluded.email, accounts.email)`,
      [a.id, a.displayName, a.createdAt, a.appid ?? null, a.name ?? null, a.email ?? null],
    );
  }

  async getAccessKey(accessKeyId: string): Promise<AccessKeyRecord | undefined> {
    const r = await this.ex.get<Row>('SELECT * FROM access_keys WHERE access_key_id = ?', [accessKeyId]);
    return r && toAccessKey(r);
  }

  async putAccessKey(k: AccessKeyRecord) {
    await this.ex.run(
      `INSERT INTO access_keys (access_key_id, secret_access_key, account_id, session_token, expires_at, created_at,
         user_name, status, role_name, session_name, session_policy, principal_id, parent_key)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (access_key_id) DO UPDATE SET secret_access_key = excluded.secret_access_key,
         account_id = excluded.account_id, session_token = excluded.session_token, expires_at = excluded.expires_at,
         user_name = excluded.user_name, status = excluded.status, role_name = excluded.role_name, session_name = excluded.session_name,
         session_policy = excluded.session_policy, principal_id = excluded.principal_id, parent_key = excluded.parent_key`,
      [
        k.accessKeyId, k.secretAccessKey, k.accountId, k.sessionToken, k.expiresAt, k.createdAt,
        k.userName ?? null, k.status ?? 'Active', k.roleName ?? null, k.sessionName ?? null, k.sessionPolicy ?? null, k.principalId ?? null, k.parentKey ?? null,
      ],
    );
    // A long-term key may replace a cached one (the root key at start-up); a new session never does.
    if (k.sessionToken === null) await this.changed();
  }

  async listAccessKeys(accountId: string, userName: string | null) {
    const rows = await this.ex.all<Row>(
      `SELECT * FROM access_keys WHERE account_id = ? AND session_token IS NULL AND ${userName === null ? 'user_name IS NULL' : 'user_name = ?'} ORDER BY created_at, access_key_id`,
      userName === null ? [accountId] : [accountId, userName],
    );
    return rows.map(toAccessKey);
  }

  async setAccessKeyStatus(accessKeyId: string, status: KeyStatus) {
    const n = await this.ex.run('UPDATE access_keys SET status = ? WHERE access_key_id = ?', [status, accessKeyId]);
    if (n) await this.changed();
    return n === 1;
  }

  async deleteAccessKey(accessKeyId: string) {
    const n = await this.ex.run('DELETE FROM access_keys WHERE access_key_id = ?', [accessKeyId]);
    if (n) await this.changed();
    return n === 1;
  }

  async purgeExpiredSessions(now: number) {
    return this.ex.run('DELETE FROM access_keys WHERE expires_at IS NOT NULL AND expires_at < ?', [now]);
  }

  async insertUser(u: UserRecord) {
    const n = await this.ex.run('INSERT INTO iam_users (account_id, name, id, path, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING', [
      u.accountId, u.name, u.id, u.path, u.createdAt,
    ]);
    return n === 1;
  }

  async getUser(accountId: string, name: string) {
    const r = await this.ex.get<Row>('SELECT * FROM iam_users WHERE account_id = ? AND lower(name) = lower(?)', [accountId, name]);
    return r && toUser(r);
  }

  async listUsers(accountId: string) {
    return byName((await this.ex.all<Row>('SELECT * FROM iam_users WHERE account_id = ?', [accountId])).map(toUser));
  }

  async deleteUser(accountId: string, name: string) {
    const n = await this.ex.run('DELETE FROM iam_users WHERE account_id = ? AND lower(name) = lower(?)', [accountId, name]);
    if (n) await this.changed();
    return n === 1;
  }

  async insertRole(r: RoleRecord) {
    const n = await this.ex.run(
      `INSERT INTO iam_roles (account_id, name, id, path, trust_policy, max_session_duration, description, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
      [r.accountId, r.name, r.id, r.path, r.trustPolicy, r.maxSessionDuration, r.description, r.createdAt],
    );
    return n === 1;
  }

  async getRole(accountId: string, name: string) {
    const r = await this.ex.get<Row>('SELECT * FROM iam_roles WHERE account_id = ? AND lower(name) = lower(?)', [accountId, name]);
    return r && toRole(r);
  }

  async listRoles(accountId: string) {
    return byName((await this.ex.all<Row>('SELECT * FROM iam_roles WHERE account_id = ?', [accountId])).map(toRole));
  }

  async deleteRole(accountId: string, name: string) {
    const n = await this.ex.run('DELETE FROM iam_roles WHERE account_id = ? AND lower(name) = lower(?)', [accountId, name]);
    if (n) await this.changed();
    return n === 1;
  }

  async putPolicy(o: PolicyOwner, p: InlinePolicy) {
    // Replacing keeps the name's first spelling, as IAM does.
    const n = await this.ex.run(
      'UPDATE iam_policies SET document = ? WHERE account_id = ? AND owner_kind = ? AND lower(owner_name) = lower(?) AND lower(name) = lower(?)',
      [p.document, o.accountId, o.kind, o.name, p.name],
    );
    if (n === 0) {
      await this.ex.run('INSERT INTO iam_policies (account_id, owner_kind, owner_name, name, document) VALUES (?, ?, ?, ?, ?)', [
        o.accountId, o.kind, o.name, p.name, p.document,
      ]);
    }
    await this.changed();
  }

  async getPolicy(o: PolicyOwner, name: string) {
    const r = await this.ex.get<Row>(
      'SELECT name, document FROM iam_policies WHERE account_id = ? AND owner_kind = ? AND lower(owner_name) = lower(?) AND lower(name) = lower(?)',
      [o.accountId, o.kind, o.name, name],
    );
    return r && { name: r.name as string, document: r.document as string };
  }

  async listPolicies(o: PolicyOwner) {
    const rows = await this.ex.all<Row>('SELECT name, document FROM iam_policies WHERE account_id = ? AND owner_kind = ? AND lower(owner_name) = lower(?)', [
      o.accountId, o.kind, o.name,
    ]);
    return byName(rows.map((r) => ({ name: r.name as string, document: r.document as string })));
  }

  async deletePolicy(o: PolicyOwner, name: string) {
    const n = await this.ex.run('DELETE FROM iam_policies WHERE account_id = ? AND owner_kind = ? AND lower(owner_name) = lower(?) AND lower(name) = lower(?)', [
      o.accountId, o.kind, o.name, name,
    ]);
    if (n) await this.changed();
    return n === 1;
  }

  /** A bucket row by name; on PostgreSQL its usage counters include the deltas not yet folded in. */
  private async bucketRow(name: string, lock: '' | ' FOR SHARE OF b' | ' FOR UPDATE OF b'): Promise<BucketRecord | undefined> {
    const r =
      this.dialect === 'postgres'
        ? await this.ex.get<Row>(`${PG_BUCKETS} WHERE b.name = ?${lock}`, [name])
        : await this.ex.get<Row>('SELECT * FROM buckets WHERE name = ?', [name]);
    return r && toBucket(r);
  }

  getBucket(name: string) {
    return this.bucketRow(name, '');
  }

  getBucketForUpdate(name: string) {
    return this.bucketRow(name, ' FOR UPDATE OF b');
  }

  async getBucketForWrite(name: string, keys: readonly string[]) {
    if (this.dialect !== 'postgres') return this.bucketRow(name, '');
    // One advisory lock per key (by bucket name and key), taken in a fixed order so two writers
    // of the same keys cannot deadlock, in the statement that reads the bucket: one round trip.
    // A hash collision only makes two keys' writers wait for each other.
    const hashes = [...new Set(keys)].map((k) => keyLockId(name, k)).sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
    const r = await this.ex.get<Row>(
      `WITH l AS MATERIALIZED (SELECT COUNT(pg_advisory_xact_lock(x)) AS n FROM unnest(?::bigint[]) AS x) ${PG_BUCKETS.replace('FROM buckets b', 'FROM l, buckets b')} WHERE b.name = ? FOR SHARE OF b`,
      [`{${hashes.join(',')}}`, name],
    );
    return r && toBucket(r);
  }

  async listBuckets(ownerId?: string) {
    const from = this.dialect === 'postgres' ? `${PG_BUCKETS} ` : 'SELECT * FROM buckets b ';
    const rows = ownerId ? await this.ex.all<Row>(`${from}WHERE b.owner_id = ? ORDER BY b.name`, [ownerId]) : await this.ex.all<Row>(`${from}ORDER BY b.name`);
    return rows.map(toBucket);
  }

  async insertBucket(b: Omit<BucketRecord, 'id' | 'objectCount' | 'bytesUsed'>) {
    // DO NOTHING rather than a unique violation: on PostgreSQL a violation would abort the
    // caller's transaction, and two gateways creating one name at once must get a clean answer.
    const r = await this.ex.get<Row>(
      'INSERT INTO buckets (name, owner_id, region, created_at, versioning) VALUES (?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING RETURNING *',
      [b.name, b.ownerId, b.region, b.createdAt, b.versioning],
    );
    if (r) return toBucket(r);
    const existing = await this.getBucket(b.name);
    throw new StorageError(existing && existing.ownerId === b.ownerId ? 'BucketAlreadyOwnedByYou' : 'BucketAlreadyExists', undefined, {
      BucketName: b.name,
    });
  }

  async deleteBucket(id: number) {
    await this.ex.run('DELETE FROM buckets WHERE id = ?', [id]);
    await this.changed();
  }

  async setVersioning(id: number, state: VersioningState) {
    await this.ex.run('UPDATE buckets SET versioning = ? WHERE id = ?', [state, id]);
    await this.changed();
  }

  async adjustUsage(id: number, objects: number, bytes: number) {
    if (objects === 0 && bytes === 0) return;
    if (this.dialect === 'postgres') {
      // Appended, not updated: an UPDATE would hold the bucket row's lock to the end of the transaction.
      await this.ex.run('INSERT INTO bucket_usage (bucket_id, objects, bytes) VALUES (?, ?, ?)', [id, objects, bytes]);
      this.usageTouched?.(id);
    } else await this.ex.run('UPDATE buckets SET object_count = object_count + ?, bytes_used = bytes_used + ? WHERE id = ?', [objects, bytes, id]);
  }

  async bucketHasContent(id: number, opts: { uploads: boolean }) {
    const o = await this.ex.get('SELECT 1 AS x FROM objects WHERE bucket_id = ? LIMIT 1', [id]);
    if (o || !opts.uploads) return !!o;
    return !!(await this.ex.get('SELECT 1 AS x FROM uploads WHERE bucket_id = ? LIMIT 1', [id]));
  }

  async deleteBucketUploads(bucketId: number) {
    const inBucket = 'upload_id IN (SELECT upload_id FROM uploads WHERE bucket_id = ?)';
    const rows = await this.ex.all<Row>(`SELECT blob_id FROM upload_parts WHERE ${inBucket}`, [bucketId]);
    await this.ex.run(`DELETE FROM upload_parts WHERE ${inBucket}`, [bucketId]);
    await this.ex.run('DELETE FROM uploads WHERE bucket_id = ?', [bucketId]);
    return rows.map((r) => String(r.blob_id));
  }

  async getSetting<T>(bucketId: number, name: string) {
    const r = await this.ex.get<Row>('SELECT doc FROM bucket_settings WHERE bucket_id = ? AND name = ?', [bucketId, name]);
    return r ? (JSON.parse(r.doc) as T) : undefined;
  }

  async putSetting(bucketId: number, name: string, doc: unknown) {
    await this.ex.run(
      'INSERT INTO bucket_settings (bucket_id, name, doc) VALUES (?, ?, ?) ON CONFLICT (bucket_id, name) DO UPDATE SET doc = excluded.doc',
      [bucketId, name, json(doc)],
    );
    await this.changed();
  }

  async deleteSetting(bucketId: number, name: string) {
    if (await this.ex.run('DELETE FROM bucket_settings WHERE bucket_id = ? AND name = ?', [bucketId, name])) await this.changed();
  }

  async getLatest(bucketId: number, key: string, opts?: { withData?: boolean }) {
    const r = await this.ex.get<Row>(
      opts?.withData
        ? `SELECT ${OBJECT_COLS_WITH_DATA} FROM objects o LEFT JOIN object_data d ON d.object_id = o.id WHERE o.bucket_id = ? AND o.key = ? AND o.is_latest = 1`
        : `SELECT ${OBJECT_COLS} FROM objects WHERE bucket_id = ? AND key = ? AND is_latest = 1`,
      [bucketId, key],
    );
    return r && toObject(r);
  }

  async getVersion(bucketId: number, key: string, versionId: string, opts?: { withData?: boolean }) {
    const r = await this.ex.get<Row>(
      opts?.withData
        ? `SELECT ${OBJECT_COLS_WITH_DATA} FROM objects o LEFT JOIN object_data d ON d.object_id = o.id WHERE o.bucket_id = ? AND o.key = ? AND o.version_id = ?`
        : `SELECT ${OBJECT_COLS} FROM objects WHERE bucket_id = ? AND key = ? AND version_id = ?`,
      [bucketId, key, versionId],
    );
    return r && toObject(r);
  }

  async getNewest(bucketId: number, key: string) {
    const r = await this.ex.get<Row>(`SELECT ${OBJECT_COLS} FROM objects WHERE bucket_id = ? AND key = ? ORDER BY id DESC LIMIT 1`, [
      bucketId,
      key,
    ]);
    return r && toObject(r);
  }

  async insertObject(o: NewObject) {
    if (o.inline && (!o.inlineData || o.inlineData.length !== o.size)) throw new Error('an inline object needs its data');
    const insert = `INSERT INTO objects (bucket_id, key, version_id, is_latest, is_delete_marker, size, etag, last_modified, meta, checksums,
         storage_class, object_type, owner_id, blob_id, segment_count, tags, extra, inline, expires_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`;
    // PostgreSQL: an inline object's bytes go in the same statement (one round trip).
    const together = o.inline && this.dialect === 'postgres';
    const r = await this.ex.get<Row>(
      together ? `WITH o AS (${insert}), d AS (INSERT INTO object_data (object_id, data) SELECT id, ? FROM o) SELECT id FROM o` : insert,
      [
        o.bucketId,
        o.key,
        o.versionId,
        o.isLatest ? 1 : 0,
        o.isDeleteMarker ? 1 : 0,
        o.size,
        o.etag,
        o.lastModified,
        json(o.meta),
        json(o.checksums),
        o.storageClass,
        o.objectType,
        o.ownerId,
        o.blobId,
        o.segmentCount,
        o.tags ? json(o.tags) : null,
        json(o.extra),
        o.inline ? 1 : 0,
        o.expiresAt ?? null,
        ...(together ? [o.inlineData!] : []),
      ],
    );
    const id = Number(r!.id);
    if (o.inline && !together) await this.ex.run('INSERT INTO object_data (object_id, data) VALUES (?, ?)', [id, o.inlineData!]);
    const { inlineData: _data, ...rec } = o;
    return { ...rec, id };
  }

  async setLatest(id: number, latest: boolean) {
    await this.ex.run('UPDATE objects SET is_latest = ? WHERE id = ?', [latest ? 1 : 0, id]);
  }

  async deleteObjectRow(id: number) {
    // Its segments and inline bytes go with it (ON DELETE CASCADE): one statement.
    await this.ex.run('DELETE FROM objects WHERE id = ?', [id]);
  }

  async updateObjectTags(id: number, tags: Record<string, string> | null) {
    await this.ex.run('UPDATE objects SET tags = ? WHERE id = ?', [tags ? json(tags) : null, id]);
  }

  async updateObjectExtra(id: number, extra: Record<string, unknown>) {
    await this.ex.run('UPDATE objects SET extra = ? WHERE id = ?', [json(extra), id]);
  }

  async updateObjectMeta(id: number, meta: ObjectMeta) {
    await this.ex.run('UPDATE objects SET meta = ? WHERE id = ?', [json(meta), id]);
  }

  async getObjectData(objectId: number): Promise<Buffer | undefined> {
    const r = await this.ex.get<{ data: Buffer | Uint8Array }>('SELECT data FROM object_data WHERE object_id = ?', [objectId]);
    return r && (Buffer.isBuffer(r.data) ? r.data : Buffer.from(r.data));
  }

  async getSegments(objectId: number): Promise<Segment[]> {
    const rows = await this.ex.all<Row>('SELECT * FROM object_segments WHERE object_id = ? ORDER BY seq', [objectId]);
    return rows.map((r) => ({ blobId: r.blob_id, size: Number(r.size), etag: r.etag, checksums: parse(r.checksums, {}) }));
  }

  async updateObjectData(id: number, d: Pick<ObjectRecord, 'size' | 'etag' | 'lastModified' | 'checksums' | 'segmentCount' | 'blobId'>) {
    await this.ex.run('UPDATE objects SET size = ?, etag = ?, last_modified = ?, checksums = ?, segment_count = ?, blob_id = ? WHERE id = ?', [
      d.size,
      d.etag,
      d.lastModified,
      json(d.checksums),
      d.segmentCount,
      d.blobId,
      id,
    ]);
  }

  async insertSegments(objectId: number, segments: Segment[], startSeq = 0) {
    let seq = startSeq;
    for (const s of segments) {
      await this.ex.run('INSERT INTO object_segments (object_id, seq, blob_id, size, etag, checksums) VALUES (?, ?, ?, ?, ?, ?)', [
        objectId,
        seq++,
        s.blobId,
        s.size,
        s.etag,
        json(s.checksums),
      ]);
    }
  }

  async holdVersion(id: number) {
    const lock = this.dialect === 'postgres' ? ' FOR SHARE' : '';
    return !!(await this.ex.get(`SELECT id FROM objects WHERE id = ?${lock}`, [id]));
  }

  async blobReferenced(blobId: string) {
    return !!(
      (await this.ex.get('SELECT 1 AS x FROM objects WHERE blob_id = ? LIMIT 1', [blobId])) ||
      (await this.ex.get('SELECT 1 AS x FROM object_segments WHERE blob_id = ? LIMIT 1', [blobId])) ||
      (await this.ex.get('SELECT 1 AS x FROM upload_parts WHERE blob_id = ? LIMIT 1', [blobId]))
    );
  }

  async listLatest(bucketId: number, range: KeyRange) {
    const where = ['bucket_id = ?', 'is_latest = 1', 'is_delete_marker = 0'];
    const params: (string | number)[] = [bucketId];
    if (range.from !== undefined) {
      where.push(range.inclusive ? 'key >= ?' : 'key > ?');
      params.push(range.from);
    }
    if (range.to !== undefined) {
      where.push('key < ?');
      params.push(range.to);
    }
    params.push(range.limit);
    const order = range.descending ? 'key DESC' : 'key';
    const rows = await this.ex.all<Row>(`SELECT ${OBJECT_COLS} FROM objects WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT ?`, params);
    return rows.map(toObject);
  }

  async listVersions(bucketId: number, from: VersionCursor | undefined, to: string | undefined, limit: number) {
    const params: (string | number)[] = [bucketId];
    let cond = '';
    if (from) {
      if (from.beforeId !== undefined) {
        // `key >= ?` first so the index range starts at the cursor rather than the bucket's first key.
        cond = ' AND key >= ? AND (key > ? OR id < ?)';
        params.push(from.key, from.key, from.beforeId);
      } else {
        cond = ' AND key >= ?';
        params.push(from.key);
      }
    }
    if (to !== undefined) {
      cond += ' AND key < ?';
      params.push(to);
    }
    params.push(limit);
    const rows = await this.ex.all<Row>(`SELECT ${OBJECT_COLS} FROM objects WHERE bucket_id = ?${cond} ORDER BY key, id DESC LIMIT ?`, params);
    return rows.map(toObject);
  }

  async insertUpload(u: UploadRecord) {
    await this.ex.run(
      'INSERT INTO uploads (upload_id, bucket_id, key, initiated, owner_id, meta, storage_class, tags, extra) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [u.uploadId, u.bucketId, u.key, u.initiated, u.ownerId, json(u.meta), u.storageClass, u.tags ? json(u.tags) : null, json(u.extra)],
    );
  }

  async getUpload(bucketId: number, uploadId: string) {
    const r = await this.ex.get<Row>('SELECT * FROM uploads WHERE upload_id = ? AND bucket_id = ?', [uploadId, bucketId]);
    return r && toUpload(r);
  }

  async holdUpload(bucketId: number, uploadId: string) {
    const lock = this.dialect === 'postgres' ? ' FOR UPDATE' : '';
    const r = await this.ex.get<Row>(`SELECT * FROM uploads WHERE upload_id = ? AND bucket_id = ?${lock}`, [uploadId, bucketId]);
    return r && toUpload(r);
  }

  async deleteUpload(uploadId: string) {
    await this.ex.run('DELETE FROM upload_parts WHERE upload_id = ?', [uploadId]);
    await this.ex.run('DELETE FROM uploads WHERE upload_id = ?', [uploadId]);
  }

  async putPart(p: PartRecord) {
    // Writers of one part must not both read the same previous part (its blob would never be
    // collected): on PostgreSQL the upload row is locked first. Call it inside a transaction.
    if (this.dialect === 'postgres') await this.ex.get('SELECT upload_id FROM uploads WHERE upload_id = ? FOR UPDATE', [p.uploadId]);
    const old = await this.ex.get<Row>('SELECT * FROM upload_parts WHERE upload_id = ? AND part_number = ?', [p.uploadId, p.partNumber]);
    await this.ex.run(
      `INSERT INTO upload_parts (upload_id, part_number, blob_id, size, etag, checksums, last_modified) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (upload_id, part_number) DO UPDATE SET blob_id = excluded.blob_id, size = excluded.size, etag = excluded.etag,
         checksums = excluded.checksums, last_modified = excluded.last_modified`,
      [p.uploadId, p.partNumber, p.blobId, p.size, p.etag, json(p.checksums), p.lastModified],
    );
    return old && toPart(old);
  }

  async listParts(uploadId: string, afterPart: number, limit: number) {
    const rows = await this.ex.all<Row>(
      'SELECT * FROM upload_parts WHERE upload_id = ? AND part_number > ? ORDER BY part_number LIMIT ?',
      [uploadId, afterPart, limit],
    );
    return rows.map(toPart);
  }

  async listUploads(bucketId: number, from: UploadCursor | undefined, to: string | undefined, limit: number) {
    const params: (string | number)[] = [bucketId];
    let cond = '';
    if (from) {
      if (from.uploadId !== undefined) {
        // Uploads of one key are ordered by initiation time, then id.
        cond = ` AND (key > ? OR (key = ? AND (initiated, upload_id) > (SELECT initiated, upload_id FROM uploads WHERE upload_id = ?)))`;
        params.push(from.key, from.key, from.uploadId);
      } else {
        cond = from.inclusive ? ' AND key >= ?' : ' AND key > ?';
        params.push(from.key);
      }
    }
    if (to !== undefined) {
      cond += ' AND key < ?';
      params.push(to);
    }
    params.push(limit);
    const rows = await this.ex.all<Row>(`SELECT * FROM uploads WHERE bucket_id = ?${cond} ORDER BY key, initiated, upload_id LIMIT ?`, params);
    return rows.map(toUpload);
  }

  async consumeOnce(scope: string, token: string, expiresAt: number) {
    await this.ex.run('DELETE FROM once_tokens WHERE expires_at < ?', [Date.now()]);
    const n = await this.ex.run('INSERT INTO once_tokens (scope, token, expires_at) VALUES (?, ?, ?) ON CONFLICT (scope, token) DO NOTHING', [
      scope,
      token,
      expiresAt,
    ]);
    return n === 1;
  }

  // ---- background workers (issue 14)

  async acquireLease(name: string, holder: string, now: number, ttlMs: number) {
    // One statement: a free, expired or own lease is taken; another holder's live lease is left alone.
    const r = await this.ex.get<Row>(
      `INSERT INTO worker_leases (name, holder, expires_at) VALUES (?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
       WHERE worker_leases.holder = excluded.holder OR worker_leases.expires_at < ?
       RETURNING holder`,
      [name, holder, now + ttlMs, now],
    );
    return r?.holder === holder;
  }

  async releaseLease(name: string, holder: string) {
    await this.ex.run('DELETE FROM worker_leases WHERE name = ? AND holder = ?', [name, holder]);
  }

  async getLease(name: string) {
    const r = await this.ex.get<Row>('SELECT holder, expires_at FROM worker_leases WHERE name = ?', [name]);
    return r && { holder: String(r.holder), expiresAt: Number(r.expires_at) };
  }

  async getWorkerState<T>(name: string) {
    const r = await this.ex.get<Row>('SELECT doc FROM worker_state WHERE name = ?', [name]);
    return r ? (JSON.parse(r.doc) as T) : undefined;
  }

  async putWorkerState(name: string, doc: unknown) {
    await this.ex.run('INSERT INTO worker_state (name, doc) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET doc = excluded.doc', [name, json(doc)]);
  }

  async bucketsWithSetting(name: string, afterId: number, limit: number) {
    const rows = await this.ex.all<Row>(
      'SELECT b.* FROM bucket_settings s JOIN buckets b ON b.id = s.bucket_id WHERE s.name = ? AND s.bucket_id > ? ORDER BY s.bucket_id LIMIT ?',
      [name, afterId, limit],
    );
    return rows.map(toBucket);
  }

  async dueExpiries(now: number, after: ExpiryCursor | undefined, limit: number) {
    // The partial index objects_expiry holds exactly the current versions with an expiry: the
    // terms below repeat its predicate so both databases read it, from the cursor on.
    const params: (number | string)[] = [now];
    let cond = '';
    if (after) {
      cond = ' AND o.expires_at >= ? AND (o.expires_at > ? OR o.id > ?)';
      params.push(after.at, after.at, after.id);
    }
    params.push(limit);
    const rows = await this.ex.all<Row>(
      `SELECT ${QUALIFIED_OBJECT_COLS}, b.name AS bucket_name, b.owner_id AS bucket_owner FROM objects o JOIN buckets b ON b.id = o.bucket_id
       WHERE o.expires_at IS NOT NULL AND o.is_latest = 1 AND o.expires_at <= ?${cond} ORDER BY o.expires_at, o.id LIMIT ?`,
      params,
    );
    return rows.map((r) => ({ object: toObject(r), bucketName: r.bucket_name as string, bucketOwner: r.bucket_owner as string }));
  }

  async latestByAge(bucketId: number, upTo: number, after: AgeCursor | undefined, limit: number, spans?: readonly KeySpan[]) {
    // objects_age (bucket_id, last_modified, key) WHERE is_latest = 1: the range starts at the
    // cursor, and the key spans are tested on the index's own column.
    const params: (number | string)[] = [bucketId, upTo];
    let cond = '';
    if (after) {
      cond += ' AND last_modified >= ? AND (last_modified > ? OR key > ?)';
      params.push(after.at, after.at, after.key);
    }
    if (spans?.length) {
      const terms = spans.map((s) => {
        params.push(s.from);
        if (s.to === undefined) return 'key >= ?';
        params.push(s.to);
        return '(key >= ? AND key < ?)';
      });
      cond += ` AND (${terms.join(' OR ')})`;
    }
    params.push(limit);
    const rows = await this.ex.all<Row>(
      `SELECT ${OBJECT_COLS} FROM objects WHERE bucket_id = ? AND is_latest = 1 AND last_modified <= ?${cond} ORDER BY last_modified, key LIMIT ?`,
      params,
    );
    return rows.map(toObject);
  }

  async updateObjectStorageClass(id: number, storageClass: string) {
    await this.ex.run('UPDATE objects SET storage_class = ? WHERE id = ?', [storageClass, id]);
  }

  async enqueueAccessLogs(rows: AccessLogRow[]) {
    for (const r of rows)
      await this.ex.run('INSERT INTO access_log_queue (source_bucket, target_bucket, target_key_prefix, line, created_at) VALUES (?, ?, ?, ?, ?)', [
        r.sourceBucket,
        r.targetBucket,
        r.targetKeyPrefix,
        r.line,
        r.createdAt,
      ]);
  }

  async peekAccessLogs(limit: number) {
    const rows = await this.ex.all<Row>('SELECT * FROM access_log_queue ORDER BY id LIMIT ?', [limit]);
    return rows.map((r) => ({
      id: Number(r.id),
      sourceBucket: String(r.source_bucket),
      targetBucket: String(r.target_bucket),
      targetKeyPrefix: String(r.target_key_prefix),
      line: String(r.line),
      createdAt: Number(r.created_at),
    }));
  }

  async deleteAccessLogs(maxId: number) {
    await this.ex.run('DELETE FROM access_log_queue WHERE id <= ?', [maxId]);
  }
}

import type { StoreStats } from '../store.js';

/** A MetadataStore over a SQL driver: SQLite embedded, PostgreSQL for several gateways. */
export class SqlMetadataStore extends SqlOps implements MetadataStore {
  constructor(private readonly driver: SqlDriver) {
    super(driver, driver.kind);
  }

  get kind() {
    return this.driver.kind;
  }

  async migrate() {
    await migrate(this.driver);
  }

  private committed = 0;
  private rolledBack = 0;
  /** Per bucket, usage deltas this process appended since it last folded them (PostgreSQL). */
  private readonly unfolded = new Map<number, number>();

  transaction<T>(fn: (tx: MetaOps) => Promise<T>): Promise<T> {
    const touched: number[] = [];
    return this.driver.transaction((ex) => fn(new SqlOps(ex, this.driver.kind, (id) => touched.push(id)))).then(
      (r) => {
        this.committed++;
        for (const id of touched) this.noteDelta(id);
        return r;
      },
      (e: unknown) => {
        this.rolledBack++;
        throw e;
      },
    );
  }

  async changeCount(): Promise<number> {
    const r = await this.driver.get<Row>('SELECT n FROM cache_changes WHERE id = 1');
    return Number(r?.n ?? 0);
  }

  stats(): StoreStats {
    return { committed: this.committed, rolledBack: this.rolledBack, ...(this.driver.pool ? { pool: this.driver.pool() } : {}) };
  }

  /** Counts a committed delta; every FOLD_EVERY, folds the bucket's deltas (in the background). */
  private noteDelta(bucketId: number): void {
    const n = (this.unfolded.get(bucketId) ?? 0) + 1;
    if (n < FOLD_EVERY) {
      this.unfolded.set(bucketId, n);
      return;
    }
    this.unfolded.delete(bucketId);
    // Failure is harmless: the deltas stay and are summed on read; the next fold takes them.
    this.foldUsage(bucketId).catch(() => undefined);
  }

  /**
   * Replaces a bucket's usage deltas by one row holding their sum, so reads sum a
   * few rows. Touches neither the bucket row nor any lock a writer takes: writers
   * go on appending meanwhile; concurrent folds each take distinct rows.
   */
  async foldUsage(bucketId: number): Promise<void> {
    if (this.driver.kind !== 'postgres') return;
    await this.driver.run(
      `WITH d AS (DELETE FROM bucket_usage WHERE bucket_id = ? RETURNING objects, bytes)
       INSERT INTO bucket_usage (bucket_id, objects, bytes) SELECT ?, SUM(objects), SUM(bytes) FROM d HAVING COUNT(*) > 0`,
      [bucketId, bucketId],
    );
  }

  close() {
    return this.driver.close();
  }
}
