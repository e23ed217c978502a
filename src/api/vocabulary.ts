import type { DigestName } from '../digest/digest-set.js';
import type { ByteRange } from '../blob/store.js';
import type { ErrorCode } from '../engine/errors.js';
import type { HttpContext } from '../http/context.js';
import type { ObjectRecord } from '../meta/types.js';
import type { OpContext } from './op-context.js';

export interface WireError {
  status: number;
  code: string;
  message: string;
  /** Fields the dialect appends to every error body of this code (OSS: EC, RecommendDoc). */
  fields?: Record<string, string>;
}

/**
 * What differs between the XML dialects (S3, OSS, OBS) when they perform the
 * same operation: header names, limits and the error vocabulary. Operations
 * in src/api are written once against this table.
 */
export interface Vocabulary {
  readonly dialect: 's3' | 'oss' | 'obs';
  /** 'x-amz-', 'x-oss-' or 'x-obs-'. */
  readonly prefix: string;
  /** User metadata header prefix, e.g. 'x-amz-meta-'. */
  readonly metaPrefix: string;
  readonly xmlns?: string;
  /** Largest total size of user metadata (names and values), in bytes. */
  readonly maxMetaBytes: number;
  /** Storage classes a client may ask for, in the dialect's words; the first is the default. */
  readonly storageClasses: readonly string[];
  /** The checksum kept for writes that declare none (S3: CRC64NVME, as S3 has done since 2025). */
  readonly defaultChecksum?: DigestName;
  /** Maps a neutral error to this dialect's status, code and message. */
  error(code: ErrorCode, message: string, status: number): WireError;

  // Optional differences; S3's behaviour when absent.

  /**
   * Neutral (S3) storage class -> the dialect's wire name, where they differ
   * (OBS 'STANDARD_IA' -> 'WARM', OSS 'STANDARD_IA' -> 'IA'). Read both ways
   * by wireStorageClass and neutralStorageClass.
   */
  readonly storageClassNames?: Readonly<Record<string, string>>;
  /** Content-Type reported for an object stored without one (S3: binary/octet-stream). */
  readonly defaultContentType?: string;
  /** Smallest size of every multipart part but the last, checked at completion (default: the engine's, S3's 5 MiB). */
  readonly minPartSize?: number;
  /** Most tags a bucket may carry (default: S3's 50). */
  readonly maxBucketTags?: number;
  /** The element naming a bucket's region in ListBuckets (S3: BucketRegion; OBS: Location). */
  readonly bucketRegionElement?: string;
  /** Object listings give each object's Type and, whenever truncated, a NextMarker (OSS). */
  readonly listingTypeAndNextMarker?: boolean;
  /** Unfinished multipart uploads make DeleteBucket answer BucketNotEmpty (OSS, OBS); S3 deletes them with the bucket. */
  readonly uploadsBlockBucketDelete?: boolean;
  /** Failed copy-source If-None-Match / If-Modified-Since answer 304, as for a read (OSS), not 412. */
  readonly copySourceNotModified?: boolean;
  /** Headers a write answers for the checksums stored (default: S3's flexible x-amz-checksum-*). */
  writeChecksumHeaders?(checksums: Record<string, string>): Record<string, string>;
  /** Extra headers describing an object on GET and HEAD (OSS: type, CRC-64; OBS: append position). */
  objectHeaders?(o: ObjectRecord): Record<string, string>;
  /**
   * The single range a GET serves for a Range header (default: S3's rules,
   * api/range.ts parseRange). OSS ignores ranges it cannot serve exactly;
   * OBS serves the whole object for an unsatisfiable one (parseRangeOrWhole).
   */
  parseRange?(header: string | undefined, size: number, http: HttpContext): ByteRange | undefined;
  /**
   * Headers an error answer carries besides the body, given the wire error,
   * the rendered XML body and whether the request was a HEAD (which gets no
   * body): OSS's x-oss-ec / x-oss-err, OBS's error code and message.
   */
  errorHeaders?(wire: WireError, xml: string, head: boolean): Record<string, string>;
  /**
   * Settings a new object (PUT, copy, multipart, append, symlink) takes from
   * the request besides metadata, stored in its `extra` document: the canned
   * ACL header (OSS x-oss-object-acl, OBS x-obs-acl / x-amz-acl).
   */
  extraFromRequest?(op: OpContext): Record<string, unknown> | undefined;
  /**
   * The header a write (PUT, copy, multipart initiation, OBS append) sets the object's own
   * expiry with, in days (OBS `x-obs-expires`, in both its modes): see api/object-expiry.ts.
   */
  readonly objectExpiresHeader?: string;
}

/** A dialect header name: h(v, 'version-id') is 'x-amz-version-id' in S3. */
export const h = (v: Vocabulary, name: string) => v.prefix + name;

/** S3's flexible checksum algorithms: the only ones S3 names on the wire. */
const S3_FLEXIBLE = new Set(['crc32', 'crc32c', 'crc64nvme', 'sha1', 'sha256']);

/** The stored checksums S3 may report (others, such as crc64ecma, belong to other dialects). */
export function flexibleChecksums(checksums: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [alg, value] of Object.entries(checksums)) if (S3_FLEXIBLE.has(alg)) out[alg] = value;
  return out;
}

/** A neutral storage class as this dialect names it. */
export function wireStorageClass(v: Vocabulary, neutral: string): string {
  return v.storageClassNames?.[neutral] ?? neutral;
}

/** The neutral storage class for a wire name; undefined when the dialect does not accept that name. */
export function neutralStorageClass(v: Vocabulary, wire: string): string | undefined {
  if (!v.storageClasses.includes(wire)) return undefined;
  for (const [neutral, name] of Object.entries(v.storageClassNames ?? {})) if (name === wire) return neutral;
  return wire;
}
