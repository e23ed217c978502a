import type { Engine } from './engine.js';
import { StorageError } from './errors.js';

/**
 * Canned ACLs (private, public-read, ...), stored now and enforced once
 * access control arrives: an object's in its `extra` document, a bucket's
 * as the bucket setting "acl". Values are the dialect's words; the dialect
 * validates them.
 */
const OBJECT_ACL = 'acl';
const BUCKET_ACL = 'acl';

export async function setObjectAcl(e: Engine, bucket: string, key: string, versionId: string | undefined, acl: string): Promise<void> {
  const o = await e.getObject(bucket, key, versionId);
  await e.meta.transaction(async (tx) => {
    const current = versionId === undefined ? await tx.getLatest(o.bucketId, key) : await tx.getVersion(o.bucketId, key, versionId);
    if (!current || current.isDeleteMarker) throw new StorageError('NoSuchKey', undefined, { Key: key });
    await tx.updateObjectExtra(current.id, { ...current.extra, [OBJECT_ACL]: acl });
  });
}

/** The object's canned ACL, undefined when none was set (the bucket's applies). */
export async function getObjectAcl(e: Engine, bucket: string, key: string, versionId?: string): Promise<{ acl?: string; ownerId: string }> {
  const o = await e.getObject(bucket, key, versionId);
  const acl = o.extra[OBJECT_ACL];
  return { acl: typeof acl === 'string' ? acl : undefined, ownerId: o.ownerId };
}

/** The `extra` entry that gives a new object its ACL. */
export function objectAclExtra(acl: string | undefined): Record<string, unknown> | undefined {
  return acl === undefined ? undefined : { [OBJECT_ACL]: acl };
}

export async function setBucketAcl(e: Engine, bucket: string, acl: string): Promise<void> {
  const b = await e.getBucket(bucket);
  await e.meta.putSetting(b.id, BUCKET_ACL, { canned: acl });
}

export async function getBucketAcl(e: Engine, bucket: string): Promise<string | undefined> {
  const b = await e.getBucket(bucket);
  const doc = await e.meta.getSetting<{ canned?: string }>(b.id, BUCKET_ACL);
  return doc?.canned;
}
