/**
 * Coherence across gateways. Every change to data a gateway caches (bucket
 * records and settings, keys, users, roles, identity policies) moves the
 * store's change counter in its own transaction (MetadataStore.changeCount).
 * Each gateway reads the counter every CHANGE_POLL_MS and, when it moved,
 * drops every cache (the caches keep the epoch an entry was read in, so a read
 * that started before the change is not kept either). One small query per
 * interval per gateway, on either store, and no connection to keep listening.
 */
import type { Logger } from 'pino';

/** How often the change counter is read. */
export const CHANGE_POLL_MS = 250;

/**
 * The stated bound (docs/deployment.md): a change committed through one
 * gateway is seen through every other within this time. One poll interval
 * plus the read's round trip, with room for a busy event loop.
 */
export const COHERENCE_BOUND_MS = 2 * CHANGE_POLL_MS;

export interface ChangeWatch {
  stop(): Promise<void>;
}

/**
 * Reads `count` every `intervalMs` and calls `moved` when it differs from the
 * last reading. The first reading, and the first after a failed one, count as
 * a move: a change may have been missed.
 */
export function watchChanges(count: () => Promise<number>, moved: () => void, opts: { intervalMs?: number; log?: Logger } = {}): ChangeWatch {
  const intervalMs = opts.intervalMs ?? CHANGE_POLL_MS;
  let last: number | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let reading: Promise<void> | undefined;
  let failing = false;

  const read = async () => {
    try {
      const n = await count();
      if (n !== last) moved();
      last = n;
      failing = false;
    } catch (e) {
      // The store is unreachable: the caches' own TTLs bound what they serve meanwhile.
      last = undefined;
      if (!failing) opts.log?.warn({ err: e }, 'cannot read the change counter; caches fall back on their TTLs');
      failing = true;
    }
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      reading = read().finally(schedule);
    }, intervalMs);
    timer.unref();
  };
  schedule();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await reading;
    },
  };
}
