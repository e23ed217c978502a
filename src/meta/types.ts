/** Records kept by the metadata store. Times are epoch milliseconds. */

export type VersioningState = 'Unversioned' | 'Enabled' | 'Suspended';
export type ObjectType = 'Normal' | 'Multipart' | 'Appendable' | 'Symlink';

export interface AccountRecord {
  /** S3's canonical user id: 64 hex digits (the first-start account keeps `root`, see ARCHITECTURE.md). */
  id: string;
  displayName: string;
  createdAt: number;
  /** Numeric COS appid (COS JSON v4 addresses accounts by it). */
  appid?: string | null;
  /** The operator's name for the account (unique); an absent one leaves the stored one. */
  name?: string | null;
  /** Grants by email name it (unique); an absent one leaves the stored one. */
  email?: string | null;
}

export type KeyStatus = 'Active' | 'Inactive';

/**
 * A key pair: an account root's or an IAM user's long-term key, or a
 * temporary (STS) credential, which has a session token and an expiry.
 * Optional fields default on write; reads fill every field.
 */
export interface AccessKeyRecord {
  accessKeyId: string;
  secretAccessKey: string;
  accountId: string;
  sessionToken: string | null;
  expiresAt: number | null;
  createdAt: number;
  /** The IAM user the key (or session) acts as; null: the account's root. */
  userName?: string | null;
  /** Inactive keys are refused (InvalidAccessKeyId) but kept. */
  status?: KeyStatus;
  /** Sessions of AssumeRole: the role assumed, and the session's name. */
  roleName?: string | null;
  sessionName?: string | null;
  /** A session's inline policy (JSON text). */
  sessionPolicy?: string | null;
  /** Sessions: the user's or role's id when issued (a same-named successor does not revive them). */
  principalId?: string | null;
  /** Sessions: the long-term key that asked for it (GetSessionToken, AssumeRole); the session dies with it. */
  parentKey?: string | null;
}

/** An IAM user of an account. */
export interface UserRecord {
  accountId: string;
  name: string;
  /** IAM's unique id (AIDA...). */
  id: string;
  path: string;
  createdAt: number;
}

/** An IAM role of an account: who may assume it (trust policy) and for how long. */
export interface RoleRecord {
  accountId: string;
  name: string;
  /** IAM's unique id (AROA...). */
  id: string;
  path: string;
  trustPolicy: string;
  /** Seconds (3600..43200). */
  maxSessionDuration: number;
  description: string | null;
  createdAt: number;
}

/** Whose inline policies: a user's or a role's, by name within an account. */
export interface PolicyOwner {
  accountId: string;
  kind: 'user' | 'role';
  name: string;
}

export interface InlinePolicy {
  name: string;
  document: string;
}

export interface BucketRecord {
  id: number;
  name: string;
  ownerId: string;
  region: string;
  createdAt: number;
  versioning: VersioningState;
  /** Object versions stored (delete markers excluded) and their bytes; kept in the write transactions. */
  objectCount: number;
  bytesUsed: number;
}

/** Standard content headers and user metadata, as the client sent them. */
export interface ObjectMeta {
  contentType?: string;
  contentEncoding?: string;
  contentDisposition?: string;
  contentLanguage?: string;
  cacheControl?: string;
  expires?: string;
  /** User metadata, names lower-cased without the dialect prefix. */
  user: Record<string, string>;
}

/** One stored piece of an object's data: the object is its segments in order. */
export interface Segment {
  blobId: string;
  size: number;
  /** MD5 hex of this segment (the part ETag for multipart). */
  etag: string;
  /** Wire-form checksums of this segment (see digest encodeChecksum). */
  checksums: Record<string, string>;
}

export interface ObjectRecord {
  /** Monotonic row id: later writes have larger ids; orders versions of a key. */
  id: number;
  bucketId: number;
  key: string;
  /** 'null' for writes while versioning is off or suspended. */
  versionId: string;
  isLatest: boolean;
  isDeleteMarker: boolean;
  size: number;
  /** Unquoted ETag. */
  etag: string;
  lastModified: number;
  meta: ObjectMeta;
  checksums: Record<string, string>;
  storageClass: string;
  objectType: ObjectType;
  ownerId: string;
  /** Single-blob data (most objects). Null for delete markers and multi-segment objects. */
  blobId: string | null;
  /** Number of segments when the data is held in several blobs (multipart, append); 0 otherwise. */
  segmentCount: number;
  /** The data is held in the metadata store itself (a small object: see engine/inline.ts); no blob. */
  inline: boolean;
  /** An inline version's bytes, when it was read with them (`withData`) or is being written. */
  inlineData?: Buffer;
  tags: Record<string, string> | null;
  /** Free-form per-object settings (ACL, symlink target, ...), stored as a document. */
  extra: Record<string, unknown>;
  /**
   * Per-object expiry (OBS x-obs-expires): when the lifecycle worker deletes
   * this version if it is still current. Absent: none (reads leave it out).
   */
  expiresAt?: number;
}

/** `inlineData`: the bytes of an inline object, stored in the same commit as its row. */
export type NewObject = Omit<ObjectRecord, 'id'>;

export interface UploadRecord {
  uploadId: string;
  bucketId: number;
  key: string;
  initiated: number;
  ownerId: string;
  meta: ObjectMeta;
  storageClass: string;
  tags: Record<string, string> | null;
  extra: Record<string, unknown>;
}

export interface PartRecord extends Segment {
  uploadId: string;
  partNumber: number;
  lastModified: number;
}

/** A range query over the latest, visible (non-delete-marker) objects, ordered by key bytes. */
export interface KeyRange {
  /** Start key; rows with key > from (or >= when inclusive). */
  from?: string;
  inclusive?: boolean;
  /** Exclusive upper bound. */
  to?: string;
  limit: number;
  /** Newest key first (the rows nearest `to` come first). */
  descending?: boolean;
}

/** Position in the version listing: key ascending, then newest version first. */
export interface VersionCursor {
  key: string;
  /** Row id of the last version returned for `key`; rows with a smaller id come next. */
  beforeId?: number;
}

/** Position in the walk of due per-object expiries: after this (expiresAt, id). */
export interface ExpiryCursor {
  at: number;
  id: number;
}

/** Position in the walk of current versions by creation time: after this (lastModified, key). */
export interface AgeCursor {
  at: number;
  key: string;
}

/** A key range: keys >= from and < to (no upper bound when to is undefined). */
export interface KeySpan {
  from: string;
  to?: string;
}

/** Position in the uploads listing: after (key, uploadId), or at/after key. */
export interface UploadCursor {
  key: string;
  /** Continue after this upload of `key` (initiation order). */
  uploadId?: string;
  /** Without uploadId: include uploads of `key` itself. */
  inclusive?: boolean;
}

/** One access-log line waiting for delivery: written into `targetBucket` under a key starting with `targetKeyPrefix`. */
export interface AccessLogRow {
  sourceBucket: string;
  targetBucket: string;
  /** The log object's key up to its time stamp (TargetPrefix, and the partitions when partitioned). */
  targetKeyPrefix: string;
  line: string;
  createdAt: number;
}
