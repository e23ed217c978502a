/**
 * Row 5: digest throughput of the project's digesters (src/digest), beside
 * plain node:crypto MD5 over the same chunking, the machine's reference speed
 * (it is also the PUT baseline: every write computes MD5 for the ETag).
 */
import { createHash, randomFillSync } from 'node:crypto';
import type { DigestName } from '../src/digest/digest-set.js';
import { measureDigestThroughput } from '../src/digest/throughput.js';

export const BENCH_DIGESTS: DigestName[] = ['md5', 'crc32', 'crc32c', 'crc64ecma', 'crc64nvme', 'sha256'];

/** node:crypto MD5 MB/s (MB = 10^6) over `bytes`, fed `chunk`-sized Buffers from a 4 MiB random pool. */
export function nodeMd5Throughput(bytes: number, chunk = 64 * 1024): number {
  const pool = randomFillSync(Buffer.allocUnsafe(4 * 1024 * 1024));
  const chunks: Buffer[] = [];
  for (let off = 0; off + chunk <= pool.length; off += chunk) chunks.push(pool.subarray(off, off + chunk));
  const n = Math.max(1, Math.ceil(bytes / chunk));
  const warm = createHash('md5');
  for (let i = 0; i < Math.max(8, n >> 4); i++) warm.update(chunks[i % chunks.length]!);
  warm.digest();
  const h = createHash('md5');
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) h.update(chunks[i % chunks.length]!);
  h.digest();
  const ns = Number(process.hrtime.bigint() - t0);
  return (n * chunk * 1e3) / ns;
}

export interface DigestRow {
  /** Best of the runs, MB/s. */
  mbps: number;
  /** node:crypto MD5, best of the runs made alternately with this digest's. */
  md5NodeMbps: number;
}

/**
 * Each digest alternates with node:crypto MD5 over the same amount of data,
 * `runs` times; the best run of each is kept. Alternating keeps other load on
 * the machine from favouring one side; best-of estimates what the core can do.
 */
export function benchDigests(bytes: number, runs = 3): Record<string, DigestRow> {
  const out: Record<string, DigestRow> = {};
  const per = Math.max(1024 * 1024, Math.floor(bytes / runs));
  for (const name of BENCH_DIGESTS) {
    let best = 0;
    let md5 = 0;
    for (let r = 0; r < runs; r++) {
      md5 = Math.max(md5, nodeMd5Throughput(per));
      best = Math.max(best, measureDigestThroughput(name, per));
    }
    out[name] = { mbps: best, md5NodeMbps: md5 };
  }
  return out;
}
