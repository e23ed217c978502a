/**
 * Row 1: 4 KiB PUT, GET and HEAD operations per second at N connections, then
 * a mixed phase like warp's `mixed`: 45% GET, 30% HEAD, 15% PUT, 10% DELETE
 * over the objects the PUT phase wrote. Each connection works on its own
 * share of the keys (no two race on one key), re-creating the keys it deleted.
 */
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
  mixed: LoadResult;
}

export const SMALL_OPS = ['put', 'get', 'head', 'mixed'] as const;

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

  for (const op of SMALL_OPS) {
    const loadSides = names.map((name) => {
      const s = sides[name];
      const keys = written[name];
      const shares: { present: string[]; missing: string[] }[] = [];
      const shareOf = (w: number) => (shares[w] ??= { present: keys.filter((_, i) => i % o.connections === w), missing: [] });
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
          if (op === 'mixed') return mixedOp(s, shareOf(w), w, seq, o);
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

/** One operation of the mixed phase on a connection's share of the keys; the mix cycles through all 100 residues. */
async function mixedOp(s: Side, share: { present: string[]; missing: string[] }, w: number, seq: number, o: { size: number; body: Buffer }): Promise<boolean> {
  const r = (seq * 19 + w * 7) % 100;
  const pick = () => share.present[(seq * 31 + w) % share.present.length]!;
  if (r < 75 && share.present.length > 0) {
    const get = r < 45;
    const res = await s.client.request({ method: get ? 'GET' : 'HEAD', bucket: s.bucket, key: pick() });
    return res.status === 200 && res.bytes === (get ? o.size : 0);
  }
  if (r < 90 || share.present.length <= 1) {
    const key = share.missing.pop() ?? pick();
    const res = await s.client.request({ method: 'PUT', bucket: s.bucket, key, body: o.body });
    if (!share.present.includes(key)) share.present.push(key);
    return res.status === 200;
  }
  const i = (seq * 31 + w) % share.present.length;
  const key = share.present[i]!;
  share.present[i] = share.present[share.present.length - 1]!;
  share.present.pop();
  const res = await s.client.request({ method: 'DELETE', bucket: s.bucket, key });
  share.missing.push(key);
  return res.status === 204;
}

export const pct = (v: number | undefined) => (v === undefined ? '?' : `${(v * 100).toFixed(0)}%`);
