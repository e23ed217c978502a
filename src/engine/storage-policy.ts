import type { MetaOps } from '../meta/store.js';
import type { Engine } from './engine.js';
import { StorageError } from './errors.js';

/**
 * A bucket's default storage class (OBS `?storagePolicy`, the class given at
 * bucket creation): new objects written without a storage class get it.
 * Class names are neutral (S3's); dialects translate their own names.
 */
export const STORAGE_CLASS_SETTING = 'storageClass';

interface StorageClassDoc {
  storageClass: string;
}

export async function readDefaultStorageClass(tx: MetaOps, bucketId: number): Promise<string> {
  return (await tx.getSetting<StorageClassDoc>(bucketId, STORAGE_CLASS_SETTING))?.storageClass ?? 'STANDARD';
}

/** The setting document to store (also usable at bucket creation). */
export function storageClassSetting(storageClass: string): StorageClassDoc {
  return { storageClass };
}

export async function getBucketStorageClass(e: Engine, bucket: string): Promise<string> {
  const b = await e.getBucket(bucket);
  return readDefaultStorageClass(e.meta, b.id);
}

export async function setBucketStorageClass(e: Engine, bucket: string, storageClass: string): Promise<void> {
  await e.meta.transaction(async (tx) => {
    const b = await tx.getBucketForUpdate(bucket);
    if (!b) throw new StorageError('NoSuchBucket', undefined, { BucketName: bucket });
    await tx.putSetting(b.id, STORAGE_CLASS_SETTING, storageClassSetting(storageClass));
  });
}
