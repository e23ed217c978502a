import type { DigestName, DigestValues } from '../digest/digest-set.js';
import type { MetaOps } from '../meta/store.js';
import type { BucketRecord, ObjectMeta, ObjectRecord } from '../meta/types.js';
import type { Conditions } from './conditions.js';

/** Who is calling; access control builds on this later. */
export interface Caller {
  accountId: string;
  /** An object write into another account's bucket: that bucket's owner (canned bucket-owner-* ACLs grant it). */
  bucketOwner?: string;
}

export interface WriteOptions {
  meta: ObjectMeta;
  storageClass?: string;
  tags?: Record<string, string> | null;
  extra?: Record<string, unknown>;
  /** Per-object expiry in lifecycle days from creation (OBS x-obs-expires; lifecycle/object-expiry.ts). */
  expireDays?: number;
  /** Declared body length, when known (Content-Length or decoded length). */
  size?: number;
  /** Largest body accepted (EntityTooLarge beyond). */
  maxSize?: number;
  /** Digests to compute besides MD5, in the same pass. */
  digests?: Iterable<DigestName>;
  /**
   * Runs after the body has been read and digested, before anything becomes
   * visible; throwing rejects the write and leaves nothing behind.
   */
  verify?: (digests: DigestValues, size: number) => void | Promise<void>;
  /** Wire-form checksums to store with the object (e.g. x-amz-checksum-*). */
  checksums?: (digests: DigestValues) => Record<string, string>;
  /** Conditional write against the current version (If-Match / If-None-Match: *). */
  ifMatch?: string;
  ifNoneMatch?: string;
  /**
   * Runs inside the commit's transaction, before the new version is written;
   * throwing aborts the write (e.g. a folder that must still exist).
   */
  within?: CommitCheck;
}

/**
 * What a front end's check inside an engine transaction may do: read. A
 * check gets the transaction's reads only, so nothing outside the engine
 * writes around it.
 */
export type CommitReads = Pick<MetaOps, 'getLatest' | 'getVersion' | 'listLatest' | 'listUploads'>;
export type CommitCheck = (tx: CommitReads, bucket: BucketRecord) => Promise<void>;

export interface ListOptions {
  prefix?: string;
  delimiter?: string;
  /** Exclusive start: marker, start-after or a continuation token's key. */
  after?: string;
  maxKeys: number;
}

export interface ListPage {
  objects: ObjectRecord[];
  prefixes: string[];
  truncated: boolean;
  /** The last key or common prefix returned: the next page starts after it. */
  last?: string;
}

export interface DeleteResult {
  versionId?: string;
  deleteMarker: boolean;
}

export interface CopyOptions {
  sourceVersionId?: string;
  sourceConditions?: Conditions;
  /** A failed source If-None-Match / If-Modified-Since is NotModified (304) as for a read, not 412 (OSS). */
  sourceConditionsAsRead?: boolean;
  /** REPLACE takes meta from the request; COPY keeps the source's. */
  metadataDirective: 'COPY' | 'REPLACE';
  meta?: ObjectMeta;
  storageClass?: string;
  taggingDirective?: 'COPY' | 'REPLACE';
  tags?: Record<string, string> | null;
  extra?: Record<string, unknown>;
  /** The copy's own expiry in lifecycle days from its creation (OBS x-obs-expires); a source's expiry is not copied. */
  expireDays?: number;
  /** Conditional write against the destination's current version (If-Match / If-None-Match: *). */
  ifMatch?: string;
  ifNoneMatch?: string;
}

export interface VersionListOptions {
  prefix?: string;
  delimiter?: string;
  /** Start after this key (all its versions), or after one of its versions with versionIdMarker. */
  keyMarker?: string;
  versionIdMarker?: string;
  maxKeys: number;
}

export interface VersionPage {
  /** Versions and delete markers: keys ascending, each key's versions newest first. */
  versions: ObjectRecord[];
  prefixes: string[];
  truncated: boolean;
  /** Where the next page starts (set when truncated): a key and version, or a common prefix alone. */
  nextKeyMarker?: string;
  nextVersionIdMarker?: string;
}
