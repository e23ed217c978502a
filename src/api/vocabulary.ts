import type { ErrorCode } from '../engine/errors.js';
import type { ObjectRecord } from '../meta/types.js';

export interface WireError {
  status: number;
  code: string;
  message: string;
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
  /** Maps a neutral error to this dialect's status, code and message. */
  error(code: ErrorCode, message: string, status: number): WireError;
  /** Wire names of neutral (S3) storage classes where the dialect differs, e.g. OBS 'WARM' for 'STANDARD_IA'. */
  readonly storageClassNames?: Readonly<Record<string, string>>;
  /** Serve the whole object for an unsatisfiable Range instead of 416 (OBS, OSS). */
  readonly wholeObjectOnBadRange?: boolean;
  /** Most tags a bucket may carry (default: S3's 50). */
  readonly maxBucketTags?: number;
  /** Smallest size of every multipart part but the last, checked at completion (default: S3's 5 MiB). */
  readonly minPartSize?: number;
  /** Dialect-specific response headers describing an object (e.g. the next append position). */
  objectHeaders?(o: ObjectRecord): Record<string, string>;
  /** Extra headers on an error answer (e.g. OBS's error code and message, which HEAD answers need). */
  errorHeaders?(wire: WireError): Record<string, string>;
}

/** A dialect header name: h(v, 'version-id') is 'x-amz-version-id' in S3. */
export const h = (v: Vocabulary, name: string) => v.prefix + name;

/** A neutral storage class as this dialect names it. */
export function wireStorageClass(v: Vocabulary, neutral: string): string {
  return v.storageClassNames?.[neutral] ?? neutral;
}

/** The neutral storage class for a wire name (undefined when the dialect does not know it). */
export function neutralStorageClass(v: Vocabulary, wire: string): string | undefined {
  if (!v.storageClasses.includes(wire)) return undefined;
  for (const [neutral, name] of Object.entries(v.storageClassNames ?? {})) if (name === wire) return neutral;
  return wire;
}
