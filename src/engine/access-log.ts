import type { AccessLogRow, BucketRecord } from '../meta/types.js';
import type { Caller } from './types.js';
import type { Engine } from './engine.js';
import { StorageError } from './errors.js';
import { storeOf } from './store-of.js';

/**
 * Server access logging (S3 PutBucketLogging, OSS `?logging`, OBS
 * setBucketLogging): the bucket setting `logging`, and the queue of lines
 * in the store that the log-delivery worker writes into target buckets.
 */
export interface LoggingConfig {
  targetBucket: string;
  targetPrefix: string;
  /** S3's TargetObjectKeyFormat: SimplePrefix (default) or PartitionedPrefix. */
  keyFormat: 'simple' | 'partitioned';
  partitionDateSource?: 'EventTime' | 'DeliveryTime';
  /** OBS: the IAM agency that delivers logs (stored and returned). */
  agency?: string;
  /**
   * The record format and log object names: OSS's when logging was configured
   * through OSS (`?logging`), S3's otherwise (absent; OBS documents S3's
   * record). Every request to the bucket, whatever its dialect, is written in
   * this one format, so a log object never mixes two.
   */
  format?: 'oss';
}

export function validateLogging(c: LoggingConfig | null): void {
  if (c === null) return;
  if (!c.targetBucket) throw new StorageError('InvalidTargetBucketForLogging', 'The target bucket for logging does not exist', { TargetBucket: '' });
  if (c.targetPrefix.length > 900) throw new StorageError('InvalidArgument', 'The target prefix is too long', { ArgumentName: 'TargetPrefix', ArgumentValue: c.targetPrefix.slice(0, 64) });
}

/** Stores a bucket's logging configuration (null: logging off). The target must exist and have the same owner. */
export async function putLogging(engine: Engine, caller: Caller, bucket: string, c: LoggingConfig | null): Promise<void> {
  const source = await engine.getBucket(bucket);
  if (c) {
    const target = await engine.findBucket(c.targetBucket);
    if (!target) throw new StorageError('InvalidTargetBucketForLogging', 'The target bucket for logging does not exist', { TargetBucket: c.targetBucket });
    if (target.ownerId !== source.ownerId || target.ownerId !== caller.accountId)
      throw new StorageError('InvalidTargetBucketForLogging', 'The owner for the bucket to be logged and the target bucket must be the same.', { TargetBucket: c.targetBucket });
  }
  await engine.setBucketSetting(bucket, 'logging', c);
  caches.get(engine)?.delete(source.id);
}

/** The request path asks this for every request to a bucket: remembered for a second per bucket, or until Engine.cacheEpoch moves. */
const CACHE_MS = 1000;
const caches = new WeakMap<Engine, Map<number, { value: LoggingConfig | null; until: number; epoch: number }>>();

export async function cachedLogging(engine: Engine, b: BucketRecord): Promise<LoggingConfig | null> {
  let cache = caches.get(engine);
  if (!cache) caches.set(engine, (cache = new Map()));
  const now = Date.now();
  const hit = cache.get(b.id);
  if (hit && hit.until > now && hit.epoch === engine.cacheEpoch) return hit.value;
  const epoch = engine.cacheEpoch;
  const value = await engine.bucketSetting(b, 'logging');
  if (cache.size > 10_000) cache.clear();
  cache.set(b.id, { value, until: now + CACHE_MS, epoch });
  return value;
}

/** The delivery queue, through the engine (the store stays behind it). */
export const accessLogQueue = (engine: Engine) => ({
  enqueue: (rows: AccessLogRow[]) => storeOf(engine).transaction((tx) => tx.enqueueAccessLogs(rows)),
  peek: (limit: number) => storeOf(engine).peekAccessLogs(limit),
  remove: (maxId: number) => storeOf(engine).deleteAccessLogs(maxId),
});
