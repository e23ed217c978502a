import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { StorageError } from '../../engine/errors.js';

/**
 * A gateway's lease in the blob bucket, so gateways sharing it never sweep
 * each other's writes in flight (the S3 counterpart of blob/workspace.ts).
 *
 * Each process writes under a random 8-hex tag, the last 8 characters of
 * every blob id it makes, and keeps `<prefix>leases/<tag>` fresh: its
 * LastModified, by the other system's clock, is the lease. A sweep spares
 * every blob whose tag has a live lease (see S3BlobStore.sweep).
 *
 * A process that cannot refresh its lease may be taken for dead while it
 * still writes. So a blob is committed only while the lease it was written
 * under was refreshed less than `ttlMs - marginMs` ago (leaving `marginMs`
 * for the metadata commit that follows), and a lease that lapsed is never
 * revived: the process moves to a new tag, and writes begun under the old one
 * fail (503) instead of committing a blob a sweep may already have taken.
 */
export interface LeaseTiming {
  refreshMs: number;
  ttlMs: number;
  marginMs: number;
}

export const LEASE_TIMING: LeaseTiming = { refreshMs: 10_000, ttlMs: 60_000, marginMs: 20_000 };

export interface LeaseIo {
  put(tag: string, body: Buffer): Promise<void>;
  remove(tag: string): Promise<void>;
}

export const newTag = () => randomBytes(4).toString('hex');

export class Lease {
  private tagNow = newTag();
  /** performance.now() when the last successful refresh was sent; -Infinity before the first. */
  private freshAt = -Infinity;
  private timer?: NodeJS.Timeout;
  private refreshing?: Promise<void>;

  constructor(
    private readonly io: LeaseIo,
    readonly timing: LeaseTiming = LEASE_TIMING,
  ) {}

  /** The tag new writes are made under. */
  get tag(): string {
    return this.tagNow;
  }

  async open(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh().catch(() => undefined), this.timing.refreshMs);
    this.timer.unref();
  }

  /** Refreshes now (one request in flight at a time); moves to a new tag first if the lease lapsed. */
  refresh(): Promise<void> {
    return (this.refreshing ??= this.doRefresh().finally(() => (this.refreshing = undefined)));
  }

  private async doRefresh(): Promise<void> {
    if (this.freshAt !== -Infinity && performance.now() - this.freshAt > this.timing.ttlMs - this.timing.marginMs) {
      const old = this.tagNow;
      this.tagNow = newTag();
      this.freshAt = -Infinity;
      void this.io.remove(old).catch(() => undefined);
    }
    const sent = performance.now();
    const tag = this.tagNow;
    await this.io.put(tag, Buffer.from(JSON.stringify({ host: os.hostname(), pid: process.pid, refreshed: new Date().toISOString() })));
    if (tag === this.tagNow) this.freshAt = sent;
  }

  /** Throws ServiceUnavailable unless a blob written under `tag` may be committed now. */
  assertCommittable(tag: string): void {
    if (tag !== this.tagNow || performance.now() - this.freshAt > this.timing.ttlMs - this.timing.marginMs) {
      throw new StorageError('ServiceUnavailable', 'The blob store could not be reached in time; please try again.');
    }
  }

  /** Stops refreshing and removes the lease (no write may be in flight). */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.refreshing?.catch(() => undefined);
    await this.io.remove(this.tagNow).catch(() => undefined);
  }
}
