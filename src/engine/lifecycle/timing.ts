import type { Engine } from '../engine.js';
import { debugClock, REAL_CLOCK, type LifecycleClock } from './evaluate.js';

/**
 * The server's lifecycle timing, set once at start-up: how long a lifecycle
 * day lasts (the debug clock) and how long a restore from an archive class
 * takes. The worker, the restore operation and the headers read it here.
 */
export interface LifecycleTiming {
  clock: LifecycleClock;
  restoreMs: number;
}

const DEFAULT: LifecycleTiming = { clock: REAL_CLOCK, restoreMs: 60_000 };
const timings = new WeakMap<Engine, LifecycleTiming>();

export function configureLifecycle(engine: Engine, opts: { daySeconds?: number; restoreSeconds?: number }): LifecycleTiming {
  const t = { clock: debugClock(opts.daySeconds), restoreMs: (opts.restoreSeconds ?? DEFAULT.restoreMs / 1000) * 1000 };
  timings.set(engine, t);
  return t;
}

export function lifecycleTiming(engine: Engine): LifecycleTiming {
  return timings.get(engine) ?? DEFAULT;
}
