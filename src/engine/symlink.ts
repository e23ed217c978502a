import { createHash } from 'node:crypto';
import type { ObjectMeta, ObjectRecord } from '../meta/types.js';
import type { Engine } from './engine.js';
import { StorageError } from './errors.js';
import { validateKey } from './names.js';
import type { Caller } from './types.js';
import { storeOf } from './store-of.js';

/** Where a symlink keeps the key it points to (in the object's `extra` document). */
const TARGET = 'symlinkTarget';

export function symlinkTarget(o: ObjectRecord): string | undefined {
  const t = o.extra[TARGET];
  return o.objectType === 'Symlink' && typeof t === 'string' ? t : undefined;
}

export interface SymlinkOptions {
  meta: ObjectMeta;
  storageClass?: string;
  tags?: Record<string, string> | null;
  extra?: Record<string, unknown>;
}

/**
 * Creates (or replaces) a symlink: an object of type Symlink with no data
 * whose target key, in the same bucket, lives in `extra`. The target need
 * not exist yet; a target that is itself a symlink is refused, since reads
 * follow one level only.
 */
export async function putSymlink(e: Engine, caller: Caller, bucket: string, key: string, target: string, opts: SymlinkOptions): Promise<ObjectRecord> {
  validateKey(key);
  validateKey(target);
  const refuseChain = (t: ObjectRecord | undefined) => {
    if (t && !t.isDeleteMarker && t.objectType === 'Symlink') throw new StorageError('InvalidTargetType', undefined, { Key: key, Target: target });
  };
  const b = await e.getBucket(bucket);
  refuseChain(await storeOf(e).getLatest(b.id, target));
  return e.commitVersion(
    bucket,
    key,
    {},
    (bk) => ({
      bucketId: bk.id,
      key,
      versionId: 'null',
      isLatest: true,
      isDeleteMarker: false,
      size: 0,
      etag: createHash('md5').update(target, 'utf8').digest('hex'),
      lastModified: Date.now(),
      meta: opts.meta,
      checksums: {},
      storageClass: opts.storageClass ?? 'STANDARD',
      objectType: 'Symlink',
      ownerId: caller.accountId,
      blobId: null,
      segmentCount: 0,
      inline: false,
      tags: opts.tags ?? null,
      extra: { ...(opts.extra ?? {}), [TARGET]: target },
    }),
    undefined,
    async (tx, bk) => {
      // The target may have become a symlink while this one was being created.
      refuseChain(await tx.getLatest(bk.id, target));
      return [];
    },
  );
}

/** GetSymlink: the link itself (NotSymlink for any other object). */
export async function getSymlink(e: Engine, bucket: string, key: string, versionId?: string): Promise<{ link: ObjectRecord; target: string }> {
  const link = await e.getObject(bucket, key, versionId);
  const target = symlinkTarget(link);
  if (target === undefined) throw new StorageError('NotSymlink', undefined, { Key: key });
  return { link, target };
}

/**
 * What a read of `o` serves. A symlink is followed one level: the data,
 * size, ETag and checksums are the target's (latest version); the metadata
 * is the link's; Last-Modified is the later of the two. A missing target
 * is NoSuchKey; a target that is a symlink is InvalidTargetType.
 */
export async function followSymlink(e: Engine, o: ObjectRecord): Promise<ObjectRecord> {
  const target = symlinkTarget(o);
  if (target === undefined) return o;
  const t = await storeOf(e).getLatest(o.bucketId, target);
  if (!t || t.isDeleteMarker) throw new StorageError('NoSuchKey', 'The symlink target object does not exist.', { Key: o.key, SymlinkTarget: target });
  if (t.objectType === 'Symlink') throw new StorageError('InvalidTargetType', undefined, { Key: o.key, Target: target });
  return {
    ...t,
    key: o.key,
    versionId: o.versionId,
    isLatest: o.isLatest,
    meta: o.meta,
    lastModified: Math.max(o.lastModified, t.lastModified),
    objectType: 'Symlink',
    tags: o.tags,
    extra: o.extra,
  };
}
