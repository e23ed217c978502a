import type { DigestName } from '../digest/digest-set.js';
import type { ErrorCode } from '../engine/errors.js';

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
  /** The checksum kept for writes that declare none (S3: CRC64NVME, as S3 has done since 2025). */
  readonly defaultChecksum?: DigestName;
  /** Maps a neutral error to this dialect's status, code and message. */
  error(code: ErrorCode, message: string, status: number): WireError;
}

/** A dialect header name: h(v, 'version-id') is 'x-amz-version-id' in S3. */
export const h = (v: Vocabulary, name: string) => v.prefix + name;
