import type { ObjectRecord } from '../meta/types.js';
import type { Engine } from './engine.js';
import { StorageError } from './errors.js';
import { storeOf } from './store-of.js';

/**
 * Access control lists, neutral form: an owner and grants, whatever the
 * dialect's wire form (OBS / S3 grant documents, OSS canned names). Stored
 * now (bucket setting `acl` in settings.ts, object `extra.acl`) and returned as stored;
 * enforcement comes later. A bucket without one has its owner's private ACL.
 * An object without one has no ACL of its own: OSS calls that `default` (the
 * bucket's applies); OBS and S3 show the owner's private ACL.
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

/** Where an object keeps its own ACL, in its `extra` document. */
const OBJECT_ACL = 'acl';

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

/**
 * What an ACL grants everyone, as the canned name for it: how dialects whose
 * ACLs are only these names (OSS) show any ACL, whoever set it.
 */
export function publicAccess(acl: Acl): 'private' | 'public-read' | 'public-read-write' {
  const everyone = new Set(acl.grants.filter((g) => g.grantee.type === 'group' && g.grantee.group === 'AllUsers').map((g) => g.permission));
  if (everyone.has('FULL_CONTROL') || everyone.has('WRITE')) return 'public-read-write';
  return everyone.has('READ') ? 'public-read' : 'private';
}

/** The object's own ACL; undefined when it has none (OSS `default`). */
export function objectAcl(o: ObjectRecord): Acl | undefined {
  return o.extra[OBJECT_ACL] as Acl | undefined;
}

/**
 * The `extra` entry that gives a written object its ACL. `undefined` says
 * explicitly "no ACL of its own" (OSS `default`): it also clears the ACL a
 * copy would otherwise take from its source.
 */
export function objectAclExtra(acl: Acl | undefined): Record<string, unknown> {
  return { [OBJECT_ACL]: acl };
}

const GROUPS: readonly string[] = ['AllUsers', 'AuthenticatedUsers', 'LogDelivery'];

/** An ACL the engine may store: an owner and well-formed grants (dialects parse their wire forms into this). */
export function validateAcl(acl: Acl): void {
  const bad = (why: string) => new StorageError('MalformedACLError', `The ACL is not well formed: ${why}.`);
  if (typeof acl !== 'object' || acl === null || typeof acl.owner !== 'string' || acl.owner === '') throw bad('it has no owner');
  if (!Array.isArray(acl.grants)) throw bad('it has no grant list');
  for (const g of acl.grants) {
    if (!PERMISSIONS.includes(g?.permission)) throw bad(`unknown permission ${String(g?.permission)}`);
    const t = g.grantee;
    if (t?.type === 'user' ? typeof t.id !== 'string' || t.id === '' : !(t?.type === 'group' && GROUPS.includes(t.group))) throw bad('a grant has no valid grantee');
  }
}

export async function getBucketAcl(e: Engine, bucket: string): Promise<Acl> {
  return e.bucketSetting(bucket, 'acl');
}

export async function setBucketAcl(e: Engine, bucket: string, acl: Acl): Promise<void> {
  await e.setBucketSetting(bucket, 'acl', acl);
}

/** An object version's own ACL (undefined: none) and the version itself. */
export async function getObjectAcl(e: Engine, bucket: string, key: string, versionId?: string): Promise<{ acl: Acl | undefined; object: ObjectRecord }> {
  const o = await e.getObject(bucket, key, versionId);
  return { acl: objectAcl(o), object: o };
}

/** Replaces the ACL of an object version (the latest unless named) in place; undefined removes it. */
export async function setObjectAcl(e: Engine, bucket: string, key: string, versionId: string | undefined, acl: (o: ObjectRecord) => Acl | undefined): Promise<ObjectRecord> {
  // Resolves the version (and its errors: NoSuchKey, NoSuchVersion, delete markers) as a read does.
  await e.getObject(bucket, key, versionId);
  return storeOf(e).transaction(async (tx) => {
    const b = await tx.getBucketForWrite(bucket, [key]);
    if (!b) throw new StorageError('NoSuchBucket', undefined, { BucketName: bucket });
    const o = versionId !== undefined ? await tx.getVersion(b.id, key, versionId) : await tx.getLatest(b.id, key);
    if (!o || o.isDeleteMarker) throw new StorageError(versionId !== undefined ? 'NoSuchVersion' : 'NoSuchKey', undefined, { Key: key });
    const extra = { ...o.extra };
    const next = acl(o);
    if (next === undefined) delete extra[OBJECT_ACL];
    else extra[OBJECT_ACL] = next;
    await tx.updateObjectExtra(o.id, extra);
    return { ...o, extra };
  });
}
