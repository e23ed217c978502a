import type { Logger } from 'pino';
import { accessLogQueue, cachedLogging } from '../engine/access-log.js';
import type { Engine } from '../engine/engine.js';
import type { AccessLogRow } from '../meta/types.js';
import { ossLogLine, s3LogLine, type AccessRecord } from '../api/logging-format.js';

/** Lines kept in memory at most between flushes; beyond, new lines are dropped (and counted). */
const MAX_BUFFERED = 100_000;

/**
 * The request path's side of access logging: a request to a bucket with
 * logging on becomes a line in memory (nothing is written while the request
 * is answered); every flush interval the lines go to the store's queue in one
 * commit, from which the log-delivery worker writes them into the target
 * buckets. A crash loses at most the lines of the interval not yet flushed.
 */
/** As long as engine/access-log.ts remembers a bucket's configuration; a change moves Engine.cacheEpoch, which drops it sooner. */
const LOGS_CACHE_MS = 1000;

export class AccessLogBuffer {
  private lines: AccessLogRow[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  dropped = 0;

  constructor(
    private readonly engine: Engine,
    private readonly flushMs: number,
    private readonly log: Logger,
  ) {
    this.timer = setInterval(() => void this.flush(), flushMs);
    this.timer.unref();
  }

  /** By bucket name, for a second: most requests go to buckets that do not log, and cost one map lookup. */
  private readonly known = new Map<string, { logs: boolean; until: number; epoch: number }>();

  /** Whether requests to the bucket are logged (cached): asked before a record is built, so others cost nothing more. */
  logs(bucket: string): boolean | Promise<boolean> {
    const hit = this.known.get(bucket);
    if (hit && hit.until > Date.now() && hit.epoch === this.engine.cacheEpoch) return hit.logs;
    return this.lookup(bucket);
  }

  private async lookup(bucket: string): Promise<boolean> {
    const epoch = this.engine.cacheEpoch;
    let logs = false;
    try {
      logs = (await cachedLogging(this.engine, await this.engine.lookupBucket(bucket))) !== null;
    } catch {
      // A bucket that does not exist logs nothing.
    }
    if (this.known.size > 10_000) this.known.clear();
    // A read that began before a change (this process's, or another gateway's seen through the counter) is not kept.
    if (epoch === this.engine.cacheEpoch) this.known.set(bucket, { logs, until: Date.now() + LOGS_CACHE_MS, epoch });
    return logs;
  }

  /**
   * Records a request to `bucket` if that bucket logs, in the format its logging was configured
   * for; never throws (logging must not fail a request).
   */
  async record(bucket: string, rec: Omit<AccessRecord, 'bucket' | 'bucketOwner'>): Promise<void> {
    try {
      const b = await this.engine.lookupBucket(bucket);
      const c = await cachedLogging(this.engine, b);
      if (!c) return;
      if (this.lines.length >= MAX_BUFFERED) {
        this.dropped++;
        return;
      }
      const at = new Date(rec.time);
      const ymd = `${at.getUTCFullYear()}/${String(at.getUTCMonth() + 1).padStart(2, '0')}/${String(at.getUTCDate()).padStart(2, '0')}/`;
      const full = { ...rec, bucket: b.name, bucketOwner: b.ownerId };
      this.lines.push({
        sourceBucket: b.name,
        targetBucket: c.targetBucket,
        // OSS names log objects <TargetPrefix><SourceBucket>YYYY-mm-DD-HH-MM-SS-UniqueString; S3 (and OBS)
        // <TargetPrefix>YYYY-..., or with S3's PartitionedPrefix [prefix][account]/[region]/[bucket]/[YYYY]/[MM]/[DD]/.
        targetKeyPrefix:
          c.format === 'oss' ? `${c.targetPrefix}${b.name}` : c.keyFormat === 'partitioned' ? `${c.targetPrefix}${b.ownerId}/${b.region}/${b.name}/${ymd}` : c.targetPrefix,
        line: c.format === 'oss' ? ossLogLine(full) : s3LogLine(full),
        createdAt: rec.time,
      });
    } catch {
      // No such bucket (or it went away): nothing to log.
    }
  }

  /** Moves the buffered lines to the store's queue. */
  flush(): Promise<void> {
    if (this.flushing || !this.lines.length) return this.flushing ?? Promise.resolve();
    const rows = this.lines.splice(0);
    this.flushing = accessLogQueue(this.engine)
      .enqueue(rows)
      .catch((err: unknown) => {
        this.log.warn({ err, lines: rows.length }, 'access log lines could not be queued; kept for the next flush');
        this.lines.unshift(...rows.slice(0, MAX_BUFFERED - this.lines.length));
      })
      .finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.flushing;
    await this.flush();
  }
}
