import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { Logger } from 'pino';
import { Background } from '../engine/background.js';
import type { Engine } from '../engine/engine.js';
import { lifecycleTiming } from '../engine/lifecycle/timing.js';
import { blobSweepJob } from './blob-sweep.js';
import { lifecycleJob } from './lifecycle.js';
import { logDeliveryJob } from './log-delivery.js';
import { Worker, type WorkerStatus } from './worker.js';

/** Normal mode: a lifecycle pass an hour (rules are due at midnight UTC; a pass costs a walk of the configured buckets). */
const LIFECYCLE_INTERVAL_MS = 3600_000;
/** A blob sweep pass an hour: what a dead gateway left goes within about that (a pass reads every blob's folder). */
const BLOB_SWEEP_INTERVAL_MS = 3600_000;

export interface Workers {
  readonly all: readonly Worker[];
  get(name: string): Worker | undefined;
  status(): WorkerStatus[];
  stop(): Promise<void>;
}

/**
 * Starts the background workers of this gateway (each runs where its lease is
 * held); `leaseMs`: another gateway takes a worker over within about this time
 * after its holder dies; `logFlushMs`: the access-log delivery interval.
 */
export function startWorkers(engine: Engine, opts: { leaseMs: number; logFlushMs: number }, log: Logger): Workers {
  const { leaseMs } = opts;
  const bg = new Background(engine);
  const holder = `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  // The lifecycle day (the debug clock) as the server configured it (engine/lifecycle/timing.ts).
  const { clock } = lifecycleTiming(engine);
  // In debug mode a pass runs at least twice per debug day.
  const lifecycleInterval = clock.debug ? Math.max(100, Math.floor(clock.dayMs / 2)) : LIFECYCLE_INTERVAL_MS;
  const all = [
    new Worker(lifecycleJob(engine, clock), bg, { intervalMs: lifecycleInterval, leaseMs, holder, log }),
    new Worker(logDeliveryJob(engine), bg, { intervalMs: opts.logFlushMs, leaseMs, holder, log }),
    // The start-up sweep has just run: the first pass comes an interval later.
    new Worker(blobSweepJob(engine), bg, { intervalMs: BLOB_SWEEP_INTERVAL_MS, leaseMs, holder, log, firstPassAfterMs: BLOB_SWEEP_INTERVAL_MS }),
  ];
  for (const w of all) w.start();
  return {
    all,
    get: (name) => all.find((w) => w.name === name),
    status: () => all.map((w) => w.status()),
    stop: async () => {
      await Promise.all(all.map((w) => w.stop()));
    },
  };
}
