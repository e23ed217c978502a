import type { MetaOps } from '../meta/store.js';
import type { BucketRecord } from '../meta/types.js';
import type { Engine } from './engine.js';
import { StorageError } from './errors.js';
import { readSetting } from './settings.js';

/**
 * Bucket quotas (OBS `?quota`): a limit on the bytes the bucket stores, as
 * counted by its usage counters (every version's bytes, delete markers
 * excluded). The setting (`quota` in settings.ts) is neutral; any dialect may expose it. The check
 * runs inside each write's metadata transaction, against the counters that
 * same transaction reads under the bucket lock, so concurrent writers cannot
 * pass the limit together; a refused write rolls back and leaves nothing.
 */
export { MAX_QUOTA } from './settings.js';

export async function getBucketQuota(e: Engine, bucket: string): Promise<bigint> {
  return e.bucketSetting(bucket, 'quota');
}

/** Sets the quota (0 removes the limit). Existing data over a new, lower quota stays; later writes that add bytes are refused. */
export async function setBucketQuota(e: Engine, bucket: string, bytes: bigint): Promise<void> {
  await e.setBucketSetting(bucket, 'quota', bytes);
}

function exceeded(quota: bigint, used: number, delta: number): StorageError {
  return new StorageError('QuotaExceeded', 'The bucket quota would be exceeded by this write.', {
    Quota: quota.toString(),
    Used: String(used),
    Requested: String(delta),
  });
}

/**
 * Inside a write transaction, with `b` read under the bucket lock: refuses a
 * write that adds `delta` bytes (net of what it replaces) beyond the quota.
 * Writes that do not add bytes always pass, even over a lowered quota.
 */
export async function checkQuota(tx: MetaOps, b: BucketRecord, delta: number): Promise<void> {
  if (delta <= 0) return;
  const quota = await readSetting(tx, b, 'quota');
  if (quota > 0n && BigInt(b.bytesUsed) + BigInt(delta) > quota) throw exceeded(quota, b.bytesUsed, delta);
}

/**
 * Before a body is read: refuses when its declared size cannot fit, net of
 * the bytes the write would release (`replacing`, asked only when a quota is
 * set). Only an early answer; the transaction's check decides.
 */
export async function precheckQuota(tx: MetaOps, b: BucketRecord, size: number | undefined, replacing?: () => Promise<number>): Promise<void> {
  if (size === undefined) return;
  const quota = await readSetting(tx, b, 'quota');
  if (quota === 0n) return;
  if (BigInt(size) > quota) throw exceeded(quota, b.bytesUsed, size);
  const delta = size - (replacing ? await replacing() : 0);
  if (BigInt(b.bytesUsed) + BigInt(delta) > quota) throw exceeded(quota, b.bytesUsed, delta);
}

/** The same early answer for a multipart part: only a part larger than the whole quota can never fit. */
export async function precheckPartQuota(tx: MetaOps, b: BucketRecord, size: number | undefined): Promise<void> {
  if (size === undefined) return;
  const quota = await readSetting(tx, b, 'quota');
  if (quota > 0n && BigInt(size) > quota) throw exceeded(quota, 0, size);
}
