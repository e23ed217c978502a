import { Background } from '../engine/background.js';
import type { Engine } from '../engine/engine.js';
import type { LifecycleClock } from '../engine/lifecycle/evaluate.js';
import { LifecycleRunner, noCounts, type LifecycleCounts, type PassCursor } from '../engine/lifecycle/runner.js';
import type { Job } from './worker.js';

/** Versions (or uploads) examined per batch: each batch is short, and its cursor is saved after it. */
export const LIFECYCLE_BATCH = 500;

interface LifecycleState {
  /** Where the pass in progress stands; null between passes. */
  cursor: PassCursor | null;
}

/**
 * The lifecycle job: walks the buckets that have a lifecycle configuration,
 * a batch of keys at a time, applying what is due (engine/lifecycle/runner.ts).
 * The cursor is saved in the store after every batch.
 */
export function lifecycleJob(engine: Engine, clock: LifecycleClock, batch = LIFECYCLE_BATCH): Job {
  const runner = new LifecycleRunner(engine, clock);
  const bg = new Background(engine);
  return {
    name: 'lifecycle',
    async step(counts) {
      const state = await bg.loadState<LifecycleState>('lifecycle');
      const done: LifecycleCounts = noCounts();
      const next = await runner.batch(state?.cursor ?? undefined, batch, Date.now(), done);
      await bg.saveState('lifecycle', { cursor: next ?? null } satisfies LifecycleState);
      for (const [k, v] of Object.entries(done)) counts[k] = (counts[k] ?? 0) + v;
      return next !== undefined;
    },
  };
}
