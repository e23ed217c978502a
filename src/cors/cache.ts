import type { Engine } from '../engine/engine.js';
import type { CorsConfig } from './rules.js';

/**
 * Buckets' CORS configurations for the reply path, kept for a second (as
 * BucketCache keeps bucket records): every request that carries an Origin
 * reads it. This process forgets a bucket's entry when it changes the
 * configuration; an entry read before the engine's `cacheEpoch` last moved
 * (another gateway's change, seen in the store's change counter) is not used.
 */
const TTL_MS = 1000;
const caches = new WeakMap<Engine, Map<string, { config: CorsConfig | null; until: number; epoch: number }>>();

function cacheOf(engine: Engine) {
  let c = caches.get(engine);
  if (!c) caches.set(engine, (c = new Map()));
  return c;
}

/** The bucket's CORS configuration; null when it has none or does not exist. */
export async function corsOf(engine: Engine, bucket: string): Promise<CorsConfig | null> {
  const cache = cacheOf(engine);
  const hit = cache.get(bucket);
  if (hit && hit.until > Date.now() && hit.epoch === engine.cacheEpoch) return hit.config;
  const epoch = engine.cacheEpoch;
  const b = await engine.findBucket(bucket);
  const config = b ? await engine.bucketSetting(b, 'cors') : null;
  if (cache.size > 10_000) cache.clear();
  cache.set(bucket, { config, until: Date.now() + TTL_MS, epoch });
  return config;
}

export function forgetCors(engine: Engine, bucket: string): void {
  caches.get(engine)?.delete(bucket);
}
