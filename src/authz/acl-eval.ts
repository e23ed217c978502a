import type { Acl, Grant, Permission } from '../engine/acl.js';
import type { Action } from './actions.js';
import type { Principal } from './principal.js';

/**
 * What ACL grants permit, as S3 maps them: the bucket's ACL governs listing
 * and writing objects into the bucket and the bucket ACL itself; an object's
 * ACL governs reading the object and its ACL.
 */
const BUCKET_PERMISSION: Partial<Record<Action, Permission>> = {
  's3:ListBucket': 'READ',
  's3:ListBucketVersions': 'READ',
  's3:ListBucketMultipartUploads': 'READ',
  's3:PutObject': 'WRITE',
  's3:DeleteObject': 'WRITE',
  's3:DeleteObjectVersion': 'WRITE',
  's3:AbortMultipartUpload': 'WRITE',
  's3:ListMultipartUploadParts': 'WRITE',
  's3:GetBucketAcl': 'READ_ACP',
  's3:PutBucketAcl': 'WRITE_ACP',
};

const OBJECT_PERMISSION: Partial<Record<Action, Permission>> = {
  's3:GetObject': 'READ',
  's3:GetObjectVersion': 'READ',
  's3:GetObjectAttributes': 'READ',
  's3:GetObjectVersionAttributes': 'READ',
  's3:GetObjectAcl': 'READ_ACP',
  's3:GetObjectVersionAcl': 'READ_ACP',
  's3:PutObjectAcl': 'WRITE_ACP',
  's3:PutObjectVersionAcl': 'WRITE_ACP',
};

/** Which ACL an action asks: the bucket's, the object's, or none (no ACL grants it). */
export function aclFor(action: Action): { on: 'bucket' | 'object'; permission: Permission } | undefined {
  const b = BUCKET_PERMISSION[action];
  if (b) return { on: 'bucket', permission: b };
  const o = OBJECT_PERMISSION[action];
  return o && { on: 'object', permission: o };
}

/** A grant to everyone or to every signed caller: what S3 calls public in an ACL. */
export function isPublicGrant(g: Grant): boolean {
  return g.grantee.type === 'group' && (g.grantee.group === 'AllUsers' || g.grantee.group === 'AuthenticatedUsers');
}

export function isPublicAcl(acl: Acl): boolean {
  return acl.grants.some(isPublicGrant);
}

/**
 * A grant to an account is its root's, and a user's or role's of that
 * account only when its identity policies allow the action too
 * (`identityAllows`): S3 lets an account delegate what it was granted, never
 * hands it to every identity in it.
 */
function granteeIs(g: Grant, p: Principal, identityAllows: boolean): boolean {
  const t = g.grantee;
  if (t.type === 'user') return p.kind !== 'anonymous' && t.id === p.accountId && (p.kind === 'root' || identityAllows);
  if (t.group === 'AllUsers') return true;
  return t.group === 'AuthenticatedUsers' && p.kind !== 'anonymous';
}

/** Whether an ACL gives the principal a permission (FULL_CONTROL gives every one); `ignorePublic`: IgnorePublicAcls. */
export function aclGrants(acl: Acl, p: Principal, permission: Permission, opts: { ignorePublic: boolean; identityAllows: boolean }): boolean {
  return acl.grants.some((g) => (g.permission === permission || g.permission === 'FULL_CONTROL') && !(opts.ignorePublic && isPublicGrant(g)) && granteeIs(g, p, opts.identityAllows));
}
