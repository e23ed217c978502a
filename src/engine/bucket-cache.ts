import type { BucketRecord } from '../meta/types.js';

/**
 * Bucket records for the read paths (GET, HEAD, listings), kept for a second.
 * Writes never use it: they re-read the bucket under its row lock. This
 * process forgets a bucket at once when it deletes it or changes its
 * versioning, and everything when the store's change counter shows another
 * gateway's change (Engine.forgetCaches, src/server/change-watch.ts); the TTL
 * bounds staleness only while that counter cannot be read. Usage counters in
 * a cached record are not to be read.
 */
export class BucketCache {
  private readonly entries = new Map<string, { record: BucketRecord; until: number }>();

  constructor(private readonly ttlMs = 1000) {}

  get(name: string): BucketRecord | undefined {
    const e = this.entries.get(name);
    if (!e) return undefined;
    if (e.until > Date.now()) return e.record;
    this.entries.delete(name);
    return undefined;
  }

  set(record: BucketRecord): void {
    if (this.entries.size > 10_000) this.entries.clear();
    this.entries.set(record.name, { record, until: Date.now() + this.ttlMs });
  }

  forget(name: string): void {
    this.entries.delete(name);
  }

  clear(): void {
    this.entries.clear();
  }
}
