import type { ObjectRecord } from '../meta/types.js';
import type { Engine } from './engine.js';
import { StorageError } from './errors.js';

/**
 * Access control lists, neutral form. Stored now (bucket setting `acl`,
 * object `extra.acl`) and returned as stored; enforcement comes later. A
 * bucket or object without one has the owner's private ACL.
 */
export type Permission = 'READ' | 'WRITE' | 'READ_ACP' | 'WRITE_ACP' | 'FULL_CONTROL';
export const PERMISSIONS: readonly Permission[] = ['READ', 'WRITE', 'READ_ACP', 'WRITE_ACP', 'FULL_CONTROL'];

export type AclGroup = 'AllUsers' | 'AuthenticatedUsers' | 'LogDelivery';

export type Grantee = { type: 'user'; id: string } | { type: 'group'; group: AclGroup };

export interface Grant {
  grantee: Grantee;
  permission: Permission;
  /** OBS: a bucket grant that objects in the bucket inherit. */
  delivered?: boolean;
}

export interface Acl {
  owner: string;
  grants: Grant[];
  /** OBS: the bucket ACL as a whole is inherited by its objects. */
  delivered?: boolean;
}

export const ACL_SETTING = 'acl';

export const CANNED_ACLS = [
  'private',
  'public-read',
  'public-read-write',
  'authenticated-read',
  'bucket-owner-read',
  'bucket-owner-full-control',
  'log-delivery-write',
  'public-read-delivered',
  'public-read-write-delivered',
] as const;
export type CannedAcl = (typeof CANNED_ACLS)[number];

export function isCannedAcl(s: string): s is CannedAcl {
  return (CANNED_ACLS as readonly string[]).includes(s);
}

/** The grants a canned ACL stands for. `bucketOwner` matters for the bucket-owner-* names on objects. */
export function cannedAcl(name: CannedAcl, owner: string, bucketOwner = owner): Acl {
  const grants: Grant[] = [{ grantee: { type: 'user', id: owner }, permission: 'FULL_CONTROL' }];
  const all = (permission: Permission, delivered?: boolean): Grant => ({ grantee: { type: 'group', group: 'AllUsers' }, permission, ...(delivered ? { delivered } : {}) });
  switch (name) {
    case 'private':
      break;
    case 'public-read':
      grants.push(all('READ'));
      break;
    case 'public-read-write':
      grants.push(all('READ'), all('WRITE'));
      break;
    case 'public-read-delivered':
      grants.push(all('READ', true));
      break;
    case 'public-read-write-delivered':
      grants.push(all('READ', true), all('WRITE', true));
      break;
    case 'authenticated-read':
      grants.push({ grantee: { type: 'group', group: 'AuthenticatedUsers' }, permission: 'READ' });
      break;
    case 'bucket-owner-read':
      if (bucketOwner !== owner) grants.push({ grantee: { type: 'user', id: bucketOwner }, permission: 'READ' });
      break;
    case 'bucket-owner-full-control':
      if (bucketOwner !== owner) grants.push({ grantee: { type: 'user', id: bucketOwner }, permission: 'FULL_CONTROL' });
      break;
    case 'log-delivery-write':
      grants.push({ grantee: { type: 'group', group: 'LogDelivery' }, permission: 'WRITE' }, { grantee: { type: 'group', group: 'LogDelivery' }, permission: 'READ_ACP' });
      break;
  }
  return { owner, grants };
}

export function objectAcl(o: ObjectRecord): Acl {
  return (o.extra.acl as Acl | undefined) ?? cannedAcl('private', o.ownerId);
}

export async function getBucketAcl(e: Engine, bucket: string): Promise<Acl> {
  const b = await e.getBucket(bucket);
  return (await e.meta.getSetting<Acl>(b.id, ACL_SETTING)) ?? cannedAcl('private', b.ownerId);
}

export async function setBucketAcl(e: Engine, bucket: string, acl: Acl): Promise<void> {
  await e.meta.transaction(async (tx) => {
    const b = await tx.getBucketForUpdate(bucket);
    if (!b) throw new StorageError('NoSuchBucket', undefined, { BucketName: bucket });
    await tx.putSetting(b.id, ACL_SETTING, acl);
  });
}

export async function getObjectAcl(e: Engine, bucket: string, key: string, versionId?: string): Promise<{ acl: Acl; object: ObjectRecord }> {
  const o = await e.getObject(bucket, key, versionId);
  return { acl: objectAcl(o), object: o };
}

/** Replaces the ACL of an object version (the latest unless named) in place. */
export async function setObjectAcl(e: Engine, bucket: string, key: string, versionId: string | undefined, acl: (o: ObjectRecord) => Acl): Promise<ObjectRecord> {
  // Resolves the version (and its errors: NoSuchKey, NoSuchVersion, delete markers) as a read does.
  await e.getObject(bucket, key, versionId);
  return e.meta.transaction(async (tx) => {
    const b = await tx.getBucketForUpdate(bucket);
    if (!b) throw new StorageError('NoSuchBucket', undefined, { BucketName: bucket });
    const o = versionId !== undefined ? await tx.getVersion(b.id, key, versionId) : await tx.getLatest(b.id, key);
    if (!o || o.isDeleteMarker) throw new StorageError(versionId !== undefined ? 'NoSuchVersion' : 'NoSuchKey', undefined, { Key: key });
    const extra = { ...o.extra, acl: acl(o) };
    await tx.updateObjectExtra(o.id, extra);
    return { ...o, extra };
  });
}
