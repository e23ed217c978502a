import type { Engine } from './engine.js';
import { storeOf } from './store-of.js';

/**
 * What background workers (src/workers) keep in the metadata store, through
 * the engine: leases, so that among gateways sharing a store one runs each
 * worker at a time, and each worker's progress, so that work resumes after a
 * restart from the store rather than from memory.
 */
export class Background {
  constructor(private readonly engine: Engine) {}

  /** Takes or renews the lease for `ttlMs`; true when `holder` holds it now. */
  acquireLease(name: string, holder: string, ttlMs: number, now = Date.now()): Promise<boolean> {
    return storeOf(this.engine).acquireLease(`worker:${name}`, holder, now, ttlMs);
  }

  releaseLease(name: string, holder: string): Promise<void> {
    return storeOf(this.engine).releaseLease(`worker:${name}`, holder);
  }

  /** The lease's holder while it is live. */
  async leaseHolder(name: string, now = Date.now()): Promise<string | undefined> {
    const l = await storeOf(this.engine).getLease(`worker:${name}`);
    return l && l.expiresAt >= now ? l.holder : undefined;
  }

  loadState<T>(name: string): Promise<T | undefined> {
    return storeOf(this.engine).getWorkerState<T>(name);
  }

  saveState(name: string, state: unknown): Promise<void> {
    return storeOf(this.engine).putWorkerState(name, state);
  }
}
