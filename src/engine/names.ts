import { StorageError } from './errors.js';
import { utf8Length } from './keys.js';

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/** S3's bucket naming rules for new buckets. */
export function validateBucketName(name: string): void {
  const bad = (why: string) => new StorageError('InvalidBucketName', `The specified bucket is not valid. ${why}`, { BucketName: name });
  if (name.length < 3 || name.length > 63) throw bad('Bucket names must be between 3 and 63 characters long.');
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(name))
    throw bad('Bucket names can consist only of lowercase letters, numbers, dots and hyphens, and must begin and end with a letter or number.');
  if (name.includes('..')) throw bad('Bucket names must not contain two adjacent periods.');
  if (name.includes('.-') || name.includes('-.')) throw bad('Bucket names must not contain a period next to a hyphen.');
  if (IPV4.test(name)) throw bad('Bucket names must not be formatted as an IP address.');
  if (name.startsWith('xn--') || name.startsWith('sthree-') || name.endsWith('-s3alias') || name.endsWith('--ol-s3'))
    throw bad('Bucket names must not use a reserved prefix or suffix.');
}

export const MAX_KEY_BYTES = 1024;

/**
 * No key holds NUL: PostgreSQL's text cannot store it (SQLite can, so the
 * stores would disagree) and XML cannot carry it. Checked on every path a
 * key reaches the store by, reads and deletes included.
 */
export function refuseNul(value: string, what = 'Object key'): void {
  if (value.includes('\0')) throw new StorageError('InvalidArgument', `${what} must not contain the NUL character`, { ArgumentName: what === 'Object key' ? 'key' : what });
}

/** The key-like parameters of a listing (prefix, delimiter, markers), under the same rule. */
export function refuseNulIn(opts: object): void {
  for (const [name, v] of Object.entries(opts)) if (typeof v === 'string') refuseNul(v, name);
}

export function validateKey(key: string): void {
  refuseNul(key);
  if (key.length === 0) throw new StorageError('InvalidArgument', 'Object key must not be empty');
  if (utf8Length(key) > MAX_KEY_BYTES) throw new StorageError('KeyTooLongError', undefined, { Size: String(utf8Length(key)), MaxSizeAllowed: '1024' });
}

const VERSION_RE = /^[0-9A-Za-z]{32}$/;

/** Whether a version id has the shape this store issues ('null' or 32 alphanumerics). */
export function isVersionId(v: string): boolean {
  return v === 'null' || VERSION_RE.test(v);
}

export function validateVersionId(v: string, argumentName = 'versionId'): void {
  if (v === '') throw new StorageError('InvalidArgument', 'Version id cannot be the empty string', { ArgumentName: argumentName, ArgumentValue: v });
  if (!isVersionId(v)) throw new StorageError('InvalidArgument', 'Invalid version id specified', { ArgumentName: argumentName, ArgumentValue: v });
}
