import path from 'node:path';
import { FsBlobStore } from './fs-store.js';
import type { BlobLocation } from './location.js';
import { S3BlobStore, type BlobLog } from './s3/s3-store.js';
import type { BlobFaults, BlobStore } from './store.js';

/** The blob store a server's configuration names (not yet initialised). */
export function openBlobStore(
  location: BlobLocation,
  o: { dataDir: string; fsync: boolean; faults?: BlobFaults; log?: BlobLog; bodyTimeoutMs: number },
): BlobStore {
  if (location.kind === 'fs') return new FsBlobStore(path.join(o.dataDir, 'objects'), o.fsync, o.faults);
  return new S3BlobStore({
    endpoint: location.endpoint,
    bucket: location.bucket,
    prefix: location.prefix,
    accessKey: location.accessKey,
    secretKey: location.secretKey,
    region: location.region,
    timeoutMs: location.timeoutMs,
    ...(o.log ? { log: o.log } : {}),
    // A write lasts at most its body's deadline; ten minutes more covers staging and the commit.
    maxWriteMs: o.bodyTimeoutMs + 600_000,
  });
}
