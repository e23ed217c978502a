import { SETTLE_MS } from '../blob/workspace.js';
import { Background } from '../engine/background.js';
import type { Engine } from '../engine/engine.js';
import type { Job } from './worker.js';

interface SweepState {
  /** The next shard of the pass in progress (0 between passes). */
  next: number;
}

/**
 * The blob sweep while gateways run. A gateway that dies can leave blobs no
 * metadata references (renamed into place, its commit never made; replaced,
 * not yet deleted) and its temporary folder. The start-up sweep of a gateway
 * that starts alone removes them; one that starts beside live gateways must
 * spare the blobs of the last SETTLE_MS (one may be in a peer's commit
 * window), which are exactly what a gateway killed a moment ago left. This
 * job removes them later: unreferenced blobs older than `settleMs`, one shard
 * of the blob store per batch, the position kept in the store.
 */
export function blobSweepJob(engine: Engine, settleMs = SETTLE_MS): Job {
  const bg = new Background(engine);
  return {
    name: 'blob-sweep',
    async step(counts) {
      const shards = engine.blobs.sweepShards();
      const state = await bg.loadState<SweepState>('blob-sweep');
      const i = Math.min(state?.next ?? 0, shards.length - 1);
      const swept = await engine.sweep(Date.now() - settleMs, shards[i]);
      counts.blobs = (counts.blobs ?? 0) + swept.blobs;
      counts.temps = (counts.temps ?? 0) + swept.temps;
      const next = i + 1 < shards.length ? i + 1 : 0;
      await bg.saveState('blob-sweep', { next } satisfies SweepState);
      return next !== 0;
    },
  };
}
