/**
 * Copy and move (rename) of an object within a bucket, with an overwrite
 * switch. No data is copied: the new version shares the source's blobs.
 */
import type { ObjectRecord } from '../meta/types.js';
import type { Engine } from './engine.js';
import { StorageError } from './errors.js';
import { validateKey } from './names.js';
import type { Caller, CommitCheck } from './types.js';
import { storeOf } from './store-of.js';

export interface RelocateOptions {
  /** Replace an existing object at the destination (else PreconditionFailed). */
  overwrite: boolean;
  /** Remove the source: a rename. */
  move: boolean;
  /** Runs in the committing transaction (e.g. the destination folder must exist). */
  within?: CommitCheck;
}

/**
 * Copies or moves `srcKey` to `dstKey`. The destination commits in one
 * transaction that also checks the source is still the version read (its
 * blobs are shared, so a concurrent delete must not free them first). In an
 * unversioned bucket a move removes the source in that same transaction; in
 * a versioned one the source then gets a delete marker, so a crash between
 * the two leaves the object under both names, never under neither.
 */
export async function relocateObject(engine: Engine, caller: Caller, bucket: string, srcKey: string, dstKey: string, opts: RelocateOptions): Promise<ObjectRecord> {
  validateKey(dstKey);
  if (srcKey === dstKey) throw new StorageError('InvalidRequest', 'The source and destination are the same object');
  const source = await engine.getObject(bucket, srcKey);
  const segments = source.segmentCount > 0 ? await storeOf(engine).getSegments(source.id) : undefined;
  // Inline bytes are copied into the new row (sameSource below proves they are still the source's).
  const inlineData = source.inline ? await engine.readSmall(source) : undefined;
  const sameSource: CommitCheck = async (tx, b) => {
    const cur = await tx.getLatest(b.id, srcKey);
    if (!cur || cur.id !== source.id) throw new StorageError('NoSuchKey', undefined, { Key: srcKey });
  };
  let sourceRemoved = false;
  const target = await engine.commitVersion(
    bucket,
    dstKey,
    // A move also changes the source key: locked with the target, so no writer of it slips between.
    { ifNoneMatch: opts.overwrite ? undefined : '*', ...(opts.move ? { alsoLock: [srcKey] } : {}) },
    (b) => ({
      bucketId: b.id,
      key: dstKey,
      versionId: 'null',
      isLatest: true,
      isDeleteMarker: false,
      size: source.size,
      etag: source.etag,
      // A rename keeps the object's times; a copy is a new object.
      lastModified: opts.move ? source.lastModified : Date.now(),
      meta: source.meta,
      checksums: source.checksums,
      storageClass: source.storageClass,
      objectType: source.objectType,
      ownerId: opts.move ? source.ownerId : caller.accountId,
      blobId: source.blobId,
      segmentCount: source.segmentCount,
      inline: source.inline,
      ...(inlineData ? { inlineData } : {}),
      tags: source.tags,
      extra: source.extra,
    }),
    segments,
    async (tx, b) => {
      await sameSource(tx, b);
      if (opts.within) await opts.within(tx, b);
      if (opts.move && b.versioning === 'Unversioned') {
        await tx.deleteObjectRow(source.id);
        await tx.adjustUsage(b.id, -1, -source.size);
        sourceRemoved = true;
      }
      return [];
    },
  );
  if (opts.move && !sourceRemoved) {
    await engine.deleteObject(caller, bucket, srcKey, { within: sameSource }).catch((e: unknown) => {
      // Replaced meanwhile: the newer object stays, the move still happened.
      if (!(e instanceof StorageError && e.code === 'NoSuchKey')) throw e;
    });
  }
  return target;
}
