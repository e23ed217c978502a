import type { MetaOps } from '../meta/store.js';
import type { BucketRecord } from '../meta/types.js';
import type { Engine } from './engine.js';
import { StorageError } from './errors.js';

/**
 * Bucket quotas (OBS `?quota`): a limit on the bytes the bucket stores, as
 * counted by its usage counters (every version's bytes, delete markers
 * excluded). The setting is neutral; any dialect may expose it. The check
 * runs inside each write's metadata transaction, against the counters that
 * same transaction reads under the bucket lock, so concurrent writers cannot
 * pass the limit together; a refused write rolls back and leaves nothing.
 */
export const QUOTA_SETTING = 'quota';

/** The largest quota OBS accepts: 2^63 - 1 bytes. */
export const MAX_QUOTA = 2n ** 63n - 1n;

interface QuotaDoc {
  /** Decimal bytes (kept as text: quotas may exceed 2^53). 0 means no limit. */
  bytes: string;
}

/** The bucket's quota in bytes; 0n when none is set. */
export async function readQuota(tx: MetaOps, bucketId: number): Promise<bigint> {
  const doc = await tx.getSetting<QuotaDoc>(bucketId, QUOTA_SETTING);
  return doc ? BigInt(doc.bytes) : 0n;
}

export async function getBucketQuota(e: Engine, bucket: string): Promise<bigint> {
  const b = await e.getBucket(bucket);
  return readQuota(e.meta, b.id);
}

/** Sets the quota (0 removes the limit). Existing data over a new, lower quota stays; later writes that add bytes are refused. */
export async function setBucketQuota(e: Engine, bucket: string, bytes: bigint): Promise<void> {
  if (bytes < 0n || bytes > MAX_QUOTA) throw new StorageError('InvalidArgument', 'The quota must be a non-negative integer no larger than 2^63-1', { ArgumentName: 'StorageQuota', ArgumentValue: String(bytes) });
  await e.meta.transaction(async (tx) => {
    const b = await tx.getBucketForUpdate(bucket);
    if (!b) throw new StorageError('NoSuchBucket', undefined, { BucketName: bucket });
    if (bytes === 0n) await tx.deleteSetting(b.id, QUOTA_SETTING);
    else await tx.putSetting(b.id, QUOTA_SETTING, { bytes: bytes.toString() } satisfies QuotaDoc);
  });
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
  const quota = await readQuota(tx, b.id);
  if (quota > 0n && BigInt(b.bytesUsed) + BigInt(delta) > quota) throw exceeded(quota, b.bytesUsed, delta);
}

/**
 * Before a body is read: refuses when its declared size cannot fit, net of
 * the bytes the write would release (`replacing`, asked only when a quota is
 * set). Only an early answer; the transaction's check decides.
 */
export async function precheckQuota(tx: MetaOps, b: BucketRecord, size: number | undefined, replacing?: () => Promise<number>): Promise<void> {
  if (size === undefined) return;
  const quota = await readQuota(tx, b.id);
  if (quota === 0n) return;
  if (BigInt(size) > quota) throw exceeded(quota, b.bytesUsed, size);
  const delta = size - (replacing ? await replacing() : 0);
  if (BigInt(b.bytesUsed) + BigInt(delta) > quota) throw exceeded(quota, b.bytesUsed, delta);
}

/** The same early answer for a multipart part: only a part larger than the whole quota can never fit. */
export async function precheckPartQuota(tx: MetaOps, bucketId: number, size: number | undefined): Promise<void> {
  if (size === undefined) return;
  const quota = await readQuota(tx, bucketId);
  if (quota > 0n && BigInt(size) > quota) throw exceeded(quota, 0, size);
}
