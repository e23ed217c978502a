import { StorageError } from './errors.js';

export interface Conditions {
  ifMatch?: string;
  ifNoneMatch?: string;
  ifModifiedSince?: string;
  ifUnmodifiedSince?: string;
}

export interface ConditionTarget {
  etag: string;
  lastModified: number;
}

function etagList(header: string): string[] {
  return header.split(',').map((t) => t.trim().replace(/^W\//, '').replace(/^"(.*)"$/, '$1'));
}

export function etagMatches(header: string, etag: string): boolean {
  const list = etagList(header);
  return list.includes('*') || list.includes(etag);
}

function parseDate(v: string | undefined): number | undefined {
  if (!v) return undefined;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : t;
}

/** HTTP dates have one-second resolution. */
const seconds = (ms: number) => Math.floor(ms / 1000);

/**
 * Read preconditions in S3's order: If-Match, else If-Unmodified-Since (412);
 * then If-None-Match, else If-Modified-Since (304). With `copySource` every
 * failure is 412, as for x-amz-copy-source-if-*.
 */
export function checkConditions(c: Conditions, t: ConditionTarget, copySource = false): void {
  if (c.ifMatch !== undefined) {
    if (!etagMatches(c.ifMatch, t.etag)) throw new StorageError('PreconditionFailed', undefined, { Condition: copySource ? 'x-amz-copy-source-If-Match' : 'If-Match' });
  } else {
    const since = parseDate(c.ifUnmodifiedSince);
    if (since !== undefined && seconds(t.lastModified) > seconds(since))
      throw new StorageError('PreconditionFailed', undefined, { Condition: copySource ? 'x-amz-copy-source-If-Unmodified-Since' : 'If-Unmodified-Since' });
  }
  const notModified = () =>
    copySource
      ? new StorageError('PreconditionFailed', undefined, { Condition: c.ifNoneMatch !== undefined ? 'x-amz-copy-source-If-None-Match' : 'x-amz-copy-source-If-Modified-Since' })
      : new StorageError('NotModified', 'Not Modified');
  if (c.ifNoneMatch !== undefined) {
    if (etagMatches(c.ifNoneMatch, t.etag)) throw notModified();
  } else {
    const since = parseDate(c.ifModifiedSince);
    if (since !== undefined && seconds(t.lastModified) <= seconds(since)) throw notModified();
  }
}
