import { StorageError } from '../engine/errors.js';

/**
 * Server-side encryption is not built. Requests asking for it (SSE-S3,
 * SSE-KMS, SSE-C, and a copy's source key) are refused with NotImplemented
 * rather than stored in the clear and served without the customer's key.
 * The names are every cloud's: S3 (and OBS's AWS mode), OBS and OSS.
 */
const SSE_PREFIXES = [
  'x-amz-server-side-encryption',
  'x-amz-copy-source-server-side-encryption',
  'x-obs-server-side-encryption',
  'x-obs-copy-source-server-side-encryption',
  'x-oss-server-side-encryption',
  'x-oss-server-side-data-encryption',
];

/** Throws NotImplemented naming the first SSE header (or POST form field) among `names` (lower case). */
export function refuseServerSideEncryption(names: Iterable<string>): void {
  for (const name of names) {
    if (SSE_PREFIXES.some((p) => name.startsWith(p))) {
      throw new StorageError('NotImplemented', 'A header you provided implies functionality that is not implemented', { Header: name });
    }
  }
}
