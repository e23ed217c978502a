import type { BucketRecord, ObjectRecord } from '../../meta/types.js';
import type { Engine } from '../engine.js';
import { StorageError } from '../errors.js';
import { announcedExpiration } from './evaluate.js';
import type { LifecycleConfiguration } from './model.js';

/**
 * A bucket's lifecycle configuration as reads see it: every GET, HEAD and PUT
 * reports the expiration that applies, so the setting is remembered for a
 * second per bucket (a change made through this gateway is seen at once;
 * another gateway's as soon as the store's change counter shows it, see
 * Engine.cacheEpoch).
 */
const CACHE_MS = 1000;
const caches = new WeakMap<Engine, Map<number, { value: LifecycleConfiguration | null; until: number; epoch: number }>>();

function cacheOf(engine: Engine) {
  let c = caches.get(engine);
  if (!c) caches.set(engine, (c = new Map()));
  return c;
}

export async function cachedLifecycle(engine: Engine, b: BucketRecord): Promise<LifecycleConfiguration | null> {
  const cache = cacheOf(engine);
  const now = Date.now();
  const hit = cache.get(b.id);
  if (hit && hit.until > now && hit.epoch === engine.cacheEpoch) return hit.value;
  const epoch = engine.cacheEpoch;
  const value = await engine.bucketSetting(b, 'lifecycle');
  if (cache.size > 10_000) cache.clear();
  cache.set(b.id, { value, until: now + CACHE_MS, epoch });
  return value;
}

/** The stored configuration; NoSuchLifecycleConfiguration when there is none. */
export async function getLifecycle(engine: Engine, bucket: string): Promise<LifecycleConfiguration> {
  const c = await engine.bucketSetting(bucket, 'lifecycle');
  if (!c) throw new StorageError('NoSuchLifecycleConfiguration', undefined, { BucketName: bucket });
  return c;
}

/** Validates and stores a configuration (null removes it). */
export async function putLifecycle(engine: Engine, bucket: string, c: LifecycleConfiguration | null): Promise<void> {
  const b = await engine.getBucket(bucket);
  await engine.setBucketSetting(bucket, 'lifecycle', c);
  cacheOf(engine).delete(b.id);
}

/**
 * The expiration a current version is announced with (`x-amz-expiration`:
 * `expiry-date="<HTTP date>", rule-id="<id>"`), undefined when no enabled rule
 * expires it. A version with its own expiry (OBS x-obs-expires) is announced
 * with its due time alone, as OBS reports an object's own lifecycle (no
 * rule-id), and the rules are not consulted: it takes precedence over them.
 */
export async function expirationOf(engine: Engine, b: BucketRecord, o: ObjectRecord): Promise<string | undefined> {
  if (o.isDeleteMarker || !o.isLatest) return undefined;
  if (o.expiresAt !== undefined) return `expiry-date="${new Date(o.expiresAt).toUTCString()}"`;
  const c = await cachedLifecycle(engine, b);
  const e = c ? announcedExpiration(c.rules, o) : undefined;
  return e && `expiry-date="${new Date(e.at).toUTCString()}", rule-id="${e.ruleId}"`;
}
