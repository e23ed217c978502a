/**
 * Row 2 and 4: one big object, single stream. PUT and GET throughput (MB =
 * 10^6 bytes) and the server's peak RSS during the PUT. The body is a random
 * 1 MiB block repeated, generated as it is sent: nothing holds the object.
 */
import { randomFillSync } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Side } from './small.js';
import { nodeMd5Throughput } from './digests.js';
import { watchPeakRss } from './proc.js';

const MiB = 1024 * 1024;

export function repeatedBody(total: number, block: Buffer): Readable {
  let sent = 0;
  return new Readable({
    highWaterMark: block.length,
    read() {
      while (sent < total) {
        const n = Math.min(block.length, total - sent);
        sent += n;
        if (!this.push(n === block.length ? block : block.subarray(0, n))) return;
      }
      this.push(null);
    },
  });
}

export interface BigSideResult {
  putMBps: number;
  putSeconds: number;
  /** Median of the GET runs. */
  getMBps: number;
  getRuns: number[];
  peakRssBytes?: number;
  /** CLOCK_MONOTONIC microsecond intervals of the PUT and the GETs (for the CPU profile). */
  putWindowUs: [number, number][];
  /** node:crypto MD5 MB/s measured in this process right after this side's PUT (best of 2). */
  md5NodeMbps: number;
  getWindowsUs: [number, number][];
}

const nowUs = () => Number(process.hrtime.bigint() / 1000n);

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export async function benchBig(
  sides: { stratus: Side; baseline: Side },
  o: { size: number; getRuns: number },
  log: (s: string) => void,
): Promise<{ stratus: BigSideResult; baseline: BigSideResult }> {
  const block = randomFillSync(Buffer.allocUnsafe(MiB));
  const key = 'big/object';
  const names = ['baseline', 'stratus'] as const;
  const out = { stratus: {} as BigSideResult, baseline: {} as BigSideResult };

  for (const name of names) {
    const s = sides[name];
    const watch = watchPeakRss(s.pid);
    const w0 = nowUs();
    const t0 = performance.now();
    let peak: number | undefined;
    try {
      await s.client.must({ method: 'PUT', bucket: s.bucket, key, body: repeatedBody(o.size, block), contentLength: o.size });
    } finally {
      peak = watch.stop();
    }
    const sec = (performance.now() - t0) / 1000;
    out[name].putWindowUs = [[w0, nowUs()]];
    out[name].md5NodeMbps = Math.max(nodeMd5Throughput(128 * MiB), nodeMd5Throughput(128 * MiB));
    out[name].getWindowsUs = [];
    out[name].putSeconds = sec;
    out[name].putMBps = o.size / 1e6 / sec;
    out[name].peakRssBytes = peak;
    out[name].getRuns = [];
    log(`  PUT  ${name.padEnd(8)} ${out[name].putMBps.toFixed(0).padStart(6)} MB/s  (${sec.toFixed(2)} s, peak RSS ${peak === undefined ? '?' : (peak / MiB).toFixed(0) + ' MiB'})`);
  }

  for (let run = 0; run < o.getRuns; run++) {
    for (const name of names) {
      const s = sides[name];
      const w0 = nowUs();
      const t0 = performance.now();
      const r = await s.client.request({ method: 'GET', bucket: s.bucket, key });
      const sec = (performance.now() - t0) / 1000;
      out[name].getWindowsUs.push([w0, nowUs()]);
      if (r.status !== 200 || r.bytes !== o.size) throw new Error(`${name} GET ${key}: status ${r.status}, ${r.bytes} of ${o.size} bytes`);
      const mbps = o.size / 1e6 / sec;
      out[name].getRuns.push(mbps);
      log(`  GET  ${name.padEnd(8)} ${mbps.toFixed(0).padStart(6)} MB/s  (${sec.toFixed(2)} s, run ${run + 1}/${o.getRuns})`);
    }
  }
  for (const name of names) out[name].getMBps = median(out[name].getRuns);
  return out;
}

export { median };
