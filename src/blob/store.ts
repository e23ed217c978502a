import type { Readable } from 'node:stream';
import type { DigestName, DigestValues } from '../digest/digest-set.js';

/** Bytes written to a temporary file, digested, not yet visible under their id. */
export interface PendingBlob {
  readonly id: string;
  readonly size: number;
  readonly digests: DigestValues;
  /** Makes the blob durable under its id (fsync when enabled, then rename into place). */
  commit(): Promise<void>;
  /** Removes the temporary file. Safe to call after a failed commit. */
  discard(): Promise<void>;
}

export interface BlobWriteOptions {
  /** Digests to compute in the same pass; MD5 is always computed. */
  digests?: Iterable<DigestName>;
  /** Refuse (EntityTooLarge) once more bytes than this arrive. */
  maxSize?: number;
  /** When set, a body of another length fails with IncompleteBody. */
  expectedSize?: number;
}

export interface ByteRange {
  start: number;
  /** Inclusive. */
  end: number;
}

/**
 * Immutable blobs addressed by id. The metadata store decides which blobs are
 * live; the blob store only writes, reads and deletes.
 */
export interface BlobStore {
  init(): Promise<void>;
  write(source: AsyncIterable<Buffer>, opts?: BlobWriteOptions): Promise<PendingBlob>;
  /** Opens the blob before returning, so a missing blob fails before any byte is sent. */
  read(id: string, range?: ByteRange): Promise<Readable>;
  /** Reads a small blob (or range) whole. */
  readBuffer(id: string, range?: ByteRange): Promise<Buffer>;
  delete(id: string): Promise<void>;
  /** Throws when the store cannot be written (readiness: the disk or mount is gone). */
  check(): Promise<void>;
  /** Releases what the store holds for this process (no write may be in flight). */
  close?(): Promise<void>;
  /**
   * Removes temporary files no live process can still commit, and blobs no
   * metadata points to, last modified before `olderThan`, that no live
   * process is about to reference (so writes in flight on other gateways
   * sharing the directory are spared). With `shard` (one of `sweepShards()`),
   * only that part of the blobs is examined: a background pass goes through
   * them a batch at a time.
   */
  sweep(isReferenced: (id: string) => Promise<boolean>, olderThan: number, shard?: string): Promise<{ blobs: number; temps: number }>;
  /** The parts `sweep` can examine one at a time; together, every blob. */
  sweepShards(): readonly string[];
}

/**
 * Test-only fault injection at the filesystem calls of a blob store: an error
 * returned is thrown where that call's own failure would be (a disk that is
 * full, or fails, mid-write or mid-read).
 */
export interface BlobFaults {
  inject(op: 'write' | 'sync' | 'read', blobId: string): Error | undefined;
}
