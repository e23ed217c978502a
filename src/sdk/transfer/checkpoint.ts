/**
 * Checkpoint files of resumable transfers: JSON records rewritten (write to
 * a temporary name, then rename, so a kill never leaves half a record) as
 * parts finish. Writes are serialised per file.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

export const CHECKPOINT_VERSION = 1;

export interface UploadCheckpoint {
  version: number;
  kind: 'upload';
  dialect: string;
  endpoint: string;
  bucket: string;
  key: string;
  uploadId: string;
  /** Absolute path of the source file. */
  file: string;
  fileSize: number;
  fileMtimeMs: number;
  partSize: number;
  /** Parts the server acknowledged: ETag as returned, MD5 (hex) of the bytes sent. */
  parts: Array<{ partNumber: number; etag: string; md5: string; size: number }>;
}

export interface DownloadCheckpoint {
  version: number;
  kind: 'download';
  dialect: string;
  endpoint: string;
  bucket: string;
  key: string;
  versionId?: string;
  etag: string;
  size: number;
  lastModified?: string;
  /** Absolute path of the temporary file beside the target. */
  tempFile: string;
  partSize: number;
  /** Parts written to the temporary file, with the CRC-64 of their bytes (decimal). */
  parts: Array<{ partNumber: number; crc64?: string }>;
}

/** A short stable tag for a (dialect, endpoint, bucket, key) so two destinations of one file do not share a checkpoint. */
export function transferTag(dialect: string, endpoint: string, bucket: string, key: string): string {
  return createHash('sha1').update(`${dialect}\n${endpoint}\n${bucket}\n${key}`).digest('hex').slice(0, 10);
}

export function defaultUploadCheckpointPath(file: string, tag: string): string {
  return `${path.resolve(file)}.${tag}.stratus-upload.json`;
}

export function downloadTempPath(target: string): string {
  return `${path.resolve(target)}.stratus-tmp`;
}

export function defaultDownloadCheckpointPath(target: string): string {
  return `${path.resolve(target)}.stratus-download.json`;
}

/** The record in a checkpoint file; undefined when missing or not a record of this kind (a corrupt file is ignored). */
export async function loadCheckpoint<T extends UploadCheckpoint | DownloadCheckpoint>(file: string, kind: T['kind']): Promise<T | undefined> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const v = JSON.parse(text) as T;
    if (v?.version !== CHECKPOINT_VERSION || v.kind !== kind || !Array.isArray(v.parts)) return undefined;
    return v;
  } catch {
    return undefined;
  }
}

export async function removeCheckpoint(file: string): Promise<void> {
  await fs.rm(file, { force: true });
}

/** Saves a record atomically; calls are queued so the last save wins. */
export class CheckpointWriter<T> {
  #chain: Promise<void> = Promise.resolve();
  #n = 0;

  constructor(readonly file: string) {}

  save(record: T): Promise<void> {
    const text = JSON.stringify(record);
    const tmp = `${this.file}.${process.pid}.${++this.#n}.tmp`;
    const run = async () => {
      await fs.writeFile(tmp, text);
      await fs.rename(tmp, this.file);
    };
    this.#chain = this.#chain.then(run, run);
    return this.#chain;
  }

  /** Waits for queued saves. */
  async flush(): Promise<void> {
    await this.#chain.catch(() => undefined);
  }
}
