/**
 * downloadFile: ranged parallel GETs into a temporary file beside the
 * target, each conditional on the object's ETag (If-Match), with a
 * checkpoint that survives a kill. The temporary file replaces the target
 * only when it is whole and verified: its size, and the CRC-64 the server
 * reports (OSS; combined from the parts' CRCs) or the MD5 a single-part
 * S3 / OBS ETag is.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { Crc64, crc64Combine } from '../../digest/crc64.js';
import type { Dialect } from '../dialects/dialect.js';
import { quote } from '../dialects/xml-wire.js';
import { abortError, clientError, StratusError } from '../errors.js';
import { isRetryableNetworkError } from '../http.js';
import {
  CHECKPOINT_VERSION,
  CheckpointWriter,
  defaultDownloadCheckpointPath,
  downloadTempPath,
  loadCheckpoint,
  removeCheckpoint,
  type DownloadCheckpoint,
} from './checkpoint.js';
import { ProgressTracker, runPool, type ProgressListener } from './progress.js';

const MiB = 1024 * 1024;
const WRITE_BATCH = 1024 * 1024;

export interface DownloadFileOptions {
  versionId?: string;
  /** Range size (default 8 MiB). */
  partSize?: number;
  /** Ranges in flight (default 4). */
  concurrency?: number;
  /** Keep a checkpoint file (default true); a string names it (default `<target>.stratus-download.json`). */
  checkpoint?: boolean | string;
  /** Give the file the object's Last-Modified time (default true). */
  preserveMtime?: boolean;
  onProgress?: ProgressListener;
  signal?: AbortSignal;
}

export interface DownloadFileResult {
  size: number;
  etag: string;
  versionId?: string;
  lastModified?: Date;
  /** What the whole file was checked against besides its size. */
  verifiedBy: 'crc64' | 'md5' | 'sha1' | 'size';
  partsDownloaded: number;
  partsReused: number;
  resumed: boolean;
}

const MD5_DIALECTS = new Set(['s3', 'obs', 'obs-v2']);

