/**
 * uploadFile: one PUT below the multipart threshold, otherwise a multipart
 * upload whose progress is kept in a checkpoint file. A rerun after a crash
 * or kill checks that the file is unchanged and the upload still exists,
 * reconciles the recorded parts with the server's ListParts, sends only
 * the missing parts and completes; an invalid checkpoint aborts the old
 * upload and starts over. Every part goes with Content-MD5 and its ETag is
 * checked against the MD5 (and the whole object's multipart ETag at the end).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { prepareBody, readRange } from '../body.js';
import type { Dialect } from '../dialects/dialect.js';
import { abortError, clientError, StratusError } from '../errors.js';
import { listParts } from '../listing.js';
import type { CompletedPart, PutResult, WriteOptions } from '../types.js';
import {
  CHECKPOINT_VERSION,
  CheckpointWriter,
  defaultUploadCheckpointPath,
  loadCheckpoint,
  removeCheckpoint,
  transferTag,
  type UploadCheckpoint,
} from './checkpoint.js';
import { ProgressTracker, runPool, type ProgressListener } from './progress.js';

const MiB = 1024 * 1024;

export interface UploadFileOptions extends WriteOptions {
  /** Preferred part size (default 8 MiB); raised so the file needs at most the dialect's part limit. */
  partSize?: number;
  /** Files of at least this size go multipart (default 8 MiB). */
  multipartThreshold?: number;
  /** Parts in flight (default 4). */
  concurrency?: number;
  /** Keep a checkpoint file (default true); a string names the file (default beside the source file). */
  checkpoint?: boolean | string;
  onProgress?: ProgressListener;
}

export interface UploadFileResult extends PutResult {
  size: number;
  multipart: boolean;
  /** Parts sent by this run. */
  partsUploaded: number;
  /** Parts a previous run had already sent. */
  partsReused: number;
  /** Whether a checkpoint of an earlier run was resumed. */
  resumed: boolean;
  uploadId?: string;
}

/** The part size for a file: the preferred size, at least the minimum, large enough for the part limit (whole MiB). */
export function choosePartSize(size: number, preferred: number, limits: { minPartSize: number; maxPartSize: number; maxParts: number }): number {
  let ps = Math.max(preferred, limits.minPartSize);
  if (Math.ceil(size / ps) > limits.maxParts) ps = Math.ceil(size / limits.maxParts / MiB) * MiB;
  if (ps > limits.maxPartSize) throw new RangeError(`a file of ${size} bytes needs parts larger than the ${limits.maxPartSize}-byte maximum`);
  return ps;
}

const hex = (b64: string) => Buffer.from(b64, 'base64').toString('hex');

async function md5OfRange(file: string, start: number, length: number): Promise<string> {
  return createHash('md5').update(await readRange(file, start, length)).digest('hex');
}

