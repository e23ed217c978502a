/**
 * The SDK's transfer manager on the big object: uploadFile and downloadFile
 * (8 MiB parts, checkpoint files on, Content-MD5 on every part, ranges
 * conditional on the ETag) at several concurrencies, against the Stratus
 * child. Shown beside the single-stream PUT / GET of the same size.
 */
import { randomFillSync } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { StratusClient } from '../src/sdk/index.js';

const MiB = 1024 * 1024;

export interface TransferRun {
  concurrency: number;
  uploadMBps: number;
  uploadSeconds: number;
  downloadMBps: number;
  downloadSeconds: number;
  /** What the download was checked against besides its size. */
  verifiedBy: string;
}

/** Writes `size` bytes of a repeated random 1 MiB block (the file's making is not timed). */
function writeSource(file: string, size: number): void {
  const block = randomFillSync(Buffer.allocUnsafe(MiB));
  const fd = fs.openSync(file, 'w');
  try {
    for (let off = 0; off < size; off += MiB) fs.writeSync(fd, block, 0, Math.min(MiB, size - off));
  } finally {
    fs.closeSync(fd);
  }
}

export async function benchTransfers(
  o: { url: string; credentials: { accessKeyId: string; secretAccessKey: string }; bucket: string; size: number; concurrencies: number[]; dir: string },
  log: (s: string) => void,
): Promise<TransferRun[]> {
  const src = path.join(o.dir, 'transfer-source.bin');
  const dst = path.join(o.dir, 'transfer-copy.bin');
  writeSource(src, o.size);
  const client = new StratusClient({ dialect: 's3', endpoint: o.url, credentials: o.credentials });
  const runs: TransferRun[] = [];
  try {
    for (const c of o.concurrencies) {
      const key = `transfer/c${c}`;
      let t0 = performance.now();
      const up = await client.uploadFile(o.bucket, key, src, { partSize: 8 * MiB, concurrency: c });
      const upS = (performance.now() - t0) / 1000;
      if (up.size !== o.size) throw new Error(`uploadFile sent ${up.size} of ${o.size} bytes`);
      t0 = performance.now();
      const down = await client.downloadFile(o.bucket, key, dst, { partSize: 8 * MiB, concurrency: c });
      const downS = (performance.now() - t0) / 1000;
      if (fs.statSync(dst).size !== o.size) throw new Error('downloadFile wrote the wrong size');
      const run = { concurrency: c, uploadSeconds: upS, uploadMBps: o.size / 1e6 / upS, downloadSeconds: downS, downloadMBps: o.size / 1e6 / downS, verifiedBy: down.verifiedBy };
      runs.push(run);
      log(`  uploadFile   x${c}  ${run.uploadMBps.toFixed(0).padStart(6)} MB/s  (${upS.toFixed(2)} s, ${up.partsUploaded} parts)`);
      log(`  downloadFile x${c}  ${run.downloadMBps.toFixed(0).padStart(6)} MB/s  (${downS.toFixed(2)} s, verified by ${down.verifiedBy})`);
      await client.deleteObject(o.bucket, key);
      fs.rmSync(dst, { force: true });
    }
  } finally {
    client.destroy();
    fs.rmSync(src, { force: true });
    fs.rmSync(dst, { force: true });
  }
  return runs;
}
