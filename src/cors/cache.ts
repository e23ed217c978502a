import type { Engine } from '../engine/engine.js';
import type { CorsConfig } from './rules.js';

/**
 * Buckets' CORS configurations for the reply path, kept for a second (as
 * BucketCache keeps bucket records): every request that carries an Origin
 * reads it. This process forgets a bucket's entry when it changes the
 * configuration; another gateway's change is seen within the TTL.
 */
const TTL_MS = 1000;
const caches = new WeakMap<Engine, Map<string, { config: CorsConfig | null; until: number }>>();

function cacheOf(engine: Engine) {
  let c = caches.get(engine);
  if (!c) caches.set(engine, (c = new Map()));
  return c;
}

/** The bucket's CORS configuration; null when it has none or does not exist. */
export async function corsOf(engine: Engine, bucket: string): Promise<CorsConfig | null> {
  const cache = cacheOf(engine);
  const hit = cache.get(bucket);
  if (hit && hit.until > Date.now()) return hit.config;
  const b = await engine.findBucket(bucket);
  const config = b ? await engine.bucketSetting(b, 'cors') : null;
  if (cache.size > 10_000) cache.clear();
  cache.set(bucket, { config, until: Date.now() + TTL_MS });
  return config;
}

export function forgetCors(engine: Engine, bucket: string): void {
  caches.get(engine)?.delete(bucket);
}
