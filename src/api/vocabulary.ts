import type { DigestName } from '../digest/digest-set.js';
import type { ByteRange } from '../blob/store.js';
import type { ErrorCode } from '../engine/errors.js';
import type { HttpContext } from '../http/context.js';
import type { ObjectRecord } from '../meta/types.js';

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
  /** Storage classes a client may ask for; the first is the default. */
  readonly storageClasses: readonly string[];
  /** The checksum kept for writes that declare none (S3: CRC64NVME, as S3 has done since 2025). */
  readonly defaultChecksum?: DigestName;
  /** Maps a neutral error to this dialect's status, code and message. */
  error(code: ErrorCode, message: string, status: number): WireError;

  // Optional differences; S3's behaviour when absent.

  /** Content-Type reported for an object stored without one (S3: binary/octet-stream). */
  readonly defaultContentType?: string;
  /** Wire storage-class names that differ from the neutral (S3) names: wire name -> neutral name. */
  readonly storageClassNames?: Readonly<Record<string, string>>;
  /** Smallest size of every part but the last (default: the engine's, 5 MiB). */
  readonly minPartSize?: number;
  /** Object listings give each object's Type and, whenever truncated, a NextMarker (OSS). */
  readonly listingTypeAndNextMarker?: boolean;
  /** Failed copy-source If-None-Match / If-Modified-Since answer 304, as for a read (OSS), not 412. */
  readonly copySourceNotModified?: boolean;
  /** Headers a write answers for the checksums stored (default: S3's flexible x-amz-checksum-*). */
  writeChecksumHeaders?(checksums: Record<string, string>): Record<string, string>;
  /** Extra headers describing an object on GET and HEAD (OSS: object type, CRC-64, ...). */
  objectHeaders?(o: ObjectRecord): Record<string, string>;
  /** The single range a GET serves for a Range header (default: S3's rules). */
  parseRange?(header: string | undefined, size: number, http: HttpContext): ByteRange | undefined;
  /** Headers an error answer carries, given its XML body and whether the request was a HEAD (OSS: x-oss-ec, x-oss-err). */
  errorHeaders?(xml: string, head: boolean): Record<string, string>;
  /** Settings a new object takes from the request besides metadata (OSS: x-oss-object-acl). */
  extraFromRequest?(http: HttpContext): Record<string, unknown> | undefined;
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

/** A storage class as this dialect names it. */
export function wireStorageClass(v: Vocabulary, neutral: string): string {
  const names = v.storageClassNames;
  if (names) for (const [wire, n] of Object.entries(names)) if (n === neutral) return wire;
  return neutral;
}

/** The neutral name of a storage class this dialect accepts. */
export function neutralStorageClass(v: Vocabulary, wire: string): string {
  return v.storageClassNames?.[wire] ?? wire;
}
