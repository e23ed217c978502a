import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { accessLogQueue } from '../engine/access-log.js';
import type { Engine } from '../engine/engine.js';
import { isStorageError } from '../engine/errors.js';
import type { Job } from './worker.js';

const BATCH = 1000;
const two = (n: number) => String(n).padStart(2, '0');

/** S3's log object name after its prefix: `YYYY-mm-DD-HH-MM-SS-UniqueString`. */
function stamp(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())}-${two(d.getUTCHours())}-${two(d.getUTCMinutes())}-${two(d.getUTCSeconds())}-${randomBytes(8).toString('hex').toUpperCase()}`;
}

/**
 * The log-delivery job: takes queued access-log lines in queue order and
 * writes one log object per target bucket and prefix, then removes the lines
 * from the queue (a crash between the two delivers those lines twice, never
 * loses them). A target bucket that is gone or refuses the write drops its lines.
 */
export function logDeliveryJob(engine: Engine): Job {
  const queue = accessLogQueue(engine);
  return {
    name: 'log-delivery',
    async step(counts) {
      const rows = await queue.peek(BATCH);
      if (!rows.length) return false;
      const groups = new Map<string, typeof rows>();
      for (const r of rows) {
        const k = `${r.targetBucket}\n${r.targetKeyPrefix}`;
        groups.set(k, [...(groups.get(k) ?? []), r]);
      }
      for (const group of groups.values()) {
        const { targetBucket, targetKeyPrefix } = group[0];
        try {
          const target = await engine.getBucket(targetBucket);
          const body = Buffer.from(group.map((r) => r.line).join('\n') + '\n');
          await engine.putObject({ accountId: target.ownerId }, targetBucket, targetKeyPrefix + stamp(Date.now()), Readable.from([body]), {
            meta: { user: {}, contentType: 'text/plain' },
            size: body.length,
          });
          counts.objects = (counts.objects ?? 0) + 1;
          counts.lines = (counts.lines ?? 0) + group.length;
        } catch (e) {
          // The target is gone or refuses the write (quota...): those lines are dropped rather than block the queue.
          if (!isStorageError(e)) throw e;
          counts.dropped = (counts.dropped ?? 0) + group.length;
        }
      }
      await queue.remove(rows[rows.length - 1].id);
      return rows.length === BATCH;
    },
  };
}
