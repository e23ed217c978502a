/**
 * Closed-loop load: N workers, each with one request in flight at a time
 * over the keep-alive agent, for a fixed duration. Also records the CPU the
 * server child and the generator itself used, since on two cores the
 * generator can be the bottleneck (then the baseline's figure is a floor).
 */
import { ownCpuSeconds, treeCpuSeconds } from './proc.js';

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
  /** Measured intervals, CLOCK_MONOTONIC microseconds (the clock of V8 CPU profiles on Linux). */
  windowsUs: [number, number][];
}

const nowUs = () => Number(process.hrtime.bigint() / 1000n);

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

export interface LoadSide {
  serverPid: number;
  op: Op;
}

/**
 * Measures several sides (baseline, Stratus) under the same load, in
 * alternating slices (A B B A A B ...) of `sliceMs` until each has had `ms`,
 * so that other work on the machine hits every side alike. Each side first
 * runs `warmupMs` unmeasured.
 */
export async function runInterleaved(
  sides: LoadSide[],
  opts: { workers: number; ms: number; sliceMs: number; warmupMs: number },
): Promise<LoadResult[]> {
  if (opts.warmupMs > 0) for (const s of sides) await drive(opts.workers, opts.warmupMs, s.op);
  const acc = sides.map(() => ({ ops: 0, errors: 0, seconds: 0, serverCpu: 0 as number | undefined, genCpu: 0, latencies: [] as number[], firstError: undefined as string | undefined, windowsUs: [] as [number, number][] }));
  const slices = Math.max(1, Math.round(opts.ms / opts.sliceMs));
  const sliceMs = opts.ms / slices;
  for (let i = 0; i < slices; i++) {
    const order = sides.map((_, j) => j);
    if (i % 2 === 1) order.reverse();
    for (const j of order) {
      const s = sides[j]!;
      const a = acc[j]!;
      const cpu0 = treeCpuSeconds(s.serverPid);
      const gen0 = ownCpuSeconds();
      const t0 = performance.now();
      const w0 = nowUs();
      const r = await drive(opts.workers, sliceMs, s.op, a.latencies);
      a.windowsUs.push([w0, nowUs()]);
      a.seconds += (performance.now() - t0) / 1000;
      const cpu1 = treeCpuSeconds(s.serverPid);
      a.genCpu += ownCpuSeconds() - gen0;
      a.serverCpu = a.serverCpu !== undefined && cpu0 !== undefined && cpu1 !== undefined ? a.serverCpu + (cpu1 - cpu0) : undefined;
      a.ops += r.ops;
      a.errors += r.errors;
      a.firstError ??= r.firstError;
    }
  }
  return acc.map((a) => {
    a.latencies.sort((x, y) => x - y);
    return {
      ops: a.ops,
      errors: a.errors,
      seconds: a.seconds,
      opsPerSec: a.ops / a.seconds,
      p50Ms: percentile(a.latencies, 50),
      p99Ms: percentile(a.latencies, 99),
      serverCpu: a.serverCpu !== undefined ? a.serverCpu / a.seconds : undefined,
      genCpu: a.genCpu / a.seconds,
      serverUsPerOp: a.serverCpu !== undefined && a.ops > 0 ? (a.serverCpu * 1e6) / a.ops : undefined,
      firstError: a.firstError,
      windowsUs: a.windowsUs,
    };
  });
}
