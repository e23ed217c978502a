import type { Engine } from '../engine.js';
import { dueAt } from './evaluate.js';
import { lifecycleTiming } from './timing.js';

/**
 * Per-object expiry (OBS `x-obs-expires: <days>` on PUT, copy and multipart
 * initiation): the version is deleted by the lifecycle worker `days`
 * lifecycle days after it was created, as an Expiration rule would delete it
 * (a delete marker when versioned). The due time is computed once, when the
 * version is written, with the server's lifecycle clock (S3's arithmetic:
 * the midnight UTC after creation + days; with `--lifecycle-day-seconds` a
 * day of that length, unrounded), and stored in the indexed `expires_at`
 * column, so a pass reads only what is due. It takes precedence over the
 * bucket's Expiration rules for that version (OBS: "优先级高于桶生命周期规则").
 */

/** Where a multipart upload keeps its days until completion (UploadRecord.extra); the object does not keep it. */
export const UPLOAD_EXPIRE_DAYS = 'expireDays';

/** The stored due time of a version created at `created` that expires after `days`; none when days is undefined. */
export function objectExpiry(engine: Engine, days: number | undefined, created: number): { expiresAt?: number } {
  if (days === undefined) return {};
  return { expiresAt: dueAt(lifecycleTiming(engine).clock, { days }, created) };
}
