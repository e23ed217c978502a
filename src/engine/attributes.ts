import type { ObjectMeta, ObjectRecord } from '../meta/types.js';
import type { Engine } from './engine.js';
import { StorageError } from './errors.js';
import { refuseNul } from './names.js';
import { storeOf } from './store-of.js';

/**
 * Changes the latest version's metadata and settings document in place (no
 * new version, data untouched), in one transaction against the version read.
 */
export async function updateObjectAttributes(
  engine: Engine,
  bucket: string,
  key: string,
  change: (o: ObjectRecord) => { meta?: ObjectMeta; extra?: Record<string, unknown> },
): Promise<ObjectRecord> {
  return storeOf(engine).transaction(async (tx) => {
    const b = await tx.getBucketForWrite(bucket, [key]);
    if (!b) throw new StorageError('NoSuchBucket', undefined, { BucketName: bucket });
    refuseNul(key);
    const o = await tx.getLatest(b.id, key);
    if (!o || o.isDeleteMarker) throw new StorageError('NoSuchKey', undefined, { Key: key });
    const c = change(o);
    if (c.meta) await tx.updateObjectMeta(o.id, c.meta);
    if (c.extra) await tx.updateObjectExtra(o.id, c.extra);
    return { ...o, ...(c.meta ? { meta: c.meta } : {}), ...(c.extra ? { extra: c.extra } : {}) };
  });
}
