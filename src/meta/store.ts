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
} from './types.js';

/**
 * The metadata operations the engine is written against. Every method is a
 * small, single-purpose statement; the engine composes them inside
 * `MetadataStore.transaction` so that a write becomes visible at exactly one
 * commit. Implementations: SQLite (embedded) and PostgreSQL, sharing one SQL
 * text (see sql/sql-store.ts) and one conformance suite.
 */
export interface MetaOps {
  // accounts and keys
  getAccount(id: string): Promise<AccountRecord | undefined>;
  getAccountByAppid(appid: string): Promise<AccountRecord | undefined>;
  /** Creates or updates an account; an absent appid leaves the stored one. */
  putAccount(a: AccountRecord): Promise<void>;
  getAccountByEmail(email: string): Promise<AccountRecord | undefined>;
  getAccountByName(name: string): Promise<AccountRecord | undefined>;
  getAccessKey(accessKeyId: string): Promise<AccessKeyRecord | undefined>;
  putAccessKey(k: AccessKeyRecord): Promise<void>;
  /** Long-term keys (no session token) of an account root (userName null) or of one user, oldest first. */
  listAccessKeys(accountId: string, userName: string | null): Promise<AccessKeyRecord[]>;
  /** False when no such key. */
  setAccessKeyStatus(accessKeyId: string, status: KeyStatus): Promise<boolean>;
  /** False when no such key. Its sessions are refused from then on (their parent is gone). */
  deleteAccessKey(accessKeyId: string): Promise<boolean>;
  /** Removes temporary credentials that expired before `now`; returns how many. */
  purgeExpiredSessions(now: number): Promise<number>;

  // IAM users, roles and their inline policies
  /** False (and nothing written) when the account already has a user of that name. */
  insertUser(u: UserRecord): Promise<boolean>;
  getUser(accountId: string, name: string): Promise<UserRecord | undefined>;
  /** An account's users by name (byte order). */
  listUsers(accountId: string): Promise<UserRecord[]>;
  deleteUser(accountId: string, name: string): Promise<boolean>;
  insertRole(r: RoleRecord): Promise<boolean>;
  getRole(accountId: string, name: string): Promise<RoleRecord | undefined>;
  listRoles(accountId: string): Promise<RoleRecord[]>;
  deleteRole(accountId: string, name: string): Promise<boolean>;
  /** Creates or replaces an inline policy. */
  putPolicy(owner: PolicyOwner, p: InlinePolicy): Promise<void>;
  getPolicy(owner: PolicyOwner, name: string): Promise<InlinePolicy | undefined>;
  /** The owner's inline policies by name (byte order). */
  listPolicies(owner: PolicyOwner): Promise<InlinePolicy[]>;
  deletePolicy(owner: PolicyOwner, name: string): Promise<boolean>;

  // buckets
  getBucket(name: string): Promise<BucketRecord | undefined>;
  /**
   * Locks the bucket row for the rest of the transaction (PostgreSQL), against every writer
   * of the bucket: for deleting it and changing what all writes read (versioning, settings).
   * A plain read elsewhere.
   */
  getBucketForUpdate(name: string): Promise<BucketRecord | undefined>;
  /**
   * For a write to some keys: the bucket, held against deletion and versioning changes but
   * not against other writers (FOR SHARE on PostgreSQL), and each key locked for the rest of
   * the transaction, so writers of one key serialise and writers of different keys run in
   * parallel. SQLite has one writer at a time: a plain read.
   */
  getBucketForWrite(name: string, keys: readonly string[]): Promise<BucketRecord | undefined>;
  listBuckets(ownerId?: string): Promise<BucketRecord[]>;
  /** Throws StorageError BucketAlreadyOwnedByYou / BucketAlreadyExists when the name is taken. */
  insertBucket(b: Omit<BucketRecord, 'id' | 'objectCount' | 'bytesUsed'>): Promise<BucketRecord>;
  deleteBucket(id: number): Promise<void>;
  setVersioning(id: number, state: VersioningState): Promise<void>;
  adjustUsage(id: number, objects: number, bytes: number): Promise<void>;
  /** True when any object version or delete marker exists in the bucket, or (with `uploads`) any multipart upload. */
  bucketHasContent(id: number, opts: { uploads: boolean }): Promise<boolean>;
  /** Removes every multipart upload of the bucket and their parts; returns the parts' blob ids. */
  deleteBucketUploads(bucketId: number): Promise<string[]>;

