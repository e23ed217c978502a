/** Row 1: 4 KiB PUT, GET and HEAD operations per second at N connections. */
import type { BenchClient } from './client.js';
import { runInterleaved, type LoadResult } from './load.js';

export interface Side {
  client: BenchClient;
  pid: number;
  bucket: string;
}

export interface SmallResult {
  put: LoadResult;
  get: LoadResult;
  head: LoadResult;
}

export async function benchSmall(
  sides: { stratus: Side; baseline: Side },
  o: { size: number; body: Buffer; connections: number; ms: number; sliceMs: number; warmupMs: number },
  log: (s: string) => void,
): Promise<{ stratus: SmallResult; baseline: SmallResult }> {
  const written = { stratus: [] as string[], baseline: [] as string[] };
  const results = { stratus: {} as SmallResult, baseline: {} as SmallResult };
  const names = ['baseline', 'stratus'] as const;

  for (const name of names) {
    const s = sides[name];
    await s.client.must({ method: 'PUT', bucket: s.bucket });
  }

  for (const op of ['put', 'get', 'head'] as const) {
    const loadSides = names.map((name) => {
      const s = sides[name];
      const keys = written[name];
      return {
        serverPid: s.pid,
        op: async (w: number, seq: number) => {
          if (op === 'put') {
            const key = `small/w${w}-${seq}-${keys.length}`;
            const res = await s.client.request({ method: 'PUT', bucket: s.bucket, key, body: o.body });
            if (res.status !== 200) return false;
            keys.push(key);
            return true;
          }
          const key = keys[(w * 7919 + seq * 31) % keys.length]!;
          const res = await s.client.request({ method: op === 'get' ? 'GET' : 'HEAD', bucket: s.bucket, key });
          return res.status === 200 && res.bytes === (op === 'get' ? o.size : 0);
        },
      };
    });
    const measured = await runInterleaved(loadSides, { workers: o.connections, ms: o.ms, sliceMs: o.sliceMs, warmupMs: o.warmupMs });
    names.forEach((name, i) => {
      const r = measured[i]!;
      results[name][op] = r;
      log(`  ${op.toUpperCase().padEnd(4)} ${name.padEnd(8)} ${r.opsPerSec.toFixed(0).padStart(7)} ops/s  p50 ${r.p50Ms.toFixed(2)} ms  p99 ${r.p99Ms.toFixed(2)} ms  server cpu ${pct(r.serverCpu)} (${r.serverUsPerOp?.toFixed(0) ?? '?'} us/op)  gen cpu ${pct(r.genCpu)}${r.errors ? `  ERRORS ${r.errors}: ${r.firstError}` : ''}`);
      if (r.ops === 0) throw new Error(`${name} ${op}: no successful operation (${r.firstError ?? 'unknown error'})`);
    });
  }
  return results;
}

export const pct = (v: number | undefined) => (v === undefined ? '?' : `${(v * 100).toFixed(0)}%`);
