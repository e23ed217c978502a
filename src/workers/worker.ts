import type { Logger } from 'pino';
import type { Background } from '../engine/background.js';

/**
 * What a worker does: one bounded batch at a time. A job keeps its progress in
 * the metadata store (through the engine), never in memory, so that a pass
 * interrupted by a restart, or continued by another gateway, resumes where it
 * stopped.
 */
export interface Job {
  readonly name: string;
  /** Runs one batch, adding what it did to `counts`; false when the pass is complete. */
  step(counts: Record<string, number>): Promise<boolean>;
}

export type WorkerState = 'stopped' | 'standby' | 'idle' | 'running';

export interface WorkerStatus {
  name: string;
  /** standby: another gateway holds the lease; idle: holding it, between passes. */
  state: WorkerState;
  /** This gateway's lease holder id, and who holds the lease now (as last seen). */
  holder: string;
  leaseHolder?: string;
  passes: number;
  lastRunStartedAt?: number;
  lastRunEndedAt?: number;
  lastError?: string;
  /** What the passes run here have done (cumulated since start). */
  counts: Record<string, number>;
}

export interface WorkerOptions {
  /** Time between the end of a pass and the start of the next. */
  intervalMs: number;
  /** How long a lease lasts without renewal: another gateway takes over within about this time once the holder dies. */
  leaseMs: number;
  holder: string;
  log: Logger;
  /** Time from start to the first pass (default 0: at once). */
  firstPassAfterMs?: number;
}

/**
 * A background worker: a job run in passes, on whichever gateway holds its
 * lease in the store (on SQLite, this process). Renews the lease between
 * batches and while idle; a gateway that loses it stops at the next batch.
 */
export class Worker {
  private state: WorkerState = 'stopped';
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private nextPassAt = 0;
  /** runNow asked for a pass whatever the schedule says. */
  private forced = false;
  private renewedAt = 0;
  private leaseHolder: string | undefined;
  private passes = 0;
  private lastRunStartedAt: number | undefined;
  private lastRunEndedAt: number | undefined;
  private lastError: string | undefined;
  private readonly counts: Record<string, number> = {};
  private waiters: ((ran: boolean) => void)[] = [];

  constructor(
    private readonly job: Job,
    private readonly bg: Background,
    private readonly opts: WorkerOptions,
  ) {}

  get name(): string {
    return this.job.name;
  }

  start(): void {
    if (this.state !== 'stopped') return;
    this.state = 'standby';
    this.nextPassAt = Date.now() + (this.opts.firstPassAfterMs ?? 0);
    this.schedule(0);
  }

  /** Stops after the batch in progress and gives the lease up. */
  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    clearTimeout(this.timer);
    await this.ticking;
    for (const w of this.waiters.splice(0)) w(false);
    await this.bg.releaseLease(this.name, this.opts.holder).catch(() => undefined);
  }

  /** Starts a pass now; resolves when it has run here (true), or false when another gateway holds the lease or the worker stops. */
  runNow(): Promise<boolean> {
    if (this.state === 'stopped') return Promise.resolve(false);
    this.forced = true;
    const done = new Promise<boolean>((resolve) => this.waiters.push(resolve));
    if (!this.ticking) this.schedule(0);
    return done;
  }

  status(): WorkerStatus {
    return {
      name: this.name,
      state: this.state,
      holder: this.opts.holder,
      leaseHolder: this.leaseHolder,
      passes: this.passes,
      lastRunStartedAt: this.lastRunStartedAt,
      lastRunEndedAt: this.lastRunEndedAt,
      lastError: this.lastError,
      counts: { ...this.counts },
    };
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    if (this.state === 'stopped') return;
    this.timer = setTimeout(() => {
      this.ticking = this.tick().finally(() => {
        this.ticking = undefined;
        // Renew (or, on standby, try to take) the lease well within its length; wake for the next pass if that comes first.
        const renewIn = this.opts.leaseMs / 3;
        const wait = this.state === 'standby' ? renewIn : Math.max(0, Math.min(renewIn, this.nextPassAt - Date.now()));
        this.schedule(this.waiters.length ? 0 : wait);
      });
    }, ms);
    this.timer.unref();
  }

  private async renew(): Promise<boolean> {
    const held = await this.bg.acquireLease(this.name, this.opts.holder, this.opts.leaseMs);
    if (held) this.renewedAt = Date.now();
    this.leaseHolder = held ? this.opts.holder : await this.bg.leaseHolder(this.name);
    return held;
  }

  private async tick(): Promise<void> {
    try {
      if (!(await this.renew())) {
        if (this.state !== 'stopped') this.state = 'standby';
        for (const w of this.waiters.splice(0)) w(false);
        return;
      }
      if (this.state === 'stopped') return;
      if (!this.forced && Date.now() < this.nextPassAt) {
        this.state = 'idle';
        return;
      }
      await this.pass();
    } catch (e) {
      this.lastError = (e as Error).message ?? String(e);
      if (this.state === 'running') this.state = 'idle';
      this.opts.log.warn({ err: e, worker: this.name }, 'background worker failed; retrying later');
      this.nextPassAt = Date.now() + this.opts.intervalMs;
      for (const w of this.waiters.splice(0)) w(false);
    }
  }

  private async pass(): Promise<void> {
    this.forced = false;
    const waiting = this.waiters.splice(0);
    this.state = 'running';
    this.lastRunStartedAt = Date.now();
    let more = true;
    while (more && this.state === 'running') {
      more = await this.job.step(this.counts);
      // Keep the lease while the pass goes on; a gateway that lost it stops here.
      if (more && Date.now() - this.renewedAt > this.opts.leaseMs / 3 && !(await this.renew())) {
        this.state = 'standby';
        for (const w of waiting) w(false);
        return;
      }
    }
    if (this.state !== 'running') {
      for (const w of waiting) w(false);
      return;
    }
    this.passes++;
    this.lastRunEndedAt = Date.now();
    this.lastError = undefined;
    this.nextPassAt = this.lastRunEndedAt + this.opts.intervalMs;
    this.state = 'idle';
    for (const w of waiting) w(true);
  }
}
