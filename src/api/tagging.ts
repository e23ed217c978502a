import { StorageError } from '../engine/errors.js';

export const MAX_OBJECT_TAGS = 10;
export const MAX_BUCKET_TAGS = 50;
/** Lengths in UTF-16 code units: S3 stores tags as UTF-16. */
export const MAX_TAG_KEY = 128;
export const MAX_TAG_VALUE = 256;

/** Unicode letters, numbers and spaces, and `_ . : / = + - @`. */
const TAG_TEXT = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

const HEADER_MESSAGE = "The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates.";

/**
 * Validates a tag set (as ordered pairs, so duplicates are seen) against S3's
 * rules: at most 10 tags on an object or 50 on a bucket, unique keys of 1 to
 * 128 characters, values up to 256, a restricted character set, and no keys
 * in the reserved `aws:` namespace. Returns the set as a record.
 */
export function validateTagSet(pairs: [string, string][], kind: 'object' | 'bucket' = 'object', maxBucketTags = MAX_BUCKET_TAGS): Record<string, string> {
  if (kind === 'object' && pairs.length > MAX_OBJECT_TAGS) throw new StorageError('BadRequest', `Object tags cannot be greater than ${MAX_OBJECT_TAGS}`);
  if (kind === 'bucket' && pairs.length > maxBucketTags) throw new StorageError('InvalidTag', `Bucket tag count cannot be greater than ${maxBucketTags}`);
  const tags: Record<string, string> = {};
  for (const [key, value] of pairs) {
    if (Object.prototype.hasOwnProperty.call(tags, key)) throw new StorageError('InvalidTag', 'Cannot provide multiple Tags with the same key', { TagKey: key });
    if (key.startsWith('aws:'))
      throw new StorageError('InvalidTag', kind === 'object' ? 'Your TagKey cannot be prefixed with aws:' : 'System tags cannot be added/updated by requester', { TagKey: key });
    if (key.length === 0 || key.length > MAX_TAG_KEY || !TAG_TEXT.test(key)) throw new StorageError('InvalidTag', 'The TagKey you have provided is invalid', { TagKey: key });
    if (value.length > MAX_TAG_VALUE || !TAG_TEXT.test(value)) throw new StorageError('InvalidTag', 'The TagValue you have provided is invalid', { TagKey: key, TagValue: value });
    tags[key] = value;
  }
  return tags;
}

/** Validates a tag set given as a record (kept for callers that build one). */
export function validateTags(tags: Record<string, string>, max: number): void {
  validateTagSet(Object.entries(tags), max > MAX_OBJECT_TAGS ? 'bucket' : 'object');
}

/**
 * Tags from a URL-query-encoded header value (x-amz-tagging on PutObject,
 * CopyObject and CreateMultipartUpload). A pair without `=` is a key with an
 * empty value; a repeated key is refused.
 */
export function tagsFromQuery(value: string | undefined): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  // A raw `=` inside a value means the value was not URL-encoded.
  if (value.split('&').some((pair) => pair.indexOf('=') !== pair.lastIndexOf('=')))
    throw new StorageError('InvalidArgument', HEADER_MESSAGE, { ArgumentName: 'x-amz-tagging', ArgumentValue: value });
  const pairs: [string, string][] = [];
  const seen = new Set<string>();
  for (const [k, v] of new URLSearchParams(value)) {
    if (seen.has(k)) throw new StorageError('InvalidArgument', HEADER_MESSAGE, { ArgumentName: 'x-amz-tagging', ArgumentValue: value });
    seen.add(k);
    pairs.push([k, v]);
  }
  return validateTagSet(pairs, 'object');
}
