import { randomBytes } from 'node:crypto';
import { readFileSync, readlinkSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/**
 * Per-process temporary folders under `<root>/tmp`, so gateways sharing one
 * data directory never sweep each other's writes in flight.
 *
 * A folder is named for its owner, `g-<pid>-<start>-<pidns>-<random>@<host>`,
 * and its modification time is its lease, refreshed every LEASE_REFRESH_MS.
 * A folder is dead, and may be removed with everything in it, when its owner
 * is provably gone (same host and PID namespace, and that pid is not running,
 * or runs a process started at another time), or else when its lease has not
 * been refreshed for LEASE_TTL_MS (an owner on another host).
 *
 * A blob is renamed into place a moment before the metadata commit that
 * references it. A sweep must not take such a blob from a live gateway: while
 * any other live folder exists, unreferenced blobs written within SETTLE_MS
 * (by the later of their mtime and ctime: the rename into place sets the ctime,
 * so a body whose verification was slow is not taken for an old one)
 * are spared (`livePeers`). With no live peer, every unreferenced blob belongs
 * to a dead process and goes at once. This costs a write nothing (an earlier
 * marker directory per blob cost a mkdir and an rmdir on every PUT).
 */
export const LEASE_REFRESH_MS = 10_000;
export const LEASE_TTL_MS = 60_000;
export const SETTLE_MS = 60_000;

const NAME_RE = /^g-(\d+)-(\d*)-(\d*)-[0-9a-f]+@(.+)$/;

/** Start time of a process (clock ticks since boot, /proc), or '' where unknown. */
function startOf(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? '';
  } catch {
    return '';
  }
}

function pidNamespace(): string {
  try {
    return /\[(\d+)\]/.exec(readlinkSync('/proc/self/ns/pid'))?.[1] ?? '';
  } catch {
    return '';
  }
}

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class Workspace {
  readonly dir: string;
  private timer?: NodeJS.Timeout;
  private readonly host = os.hostname();
  private readonly ns = pidNamespace();

  constructor(private readonly tmpRoot: string) {
    const name = `g-${process.pid}-${startOf(process.pid)}-${this.ns}-${randomBytes(4).toString('hex')}@${this.host}`;
    this.dir = path.join(tmpRoot, name);
  }

  async open(): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true });
    this.timer = setInterval(() => void this.tick(), LEASE_REFRESH_MS);
    this.timer.unref();
  }

  /** Refreshes the lease. */
  private async tick(): Promise<void> {
    const now = new Date();
    await fs.mkdir(this.dir, { recursive: true }).catch(() => undefined);
    await fs.utimes(this.dir, now, now).catch(() => undefined);
  }

  /** Stops the lease and removes the folder (no write may be in flight). */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await fs.rm(this.dir, { recursive: true, force: true });
  }

  /** Whether the folder `name` under tmp belongs to a live process (ours included). */
  private async alive(name: string, now: number): Promise<boolean> {
    if (path.join(this.tmpRoot, name) === this.dir) return true;
    const m = NAME_RE.exec(name);
    if (m && m[4] === this.host && m[3] === this.ns && this.ns !== '') {
      const pid = Number(m[1]);
      if (!running(pid)) return false;
      // Another start time: the pid was reused. Unreadable (hidepid): assume it is the owner.
      const start = startOf(pid);
      return m[2] === '' || start === '' || start === m[2];
    }
    const st = await fs.stat(path.join(this.tmpRoot, name)).catch(() => undefined);
    return st !== undefined && now - st.mtimeMs < LEASE_TTL_MS;
  }

  /** Whether another live process has a folder here (it may be between a blob's rename and its commit). */
  async livePeers(): Promise<boolean> {
    const now = Date.now();
    for (const e of await fs.readdir(this.tmpRoot, { withFileTypes: true })) {
      if (e.isDirectory() && path.join(this.tmpRoot, e.name) !== this.dir && (await this.alive(e.name, now))) return true;
    }
    return false;
  }

  /**
   * Removes the folders of dead processes, and loose files (an older layout)
   * last modified before `olderThan`; returns how many temporary files went.
   */
  async sweep(olderThan: number): Promise<{ temps: number }> {
    const now = Date.now();
    let temps = 0;
    for (const e of await fs.readdir(this.tmpRoot, { withFileTypes: true })) {
      const p = path.join(this.tmpRoot, e.name);
      if (e.isDirectory()) {
        if (await this.alive(e.name, now)) continue;
        temps += (await fs.readdir(p).catch(() => [] as string[])).length;
        await fs.rm(p, { recursive: true, force: true });
        continue;
      }
      // A loose file: an older gateway's write; spared while it may still be in flight.
      const st = await fs.stat(p).catch(() => undefined);
      if (st && st.mtimeMs < Math.min(olderThan, now - LEASE_TTL_MS)) {
        await fs.rm(p, { force: true });
        temps++;
      }
    }
    return { temps };
  }
}
