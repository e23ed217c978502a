import { crc64Combine } from '../digest/crc64.js';
import { encodeChecksum } from '../digest/digest-set.js';
import type { ObjectRecord, Segment } from '../meta/types.js';
import type { Engine } from './engine.js';
import { StorageError } from './errors.js';
import { objectExpiry } from './lifecycle/object-expiry.js';
import { multipartEtag } from './multipart.js';
import { validateKey } from './names.js';
import { checkQuota, precheckQuota } from './quota.js';
import { readSetting } from './settings.js';
import type { Caller, WriteOptions } from './types.js';
import { storeOf } from './store-of.js';

/** OSS and OBS cap an appendable object at 5 GiB. */
export const MAX_APPENDABLE_SIZE = 5 * 1024 ** 3;

export interface AppendResult {
  object: ObjectRecord;
  /** Where the next append must start (the object's new length). */
  nextPosition: number;
}

function positionError(current: number): StorageError {
  return new StorageError('PositionNotEqualToLength', 'Position is not equal to file length', {}, { 'next-append-position': String(current) });
}

/**
 * AppendObject (OSS `?append`, OBS `?append`): the first append at position
 * 0 creates an Appendable object; each later one must start at its current
 * length. Every append is a new segment blob committed in one transaction,
 * so a failed append leaves the object exactly as it was. The whole object's
 * CRC-64/ECMA-182 is carried forward by combining, never by re-reading.
 */
export async function appendObject(
  e: Engine,
  caller: Caller,
  bucket: string,
  key: string,
  position: number,
  body: AsyncIterable<Buffer>,
  opts: Pick<WriteOptions, 'meta' | 'storageClass' | 'size' | 'verify' | 'extra' | 'tags' | 'digests' | 'expireDays'> & {
    maxTotal?: number;
    /** Appends allowed per object (OBS: 10000); unlimited when unset. */
    maxAppends?: number;
  },
): Promise<AppendResult> {
  validateKey(key);
  if (!Number.isSafeInteger(position) || position < 0) throw new StorageError('InvalidArgument', 'The value of position is invalid', { ArgumentName: 'position' });
  const b = await e.getBucket(bucket);
  const maxTotal = opts.maxTotal ?? MAX_APPENDABLE_SIZE;
  const check = (cur: ObjectRecord | undefined) => {
    const live = cur && !cur.isDeleteMarker ? cur : undefined;
    if (live && live.objectType !== 'Appendable') throw new StorageError('ObjectNotAppendable', 'The operation is not valid for the object type: the object is not appendable');
    if (live && opts.maxAppends !== undefined && live.segmentCount >= opts.maxAppends)
      throw new StorageError('ObjectNotAppendable', `The object has reached the limit of ${opts.maxAppends} appends`);
    const length = live?.size ?? 0;
    if (position !== length) throw positionError(length);
    return live;
  };
  // Refuse before reading the body when the position is already wrong.
  check(await storeOf(e).getLatest(b.id, key));
  if (opts.size !== undefined && position + opts.size > maxTotal) throw new StorageError('EntityTooLarge');
  await precheckQuota(storeOf(e), b, opts.size);
  const storageClass = opts.storageClass ?? (await readSetting(storeOf(e), b, 'storageClass'));

  const pending = await e.stageBlob(body, { digests: opts.digests, maxSize: maxTotal - position, expectedSize: opts.size, verify: opts.verify });
  const segment: Segment = {
    blobId: pending.id,
    size: pending.size,
    etag: pending.digests.md5.toString('hex'),
    checksums: { crc64ecma: encodeChecksum('crc64ecma', pending.digests) },
  };
  const now = Date.now();
  try {
    const existing = await storeOf(e).transaction(async (tx) => {
      const locked = await tx.getBucketForWrite(bucket, [key]);
      if (!locked) throw new StorageError('NoSuchBucket', undefined, { BucketName: bucket });
      const live = check(await tx.getLatest(locked.id, key));
      if (!live) return undefined;
      const segments = await tx.getSegments(live.id);
      const crc = crc64Combine('ecma182', BigInt(live.checksums.crc64ecma ?? '0'), pending.digests.crc64ecma!, pending.size);
      const data = {
        size: live.size + pending.size,
        etag: multipartEtag([...segments, segment]),
        lastModified: now,
        checksums: { crc64ecma: crc.toString() },
        segmentCount: live.segmentCount + 1,
        inline: false,
        blobId: null,
      };
      await checkQuota(tx, locked, pending.size);
      await tx.insertSegments(live.id, [segment], live.segmentCount);
      await tx.updateObjectData(live.id, data);
      await tx.adjustUsage(locked.id, 0, pending.size);
      return { ...live, ...data };
    });
    if (existing) return { object: existing, nextPosition: existing.size };
    // First append: a new Appendable version.
    const created = await e.commitVersion(
      bucket,
      key,
      {},
      (bk) => ({
        bucketId: bk.id,
        key,
        versionId: 'null',
        isLatest: true,
        isDeleteMarker: false,
        size: pending.size,
        etag: multipartEtag([segment]),
        lastModified: now,
        meta: opts.meta,
        checksums: { crc64ecma: segment.checksums.crc64ecma },
        storageClass,
        objectType: 'Appendable',
        ownerId: caller.accountId,
        blobId: null,
        segmentCount: 1,
        inline: false,
        tags: opts.tags ?? null,
        extra: opts.extra ?? {},
        // The object's own expiry is set when the first append creates it, counted from then.
        ...objectExpiry(e, opts.expireDays, now),
      }),
      [segment],
      async (tx, bk) => {
        // Another first append may have won the race: then this one is at the wrong position.
        check(await tx.getLatest(bk.id, key));
        return [];
      },
    );
    return { object: created, nextPosition: created.size };
  } catch (err) {
    await e.blobs.delete(pending.id);
    throw err;
  }
}
