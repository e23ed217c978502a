/**
 * Closed-loop load: N workers, each with one request in flight at a time
 * over the keep-alive agent, for a fixed duration. Also records the CPU the
 * server child and the generator itself used, since on two cores the
 * generator can be the bottleneck (then the baseline's figure is a floor).
 */
import { cpuSeconds, ownCpuSeconds } from './proc.js';

export interface LoadResult {
  ops: number;
  errors: number;
  seconds: number;
  opsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  /** CPU of the server child as a share of one core over the run. */
  serverCpu?: number;
  /** CPU of this process (the generator) as a share of one core. */
  genCpu: number;
  /** Server CPU microseconds per operation. */
  serverUsPerOp?: number;
  firstError?: string;
}

/** `op(worker, seq)` resolves true on success, false (or throws) on failure. */
export type Op = (worker: number, seq: number) => Promise<boolean>;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function drive(workers: number, ms: number, op: Op, latencies?: number[]) {
  const end = performance.now() + ms;
  let ops = 0;
  let errors = 0;
  let firstError: string | undefined;
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      let seq = 0;
      while (performance.now() < end) {
        const t = performance.now();
        let ok = false;
        try {
          ok = await op(w, seq++);
        } catch (e) {
          firstError ??= (e as Error).message;
        }
        if (ok) {
          ops++;
          latencies?.push(performance.now() - t);
        } else {
          errors++;
          firstError ??= 'unexpected status';
          // A server that fails fast must not turn the loop into a busy spin.
          if (errors > 1000) throw new Error(`too many errors: ${firstError}`);
        }
      }
    }),
  );
  return { ops, errors, firstError };
}

/** Runs `op` for `warmupMs` unmeasured, then for `ms` measured. */
export async function runLoad(opts: { workers: number; ms: number; warmupMs: number; serverPid: number; op: Op }): Promise<LoadResult> {
  if (opts.warmupMs > 0) await drive(opts.workers, opts.warmupMs, opts.op);
  const latencies: number[] = [];
  const cpu0 = cpuSeconds(opts.serverPid);
  const gen0 = ownCpuSeconds();
  const t0 = performance.now();
  const r = await drive(opts.workers, opts.ms, opts.op, latencies);
  const seconds = (performance.now() - t0) / 1000;
  const cpu1 = cpuSeconds(opts.serverPid);
  const gen1 = ownCpuSeconds();
  latencies.sort((a, b) => a - b);
  const serverCpuSec = cpu0 !== undefined && cpu1 !== undefined ? cpu1 - cpu0 : undefined;
  return {
    ops: r.ops,
    errors: r.errors,
    seconds,
    opsPerSec: r.ops / seconds,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    serverCpu: serverCpuSec !== undefined ? serverCpuSec / seconds : undefined,
    genCpu: (gen1 - gen0) / seconds,
    serverUsPerOp: serverCpuSec !== undefined && r.ops > 0 ? (serverCpuSec * 1e6) / r.ops : undefined,
    firstError: r.firstError,
  };
}
