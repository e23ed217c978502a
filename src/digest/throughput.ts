/**
 * Throughput measurement for the digest layer (used by the benchmark suite).
 * Data: a 4 MiB pool of random bytes cut into `chunkSize` Buffers (64 KiB by
 * default, the upload chunk size), cycled until `bytes` have been hashed.
 * Result is in MB/s with MB = 10^6 bytes.
 */
import { randomFillSync } from 'node:crypto';
import { createDigester, DigestSet, type DigestName } from './digest-set.js';

const MiB = 1024 * 1024;
const POOL_BYTES = 4 * MiB;

function makeChunks(chunkSize: number): Buffer[] {
  if (!Number.isInteger(chunkSize) || chunkSize <= 0) throw new RangeError(`bad chunkSize ${chunkSize}`);
  const count = Math.max(1, Math.floor(POOL_BYTES / chunkSize));
  const pool = randomFillSync(Buffer.allocUnsafe(count * chunkSize));
  const chunks: Buffer[] = [];
  for (let i = 0; i < count; i++) chunks.push(pool.subarray(i * chunkSize, (i + 1) * chunkSize));
  return chunks;
}

function run(update: (chunk: Buffer) => void, chunks: Buffer[], bytes: number): number {
  const chunkSize = chunks[0]!.length;
  const n = Math.max(1, Math.ceil(bytes / chunkSize));
  // warm-up: JIT, tables, caches (~1/16 of the run, at least 8 chunks)
  const warm = Math.max(8, Math.ceil(n / 16));
  for (let i = 0; i < warm; i++) update(chunks[i % chunks.length]!);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) update(chunks[i % chunks.length]!);
  const ns = Number(process.hrtime.bigint() - t0);
  return (n * chunkSize * 1e3) / Math.max(ns, 1); // bytes/ns * 1e3 = MB/s
}

/** MB/s for one algorithm alone, fed `chunkSize` chunks (default 64 KiB). */
export function measureDigestThroughput(name: DigestName, bytes: number = 256 * MiB, chunkSize: number = 64 * 1024): number {
  const chunks = makeChunks(chunkSize);
  const d = createDigester(name);
  const mbps = run((c) => d.update(c), chunks, bytes);
  d.finishInto({});
  return mbps;
}

/** MB/s for a whole DigestSet (md5 always included) over the same data. */
export function measureDigestSetThroughput(
  names: Iterable<DigestName>,
  bytes: number = 256 * MiB,
  chunkSize: number = 64 * 1024,
): number {
  const chunks = makeChunks(chunkSize);
  const set = new DigestSet(names);
  const mbps = run((c) => set.update(c), chunks, bytes);
  set.finish();
  return mbps;
}