export async function downloadFile(d: Dialect, bucket: string, key: string, target: string, o: DownloadFileOptions = {}): Promise<DownloadFileResult> {
  const abs = path.resolve(target);
  const info = await d.headObject(bucket, key, { versionId: o.versionId, checksumMode: true, signal: o.signal });
  const size = info.size;
  const etag = info.etag;
  const partSize = Math.max(1, o.partSize ?? 8 * MiB);
  const partCount = Math.max(1, Math.ceil(size / partSize));
  const partRange = (n: number) => ({ start: (n - 1) * partSize, length: Math.min(partSize, size - (n - 1) * partSize) });
  const useCheckpoint = o.checkpoint !== false;
  const cpFile = typeof o.checkpoint === 'string' ? path.resolve(o.checkpoint) : defaultDownloadCheckpointPath(abs);
  const tempFile = downloadTempPath(abs);
  const writer = new CheckpointWriter<DownloadCheckpoint>(cpFile);
  const endpoint = d.ctx.endpoint.toString();
  // A whole-object CRC-64 (OSS's ECMA-182, S3's NVME) is checked from the parts' CRCs, combined: no second pass over the file.
  const crcKind = info.crc64 !== undefined ? ('ecma182' as const) : info.crc64nvme !== undefined ? ('nvme' as const) : undefined;
  const wantCrc = crcKind !== undefined;
  try {
    await fs.mkdir(path.dirname(abs), { recursive: true });
  } catch (e) {
    throw clientError(d.name, 'LocalIOError', `cannot create ${path.dirname(abs)}: ${(e as Error).message}`, e);
  }

  // ---- resume when the record matches the object as it is now and the temporary file is intact
  const done = new Map<number, { crc64?: string }>();
  let resumed = false;
  let record: DownloadCheckpoint | undefined;
  if (useCheckpoint) {
    const old = await loadCheckpoint<DownloadCheckpoint>(cpFile, 'download');
    if (old) {
      const tmpSize = await fs.stat(old.tempFile).then((s) => s.size, () => -1);
      const same =
        old.dialect === d.name &&
        old.endpoint === endpoint &&
        old.bucket === bucket &&
        old.key === key &&
        (old.versionId ?? '') === (o.versionId ?? '') &&
        old.etag === etag &&
        old.size === size &&
        old.lastModified === info.lastModified?.toISOString() &&
        old.partSize === partSize &&
        old.tempFile === tempFile &&
        tmpSize === size;
      if (same && old.parts.every((p) => !wantCrc || p.crc64 !== undefined)) {
        record = old;
        resumed = true;
        for (const p of old.parts) if (p.partNumber >= 1 && p.partNumber <= partCount) done.set(p.partNumber, { crc64: p.crc64 });
      } else {
        await fs.rm(old.tempFile, { force: true });
        await removeCheckpoint(cpFile);
      }
    }
  }
  let fh: fs.FileHandle;
  try {
    if (record) fh = await fs.open(tempFile, 'r+');
    else {
      fh = await fs.open(tempFile, 'w');
      await fh.truncate(size);
    }
  } catch (e) {
    throw clientError(d.name, 'LocalIOError', `cannot write ${tempFile}: ${(e as Error).message}`, e);
  }
  record ??= {
    version: CHECKPOINT_VERSION,
    kind: 'download',
    dialect: d.name,
    endpoint,
    bucket,
    key,
    versionId: o.versionId,
    etag,
    size,
    lastModified: info.lastModified?.toISOString(),
    tempFile,
    partSize,
    parts: [],
  };
  const rec = record;
  if (useCheckpoint && !resumed) await writer.save(rec);

  const missing: number[] = [];
  for (let n = 1; n <= partCount; n++) if (!done.has(n)) missing.push(n);
  const reusedBytes = [...done.keys()].reduce((s, n) => s + partRange(n).length, 0);
  const progress = new ProgressTracker(size, partCount, o.onProgress, reusedBytes, done.size);
  let downloaded = 0;

  const fetchPart = async (n: number) => {
    const r = partRange(n);
    let partCrc: string | undefined;
    for (let attempt = 0; ; attempt++) {
      if (o.signal?.aborted) throw abortError(d.name, o.signal);
      let got = 0;
      const crc = crcKind ? new Crc64(crcKind) : undefined;
      try {
        if (r.length > 0) {
          const res = await d.getObject(bucket, key, {
            range: { start: r.start, end: r.start + r.length - 1 },
            ifMatch: quote(etag),
            versionId: o.versionId,
            signal: o.signal,
          });
          const served = res.range ?? { start: 0, end: res.size - 1 };
          if (served.start !== r.start || served.end !== r.start + r.length - 1) {
            res.body.destroy();
            throw clientError(d.name, 'IntegrityError', `asked for bytes ${r.start}-${r.start + r.length - 1}, got ${served.start}-${served.end}`);
          }
          // Chunks are gathered into writes of about 1 MiB (one positional write per network chunk costs a thread-pool trip each).
          let pending: Buffer[] = [];
          let pendingBytes = 0;
          let written = 0;
          const flush = async () => {
            if (!pendingBytes) return;
            const buf = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes);
            pending = [];
            pendingBytes = 0;
            await fh.write(buf, 0, buf.length, r.start + written);
            written += buf.length;
          };
          for await (const chunk of res.body as AsyncIterable<Buffer>) {
            if (got + chunk.length > r.length) throw clientError(d.name, 'IntegrityError', `part ${n}: more bytes than asked for`);
            crc?.update(chunk);
            pending.push(chunk);
            pendingBytes += chunk.length;
            got += chunk.length;
            if (pendingBytes >= WRITE_BATCH) await flush();
            progress.add(chunk.length);
          }
          await flush();
          if (got !== r.length) throw clientError(d.name, 'IntegrityError', `part ${n}: got ${got} of ${r.length} bytes`);
        }
        partCrc = crc?.digest().toString();
        break;
      } catch (e) {
        progress.add(-got);
        // A connection cut while the body streams is retried here (the HTTP layer retries only until the headers).
        const cut = !(e instanceof StratusError) ? isRetryableNetworkError(e) || (e as Error)?.message === 'aborted' : e.code === 'NetworkError' || e.code === 'Timeout';
        if (o.signal?.aborted || !cut || attempt >= d.ctx.http.maxRetries) throw e;
      }
    }
    done.set(n, { crc64: partCrc });
    downloaded++;
    if (useCheckpoint) {
      rec.parts = [...done.entries()].sort((a, b) => a[0] - b[0]).map(([partNumber, p]) => ({ partNumber, ...p }));
      await writer.save(rec);
    }
    progress.partDone();
  };

  try {
    await runPool(missing, o.concurrency ?? 4, fetchPart);
  } catch (e) {
    await writer.flush();
    await fh.close().catch(() => undefined);
    if (!useCheckpoint) await fs.rm(tempFile, { force: true });
    if (o.signal?.aborted) throw abortError(d.name, o.signal);
    if (e instanceof StratusError && e.status === 412) {
      // The object changed since the download began: what was fetched is of no use.
      await fs.rm(tempFile, { force: true });
      await removeCheckpoint(cpFile);
      throw new StratusError({
        dialect: e.dialect,
        code: e.code,
        message: `${key} changed during the download (its ETag is no longer ${etag}); run it again`,
        status: e.status,
        requestId: e.requestId,
      });
    }
    throw e;
  }

  // ---- verify, then put in place
  let verifiedBy: DownloadFileResult['verifiedBy'] = 'size';
  try {
    await fh.sync();
    const st = await fh.stat();
    if (st.size !== size) throw clientError(d.name, 'IntegrityError', `the downloaded file has ${st.size} bytes, the object ${size}`);
  } finally {
    await fh.close();
  }
  const fail = async (msg: string) => {
    await fs.rm(tempFile, { force: true });
    await removeCheckpoint(cpFile);
    return clientError(d.name, 'IntegrityError', msg);
  };
  if (crcKind) {
    const expected = crcKind === 'ecma182' ? info.crc64 : info.crc64nvme;
    let total = 0n;
    for (let n = 1; n <= partCount; n++) {
      const c = done.get(n)?.crc64;
      if (c === undefined) throw await fail(`part ${n} has no CRC-64 recorded`);
      total = n === 1 ? BigInt(c) : crc64Combine(crcKind, total, BigInt(c), partRange(n).length);
    }
    if (total.toString() !== expected) throw await fail(`CRC-64 of the download ${total} differs from the object's ${expected}; it was discarded, run it again`);
    verifiedBy = 'crc64';
  } else if (info.sha1) {
    const h = createHash('sha1');
    for await (const c of createReadStream(tempFile, { highWaterMark: 4 * MiB })) h.update(c as Buffer);
    const sha1 = h.digest('hex');
    if (sha1 !== info.sha1) throw await fail(`SHA-1 of the download ${sha1} differs from the object's ${info.sha1}; it was discarded, run it again`);
    verifiedBy = 'sha1';
  } else if (MD5_DIALECTS.has(d.name) && /^[0-9a-f]{32}$/i.test(etag)) {
    const h = createHash('md5');
    for await (const c of createReadStream(tempFile, { highWaterMark: 4 * MiB })) h.update(c as Buffer);
    const md5 = h.digest('hex');
    if (md5 !== etag.toLowerCase()) throw await fail(`MD5 of the download ${md5} differs from the object's ETag ${etag}; it was discarded, run it again`);
    verifiedBy = 'md5';
  }
  if (o.preserveMtime !== false && info.lastModified) await fs.utimes(tempFile, info.lastModified, info.lastModified).catch(() => undefined);
  try {
    await fs.rename(tempFile, abs);
  } catch (e) {
    throw clientError(d.name, 'LocalIOError', `cannot replace ${target}: ${(e as Error).message}`, e);
  }
  await writer.flush();
  if (useCheckpoint) await removeCheckpoint(cpFile);
  progress.emit(true);
  return {
    size,
    etag,
    versionId: info.versionId,
    lastModified: info.lastModified,
    verifiedBy,
    partsDownloaded: downloaded,
    partsReused: partCount - downloaded,
    resumed,
  };
}