  // per-bucket settings, stored as JSON documents
  getSetting<T = unknown>(bucketId: number, name: string): Promise<T | undefined>;
  putSetting(bucketId: number, name: string, doc: unknown): Promise<void>;
  deleteSetting(bucketId: number, name: string): Promise<void>;

  // objects and versions
  /** With `withData`, an inline version comes with its bytes (`inlineData`), in the same statement: a small GET reads once. */
  getLatest(bucketId: number, key: string, opts?: { withData?: boolean }): Promise<ObjectRecord | undefined>;
  getVersion(bucketId: number, key: string, versionId: string, opts?: { withData?: boolean }): Promise<ObjectRecord | undefined>;
  /** The newest remaining version of a key (used to promote after a latest version is removed). */
  getNewest(bucketId: number, key: string): Promise<ObjectRecord | undefined>;
  insertObject(o: NewObject): Promise<ObjectRecord>;
  setLatest(id: number, latest: boolean): Promise<void>;
  deleteObjectRow(id: number): Promise<void>;
  updateObjectTags(id: number, tags: Record<string, string> | null): Promise<void>;
  updateObjectExtra(id: number, extra: Record<string, unknown>): Promise<void>;
  /** Replaces a version's content headers and user metadata in place. */
  updateObjectMeta(id: number, meta: ObjectMeta): Promise<void>;
  getSegments(objectId: number): Promise<Segment[]>;
  /** The bytes of an inline object version (undefined once the row is gone). */
  getObjectData(objectId: number): Promise<Buffer | undefined>;
  /** Adds segments numbered from `startSeq` (appends continue after the existing ones). */
  insertSegments(objectId: number, segments: Segment[], startSeq?: number): Promise<void>;
  /** Rewrites the data description of a version in place (appends). */
  updateObjectData(id: number, d: Pick<ObjectRecord, 'size' | 'etag' | 'lastModified' | 'checksums' | 'segmentCount' | 'blobId'>): Promise<void>;
  /**
   * Whether the version row still exists. On PostgreSQL it is then held
   * (FOR SHARE) until the transaction ends, so no concurrent write can delete
   * it, and free its blobs, before a copy that shares them commits.
   */
  holdVersion(id: number): Promise<boolean>;
  /** Whether any object, segment or part still points at the blob. */
  blobReferenced(blobId: string): Promise<boolean>;
  /** Latest visible objects in key-byte order within the range. */
  listLatest(bucketId: number, range: KeyRange): Promise<ObjectRecord[]>;
  /** All versions and delete markers from the cursor on, key ascending then newest first. */
  listVersions(bucketId: number, from: VersionCursor | undefined, to: string | undefined, limit: number): Promise<ObjectRecord[]>;

  // multipart uploads
  insertUpload(u: UploadRecord): Promise<void>;
  getUpload(bucketId: number, uploadId: string): Promise<UploadRecord | undefined>;
  deleteUpload(uploadId: string): Promise<void>;
  /**
   * The upload, if it still exists. On PostgreSQL its row is then locked
   * until the transaction ends (the lock putPart takes), so no part of it can
   * be replaced, and its blob freed, before a completion that uses it commits.
   */
  holdUpload(bucketId: number, uploadId: string): Promise<UploadRecord | undefined>;
  /**
   * Inserts or replaces a part; returns the replaced part, if any. Inside a transaction,
   * concurrent writers of one upload's parts serialise (each sees the part it replaces).
   */
  putPart(p: PartRecord): Promise<PartRecord | undefined>;
  listParts(uploadId: string, afterPart: number, limit: number): Promise<PartRecord[]>;
  /** Uploads ordered by key bytes, then initiation order. */
  listUploads(bucketId: number, from: UploadCursor | undefined, to: string | undefined, limit: number): Promise<UploadRecord[]>;

