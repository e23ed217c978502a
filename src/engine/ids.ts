import { randomBytes } from 'node:crypto';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** 32 alphanumeric characters: the shape validateVersionId accepts. */
export function newVersionId(): string {
  const bytes = randomBytes(32);
  let s = '';
  for (const b of bytes) s += ALNUM[b % 62];
  return s;
}

let lastMs = 0;
let seq = 0;

/**
 * 48 hex digits: milliseconds and a per-millisecond sequence, then random.
 * Uploads of one key list in initiation order (initiated, then upload id), so
 * ids made in the same millisecond must sort in the order they were made.
 */
export function newUploadId(): string {
  const now = Math.max(Date.now(), lastMs);
  seq = now === lastMs ? seq + 1 : 0;
  lastMs = now;
  return now.toString(16).padStart(12, '0') + (seq & 0xffff).toString(16).padStart(4, '0') + randomBytes(16).toString('hex');
}
