import type { Engine } from './engine.js';

/**
 * A bucket's default storage class (OBS `?storagePolicy`, the class given at
 * bucket creation; the `storageClass` setting in settings.ts): new objects
 * written without a storage class get it. Class names are neutral (S3's);
 * dialects translate their own names.
 */
export async function getBucketStorageClass(e: Engine, bucket: string): Promise<string> {
  return e.bucketSetting(bucket, 'storageClass');
}

export async function setBucketStorageClass(e: Engine, bucket: string, storageClass: string): Promise<void> {
  await e.setBucketSetting(bucket, 'storageClass', storageClass);
}