  // single-use tokens (e.g. COS one-time signatures): false when already used
  consumeOnce(scope: string, token: string, expiresAt: number): Promise<boolean>;

  // ---- background workers (issue 14): leases, persisted progress, what lifecycle needs
  /**
   * Takes or renews the lease `name` for `holder` until `now + ttlMs`: true when
   * `holder` now holds it (it was free, expired, or already its own).
   */
  acquireLease(name: string, holder: string, now: number, ttlMs: number): Promise<boolean>;
  /** Gives the lease up if `holder` holds it. */
  releaseLease(name: string, holder: string): Promise<void>;
  /** Who holds the lease, until when (expired leases included). */
  getLease(name: string): Promise<{ holder: string; expiresAt: number } | undefined>;
  getWorkerState<T = unknown>(name: string): Promise<T | undefined>;
  putWorkerState(name: string, doc: unknown): Promise<void>;
  /** Buckets that have the setting `name` stored, by id after `afterId`. */
  bucketsWithSetting(name: string, afterId: number, limit: number): Promise<BucketRecord[]>;
  /**
   * Current versions whose per-object expiry (`expiresAt`) is at or before
   * `now`, by (expiresAt, id) after `after`, with their bucket's name and
   * owner: read through an index of expiring current versions, so the cost
   * follows what is due.
   */
  dueExpiries(now: number, after: ExpiryCursor | undefined, limit: number): Promise<{ object: ObjectRecord; bucketName: string; bucketOwner: string }[]>;
  /**
   * A bucket's current versions (delete markers included) written at or
   * before `upTo`, by (lastModified, key) after `after`, within any of
   * `spans` when given: read through the creation-time index, so the cost
   * follows the objects old enough, not the bucket.
   */
  latestByAge(bucketId: number, upTo: number, after: AgeCursor | undefined, limit: number, spans?: readonly KeySpan[]): Promise<ObjectRecord[]>;
  /** Moves a version to another storage class in place (lifecycle transitions). */
  updateObjectStorageClass(id: number, storageClass: string): Promise<void>;
  /** Appends access-log lines to the delivery queue. */
  enqueueAccessLogs(rows: AccessLogRow[]): Promise<void>;
  /** The oldest queued lines, in queue order. */
  peekAccessLogs(limit: number): Promise<(AccessLogRow & { id: number })[]>;
  /** Removes the queued lines up to and including `maxId` (delivered). */
  deleteAccessLogs(maxId: number): Promise<void>;
}

export interface MetadataStore extends MetaOps {
  readonly kind: 'sqlite' | 'postgres';
  /** Creates or upgrades the schema. */
  migrate(): Promise<void>;
  /** Runs fn in one transaction: all its writes commit together or not at all. */
  transaction<T>(fn: (tx: MetaOps) => Promise<T>): Promise<T>;
  /**
   * The change counter: moved by every change to data that gateways cache (a
   * bucket deleted or its versioning changed, a bucket setting, a long-term
   * key written, disabled or deleted, a user or role deleted, an identity
   * policy put or deleted), in the change's own transaction, so a reader that
   * sees it move reads the change too. Not moved by object writes or sessions.
   */
  changeCount(): Promise<number>;
  /** Counters for metrics: transactions committed and rolled back, and the connection pool (PostgreSQL). */
  stats(): StoreStats;
  close(): Promise<void>;
}

export interface StoreStats {
  committed: number;
  rolledBack: number;
  pool?: { total: number; idle: number; waiting: number };
}
