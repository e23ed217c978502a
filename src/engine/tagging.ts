import type { MetaOps, MetadataStore } from '../meta/store.js';
import type { BucketRecord, ObjectRecord } from '../meta/types.js';
import type { Engine } from './engine.js';
import { StorageError } from './errors.js';
import { refuseNul, validateVersionId } from './names.js';
import type { TagSet } from './settings.js';

export type { TagSet };

/**
 * Object and bucket tag sets. Validation of a tag set (counts, lengths,
 * reserved prefixes) belongs to the dialect, whose limits differ; the engine
 * stores what it is given.
 */
export class Tagging {
  constructor(
    private readonly e: Engine,
    private readonly meta: MetadataStore,
  ) {}

  /** The version whose tags are read (the latest, or the one named), with its bucket. */
  async getObjectTags(bucket: string, key: string, versionId?: string): Promise<{ bucket: BucketRecord; object: ObjectRecord }> {
    return this.e.readVersion(bucket, key, versionId);
  }

  /**
   * Replaces (or with null removes) the tag set of an object version. A delete
   * marker has no tags: S3 answers MethodNotAllowed for one, whether named by
   * version id or the latest version.
   */
  async putObjectTags(
    bucket: string,
    key: string,
    versionId: string | undefined,
    tags: TagSet | null,
    method = 'PUT',
  ): Promise<{ bucket: BucketRecord; object: ObjectRecord }> {
    if (versionId !== undefined) validateVersionId(versionId);
    return this.meta.transaction(async (tx) => {
      const b = await tx.getBucketForWrite(bucket, [key]);
      if (!b) throw new StorageError('NoSuchBucket', undefined, { BucketName: bucket });
      const o = await findVersion(tx, b, key, versionId);
      if (o.isDeleteMarker) {
        const headers: Record<string, string> = { allow: 'DELETE' };
        if (versionId !== undefined) Object.assign(headers, { 'delete-marker': 'true', 'version-id': o.versionId });
        throw new StorageError('MethodNotAllowed', undefined, { Method: method, ResourceType: 'DeleteMarker' }, headers);
      }
      const next = tags && Object.keys(tags).length ? tags : null;
      await tx.updateObjectTags(o.id, next);
      return { bucket: b, object: { ...o, tags: next } };
    });
  }

  async deleteObjectTags(bucket: string, key: string, versionId?: string): Promise<{ bucket: BucketRecord; object: ObjectRecord }> {
    return this.putObjectTags(bucket, key, versionId, null, 'DELETE');
  }

  /** The bucket's tag set; NoSuchTagSet when it has none. */
  async getBucketTags(bucket: string): Promise<TagSet> {
    const tags = await this.e.bucketSetting(bucket, 'tags');
    if (!tags) throw new StorageError('NoSuchTagSet', undefined, { BucketName: bucket });
    return tags;
  }

  /** Replaces the bucket's tag set; an empty set removes it. */
  async putBucketTags(bucket: string, tags: TagSet | null): Promise<void> {
    await this.e.setBucketSetting(bucket, 'tags', tags && Object.keys(tags).length ? tags : null);
  }

  async deleteBucketTags(bucket: string): Promise<void> {
    await this.putBucketTags(bucket, null);
  }
}

async function findVersion(tx: MetaOps, b: BucketRecord, key: string, versionId: string | undefined): Promise<ObjectRecord> {
  refuseNul(key);
  if (versionId !== undefined) {
    const o = await tx.getVersion(b.id, key, versionId);
    if (!o) throw new StorageError('NoSuchVersion', undefined, { Key: key, VersionId: versionId });
    return o;
  }
  const o = await tx.getLatest(b.id, key);
  if (!o) throw new StorageError('NoSuchKey', undefined, { Key: key });
  return o;
}