export async function uploadFile(d: Dialect, bucket: string, key: string, file: string, o: UploadFileOptions = {}): Promise<UploadFileResult> {
  const abs = path.resolve(file);
  let st;
  try {
    st = await fs.stat(abs);
  } catch (e) {
    throw clientError(d.name, 'LocalIOError', `cannot read ${file}: ${(e as Error).message}`, e);
  }
  if (!st.isFile()) throw clientError(d.name, 'LocalIOError', `${file} is not a regular file`);
  try {
    await (await fs.open(abs, 'r')).close();
  } catch (e) {
    throw clientError(d.name, 'LocalIOError', `cannot read ${file}: ${(e as Error).message}`, e);
  }
  const size = st.size;
  const threshold = o.multipartThreshold ?? 8 * MiB;
  const { partSize: _ps, multipartThreshold: _mt, concurrency: _c, checkpoint: _cp, onProgress, ...write } = o;

  if (size < threshold || size <= d.multipart.minPartSize) {
    const progress = new ProgressTracker(size, 1, onProgress);
    const r = await d.putObject(bucket, key, { file: abs }, { ...write, contentMd5: write.contentMd5 ?? true });
    progress.add(size);
    progress.partDone();
    progress.emit(true);
    return { ...r, size, multipart: false, partsUploaded: 1, partsReused: 0, resumed: false };
  }

  const partSize = choosePartSize(size, o.partSize ?? 8 * MiB, d.multipart);
  const partCount = Math.ceil(size / partSize);
  const partRange = (n: number) => ({ start: (n - 1) * partSize, length: Math.min(partSize, size - (n - 1) * partSize) });
  const endpoint = d.ctx.endpoint.toString();
  const useCheckpoint = o.checkpoint !== false;
  const cpFile = typeof o.checkpoint === 'string' ? path.resolve(o.checkpoint) : defaultUploadCheckpointPath(abs, transferTag(d.name, endpoint, bucket, key));
  const writer = new CheckpointWriter<UploadCheckpoint>(cpFile);

  // ---- resume, or start over
  let record: UploadCheckpoint | undefined;
  let resumed = false;
  const done = new Map<number, { etag: string; md5: string; size: number }>();
  if (useCheckpoint) {
    const old = await loadCheckpoint<UploadCheckpoint>(cpFile, 'upload');
    if (old) {
      const same =
        old.dialect === d.name &&
        old.endpoint === endpoint &&
        old.bucket === bucket &&
        old.key === key &&
        old.file === abs &&
        old.fileSize === size &&
        old.fileMtimeMs === st.mtimeMs &&
        old.partSize === partSize &&
        typeof old.uploadId === 'string' &&
        old.uploadId !== '';
      const server = same ? await serverParts(d, bucket, key, old.uploadId, o.signal) : undefined;
      if (same && server) {
        record = old;
        resumed = true;
        for (const p of old.parts) {
          const s = server.get(p.partNumber);
          if (s && s.etag.toLowerCase() === p.etag.toLowerCase() && s.size === partRange(p.partNumber).length) done.set(p.partNumber, p);
        }
        // Parts the server has that the record missed (the run died between the part and the save): adopt them when their MD5 matches.
        if (d.multipart.partEtagIsMd5) {
          for (const [n, s] of server) {
            if (done.has(n) || n > partCount) continue;
            const r = partRange(n);
            if (s.size !== r.length) continue;
            const md5 = await md5OfRange(abs, r.start, r.length);
            if (md5 === s.etag.toLowerCase()) done.set(n, { etag: s.etag, md5, size: r.length });
          }
        }
        record.parts = [...done.entries()].sort((a, b) => a[0] - b[0]).map(([partNumber, p]) => ({ partNumber, ...p }));
        await writer.save(record);
      } else {
        // The file changed, the options differ, or the upload is gone: drop the old upload and start over.
        if (old.uploadId && old.bucket && old.key) {
          await d.abortMultipartUpload(old.bucket, old.key, old.uploadId).catch(() => undefined);
        }
        await removeCheckpoint(cpFile);
      }
    }
  }
  if (!record) {
    const uploadId = await d.createMultipartUpload(bucket, key, { ...write, signal: o.signal });
    record = {
      version: CHECKPOINT_VERSION,
      kind: 'upload',
      dialect: d.name,
      endpoint,
      bucket,
      key,
      uploadId,
      file: abs,
      fileSize: size,
      fileMtimeMs: st.mtimeMs,
      partSize,
      parts: [],
    };
    if (useCheckpoint) await writer.save(record);
  }
  const rec = record;

  // ---- the missing parts
  const missing: number[] = [];
  for (let n = 1; n <= partCount; n++) if (!done.has(n)) missing.push(n);
  const reusedBytes = [...done.keys()].reduce((s, n) => s + partRange(n).length, 0);
  const progress = new ProgressTracker(size, partCount, onProgress, reusedBytes, done.size);
  let uploaded = 0;
  try {
    await runPool(missing, o.concurrency ?? 4, async (n) => {
      if (o.signal?.aborted) throw abortError(d.name, o.signal);
      const r = partRange(n);
      const body = await prepareBody(d.name, { file: abs, start: r.start, end: r.start + r.length });
      if (body.length !== r.length) throw clientError(d.name, 'LocalIOError', `${file} changed while it was being uploaded (part ${n} is short)`);
      const md5 = hex((await body.md5())!);
      const res = await d.uploadPart(bucket, key, rec.uploadId, n, body.buffer ?? { file: abs, start: r.start, end: r.start + r.length }, {
        contentMd5: Buffer.from(md5, 'hex').toString('base64'),
        signal: o.signal,
      });
      done.set(n, { etag: res.etag, md5, size: r.length });
      uploaded++;
      if (useCheckpoint) {
        rec.parts = [...done.entries()].sort((a, b) => a[0] - b[0]).map(([partNumber, p]) => ({ partNumber, ...p }));
        await writer.save(rec);
      }
      progress.add(r.length);
      progress.partDone();
    });
  } catch (e) {
    await writer.flush();
    if (!useCheckpoint) await d.abortMultipartUpload(bucket, key, rec.uploadId).catch(() => undefined);
    if (o.signal?.aborted) throw abortError(d.name, o.signal);
    throw e;
  }

  // ---- the file must not have changed under us
  const after = await fs.stat(abs);
  if (after.size !== size || after.mtimeMs !== st.mtimeMs) {
    await writer.flush();
    await d.abortMultipartUpload(bucket, key, rec.uploadId).catch(() => undefined);
    await removeCheckpoint(cpFile);
    throw clientError(d.name, 'LocalIOError', `${file} changed while it was being uploaded; run the upload again`);
  }

  const parts: CompletedPart[] = [...done.entries()].sort((a, b) => a[0] - b[0]).map(([partNumber, p]) => ({ partNumber, etag: p.etag }));
  const result = await d.completeMultipartUpload(bucket, key, rec.uploadId, parts, { ifMatch: write.ifMatch, ifNoneMatch: write.ifNoneMatch, signal: o.signal });
  // The multipart ETag is the MD5 of the part MD5s, "-N": a last check that the server assembled what was sent.
  if (d.multipart.partEtagIsMd5 && /^[0-9a-f]{32}-\d+$/i.test(result.etag)) {
    const md5s = Buffer.concat([...done.entries()].sort((a, b) => a[0] - b[0]).map(([, p]) => Buffer.from(p.md5, 'hex')));
    const expected = `${createHash('md5').update(md5s).digest('hex')}-${partCount}`;
    if (result.etag.toLowerCase() !== expected) {
      throw clientError(d.name, 'IntegrityError', `the completed object's ETag ${result.etag} is not the one of the parts sent (${expected})`);
    }
  }
  await writer.flush();
  if (useCheckpoint) await removeCheckpoint(cpFile);
  progress.emit(true);
  return { ...result, size, multipart: true, partsUploaded: uploaded, partsReused: partCount - uploaded, resumed, uploadId: rec.uploadId };
}

/** The parts the server holds for an upload; undefined when the upload no longer exists. */
async function serverParts(d: Dialect, bucket: string, key: string, uploadId: string, signal?: AbortSignal): Promise<Map<number, { etag: string; size: number }> | undefined> {
  const out = new Map<number, { etag: string; size: number }>();
  try {
    for await (const p of listParts(d, bucket, key, uploadId, { signal })) out.set(p.partNumber, { etag: p.etag, size: p.size });
  } catch (e) {
    if (e instanceof StratusError && (e.status === 404 || e.code === 'NoSuchUpload')) return undefined;
    throw e;
  }
  return out;
}
