/**
 * The single-file moves cp, mv and sync are built from: upload, download,
 * remote copy (server-side within one profile, streamed between profiles),
 * each reported as one line (or one JSON record) and a progress bar.
 */
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import type { StratusClient } from '../../sdk/client.js';
import type { CannedAcl } from '../../sdk/types.js';
import type { CliContext } from './context.js';
import { remoteText, type RemoteTarget } from './target.js';

export interface TransferOptions {
  partSize?: number;
  concurrency?: number;
  contentType?: string;
  metadata?: Record<string, string>;
  acl?: CannedAcl;
  storageClass?: string;
}

export interface TransferRecord {
  op: 'upload' | 'download' | 'copy' | 'delete' | 'skip';
  from?: string;
  to: string;
  size?: number;
  etag?: string;
  resumed?: boolean;
}

/** Upload checkpoints live in the user's state directory, not beside the source files (which may be read-only, or synced). */
export function uploadCheckpointFile(abs: string, client: StratusClient, bucket: string, key: string): string {
  const base = process.env.STRATUS_STATE_DIR ?? path.join(process.env.XDG_STATE_HOME || path.join(os.homedir(), '.local', 'state'), 'stratus');
  const id = createHash('sha1').update(`${client.name}\n${client.options.endpoint}\n${bucket}\n${key}\n${abs}`).digest('hex');
  return path.join(base, 'checkpoints', `${id}.upload.json`);
}

/** Files the transfer manager leaves beside a target while it works: never uploaded or synced. */
export function isTransferLeftover(name: string): boolean {
  return name.endsWith('.stratus-tmp') || name.endsWith('.stratus-download.json') || name.endsWith('.stratus-upload.json');
}

export async function uploadOne(ctx: CliContext, abs: string, dst: RemoteTarget, key: string, o: TransferOptions): Promise<TransferRecord> {
  const { client } = ctx.client(dst.scheme);
  const to = remoteText(dst, key);
  const bar = ctx.out.progress(`${path.basename(abs)} → ${to}`);
  const fs = await import('node:fs/promises');
  const cp = uploadCheckpointFile(path.resolve(abs), client, dst.bucket, key);
  await fs.mkdir(path.dirname(cp), { recursive: true }).catch(() => undefined);
  try {
    const r = await client.uploadFile(dst.bucket, key, abs, {
      partSize: o.partSize,
      concurrency: o.concurrency,
      contentType: o.contentType,
      metadata: o.metadata,
      acl: o.acl,
      storageClass: o.storageClass,
      checkpoint: cp,
      onProgress: bar.listener,
    });
    ctx.out.line(`upload: ${abs} to ${to}${r.resumed ? ` (resumed, ${r.partsReused} parts already there)` : ''}`);
    return { op: 'upload', from: abs, to, size: r.size, etag: r.etag, resumed: r.resumed };
  } finally {
    bar.done();
  }
}

export async function downloadOne(ctx: CliContext, src: RemoteTarget, key: string, target: string, o: TransferOptions): Promise<TransferRecord> {
  const { client } = ctx.client(src.scheme);
  const from = remoteText(src, key);
  const bar = ctx.out.progress(`${from} → ${path.basename(target)}`);
  try {
    const r = await client.downloadFile(src.bucket, key, target, { partSize: o.partSize, concurrency: o.concurrency, onProgress: bar.listener });
    ctx.out.line(`download: ${from} to ${target}${r.resumed ? ` (resumed, ${r.partsReused} parts already there)` : ''}`);
    return { op: 'download', from, to: target, size: r.size, etag: r.etag, resumed: r.resumed };
  } finally {
    bar.done();
  }
}

export async function copyOne(ctx: CliContext, src: RemoteTarget, srcKey: string, dst: RemoteTarget, dstKey: string, o: TransferOptions): Promise<TransferRecord> {
  const from = remoteText(src, srcKey);
  const to = remoteText(dst, dstKey);
  const same = src.scheme === dst.scheme || ctx.sameClient(src.scheme, dst.scheme);
  const a = ctx.client(src.scheme).client;
  const b = ctx.client(dst.scheme).client;
  let etag: string;
  let size: number | undefined;
  const replace = o.metadata !== undefined || o.contentType !== undefined;
  if (same && (a.name !== 'cos' || src.bucket === dst.bucket)) {
    const r = await a.copyObject(src.bucket, srcKey, dst.bucket, dstKey, {
      metadata: o.metadata,
      contentType: o.contentType,
      metadataDirective: replace ? 'REPLACE' : 'COPY',
      acl: o.acl,
      storageClass: o.storageClass,
    });
    etag = r.etag;
  } else {
    // Between endpoints or dialects: stream the bytes through, keeping the content headers and metadata.
    const g = await a.getObject(src.bucket, srcKey);
    size = g.size;
    const r = await b.putObject(dst.bucket, dstKey, g.body, {
      contentLength: g.size,
      contentType: o.contentType ?? g.contentType,
      metadata: o.metadata ?? g.metadata,
      cacheControl: g.cacheControl,
      contentDisposition: g.contentDisposition,
      contentEncoding: g.contentEncoding,
      acl: o.acl,
      storageClass: o.storageClass,
    });
    etag = r.etag;
  }
  ctx.out.line(`copy: ${from} to ${to}`);
  return { op: 'copy', from, to, size, etag };
}
