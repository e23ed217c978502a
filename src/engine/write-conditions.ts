import type { ObjectRecord } from '../meta/types.js';
import { etagMatches } from './conditions.js';
import { StorageError } from './errors.js';

/** Conditional write headers: If-Match (an ETag or `*`) and If-None-Match (only `*`). */
export interface WriteConditions {
  ifMatch?: string;
  ifNoneMatch?: string;
}

/**
 * What a conditional write saw of its key when it began (the latest row, or
 * none). The check is repeated at commit; if the key was deleted in between,
 * the write conflicts with that delete rather than simply failing its
 * condition, as S3 answers (409 ConditionalRequestConflict).
 */
export interface ConditionSnapshot {
  latestId: number | null;
}

export function hasWriteConditions(c: WriteConditions): boolean {
  return c.ifMatch !== undefined || c.ifNoneMatch !== undefined;
}

/** S3 supports only `If-None-Match: *` on writes, and not together with If-Match. */
export function validateWriteConditions(c: WriteConditions): void {
  if (c.ifNoneMatch !== undefined && (c.ifNoneMatch.trim() !== '*' || c.ifMatch !== undefined))
    throw new StorageError('NotImplemented', undefined, { Header: 'If-None-Match' });
}

/**
 * Evaluates write conditions against the key's latest version (a delete
 * marker counts as no object). If-None-Match: * fails when an object exists;
 * If-Match needs an object (NoSuchKey otherwise) whose ETag matches.
 */
export function checkWriteConditions(c: WriteConditions, latest: ObjectRecord | undefined, key: string, seen?: ConditionSnapshot): void {
  if (!hasWriteConditions(c)) return;
  const current = latest && !latest.isDeleteMarker ? latest : undefined;
  if (seen !== undefined && !current && (latest?.id ?? null) !== seen.latestId) throw new StorageError('ConditionalRequestConflict', undefined, { Key: key });
  if (c.ifNoneMatch !== undefined && current) throw new StorageError('PreconditionFailed', undefined, { Condition: 'If-None-Match' });
  if (c.ifMatch !== undefined) {
    if (!current) throw new StorageError('NoSuchKey', undefined, { Key: key });
    if (!etagMatches(c.ifMatch, current.etag)) throw new StorageError('PreconditionFailed', undefined, { Condition: 'If-Match' });
  }
}
