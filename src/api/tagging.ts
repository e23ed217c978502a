import { StorageError } from '../engine/errors.js';

export const MAX_OBJECT_TAGS = 10;
export const MAX_BUCKET_TAGS = 50;

/** Validates a tag set against S3's limits. */
export function validateTags(tags: Record<string, string>, max: number): void {
  const keys = Object.keys(tags);
  if (keys.length > max) throw new StorageError('InvalidTag', `Object tags cannot be greater than ${max}`);
  for (const k of keys) {
    if (k.length === 0 || [...k].length > 128) throw new StorageError('InvalidTag', 'The TagKey you have provided is invalid');
    if ([...tags[k]].length > 256) throw new StorageError('InvalidTag', 'The TagValue you have provided is invalid');
  }
}

/** Tags from a URL-query-encoded header value (x-amz-tagging). */
export function tagsFromQuery(value: string | undefined): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  const tags: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(value)) {
    if (k in tags) throw new StorageError('InvalidTag', 'Cannot provide multiple Tags with the same key');
    tags[k] = v;
  }
  validateTags(tags, MAX_OBJECT_TAGS);
  return tags;
}
