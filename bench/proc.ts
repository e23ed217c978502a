/**
 * Readings of a child process from /proc (Linux): resident memory and CPU
 * time. Elsewhere every reading is undefined and the rows that need it say so.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

let ticksPerSecond: number | undefined;
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** A `kB` field of /proc/<pid>/status (VmRSS, VmHWM), in bytes. */
export function statusBytes(pid: number, field: 'VmRSS' | 'VmHWM'): number | undefined {
  try {
    const text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Resets the peak RSS (VmHWM) to the current RSS; false when the kernel refuses. */
export function resetPeakRss(pid: number): boolean {
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** User + system CPU seconds the process has used so far. */
export function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at state, field 3.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(rest[11]);
    const stime = Number(rest[12]);
    return (utime + stime) / clockTicks();
  } catch {
    return undefined;
  }
}

/** CPU seconds of a process and its live children (a `--workers N` server's primary and gateways). */
export function treeCpuSeconds(pid: number): number | undefined {
  const own = cpuSeconds(pid);
  if (own === undefined) return undefined;
  let total = own;
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) total += cpuSeconds(Number(entry)) ?? 0;
    } catch {
      // gone meanwhile
    }
  }
  return total;
}

/** CPU seconds of this process (the load generator). */
export function ownCpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/**
 * Samples VmRSS every `everyMs` until stopped; the peak is the larger of the
 * samples and VmHWM (reset at start when the kernel allows), so short spikes
 * between samples are not missed.
 */
export function watchPeakRss(pid: number, everyMs = 50): { stop(): number | undefined } {
  const reset = resetPeakRss(pid);
  let peak = reset ? 0 : (statusBytes(pid, 'VmRSS') ?? 0);
  const sample = () => {
    const v = statusBytes(pid, 'VmRSS');
    if (v !== undefined && v > peak) peak = v;
  };
  const timer = setInterval(sample, everyMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      if (reset) {
        const hwm = statusBytes(pid, 'VmHWM');
        if (hwm !== undefined && hwm > peak) peak = hwm;
      }
      return peak > 0 ? peak : undefined;
    },
  };
}
