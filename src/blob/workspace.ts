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
 * The folder also holds a marker directory `<id>.c` for each blob moved into
 * place but possibly not yet referenced by the metadata (the commit window):
 * the sweep spares such blobs while their owner lives. Markers are plain
 * directories so they never show up as stray files, and are removed
 * SETTLE_MS after the rename (the metadata commit follows within moments).
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
  /** Blob ids whose commit marker exists, with the time it was made. */
  private readonly settling = new Map<string, number>();
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

  /** Refreshes the lease and drops markers past their settle time. */
  private async tick(): Promise<void> {
    const now = new Date();
    await fs.mkdir(this.dir, { recursive: true }).catch(() => undefined);
    await fs.utimes(this.dir, now, now).catch(() => undefined);
    for (const [id, at] of this.settling) {
      if (now.getTime() - at >= SETTLE_MS) await this.settle(id);
    }
  }

  /** Marks a blob as in its commit window (before it is moved into place). */
  async marking(id: string): Promise<void> {
    await fs.mkdir(path.join(this.dir, `${id}.c`), { recursive: true });
    this.settling.set(id, Date.now());
  }

  /** The blob is referenced or gone: its marker goes. */
  async settle(id: string): Promise<void> {
    if (!this.settling.delete(id)) return;
    await fs.rmdir(path.join(this.dir, `${id}.c`)).catch(() => undefined);
  }

  /** Stops the lease and removes the folder (no write may be in flight). */
  async close(): Promise<void> {
    clearInterval(this.timer);
    this.settling.clear();
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

  /**
   * Whether some process holds blob `id` in its commit window. Asked for each
   * unreferenced blob just before it would be removed: a blob is marked
   * before it is renamed into place, so a blob the sweep has seen in place
   * has its marker visible by then.
   */
  async holds(id: string): Promise<boolean> {
    for (const e of await fs.readdir(this.tmpRoot, { withFileTypes: true })) {
      if (e.isDirectory() && (await fs.stat(path.join(this.tmpRoot, e.name, `${id}.c`)).then(() => true, () => false))) return true;
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
        temps += (await fs.readdir(p).catch(() => [] as string[])).filter((f) => !f.endsWith('.c')).length;
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
