/**
 * OSS ACLs on the wire: canned names only (x-oss-acl for buckets,
 * x-oss-object-acl for objects), stored as the engine's neutral grants.
 * An object's `default` is "no ACL of its own" (the bucket's applies).
 * Any stored ACL, whoever set it, is shown as the canned name for what it
 * grants everyone.
 */
import type { OpContext } from '../../api/op-context.js';
import * as acls from '../../engine/acl.js';
import { StorageError } from '../../engine/errors.js';
import type { Reply } from '../../http/reply.js';

/** The canned names OSS has, for buckets and objects alike. */
export const OSS_CANNED_ACLS: readonly acls.CannedAcl[] = ['private', 'public-read', 'public-read-write'];
/** `default`: no ACL of its own. */
export const OSS_DEFAULT_ACL = 'default';

function canned(value: string, owner: string, header: string, kind: 'bucket' | 'object'): acls.Acl {
  if (!acls.isCannedAcl(value) || !OSS_CANNED_ACLS.includes(value))
    throw new StorageError('InvalidArgument', `no such ${kind} access control exists`, { ArgumentName: header, ArgumentValue: value });
  return acls.cannedAcl(value, owner);
}

/** x-oss-acl as grants for the bucket owner; undefined when absent. */
export function bucketAclFromHeader(op: OpContext, owner: string): acls.Acl | undefined {
  const value = op.http.header('x-oss-acl');
  return value === undefined ? undefined : canned(value, owner, 'x-oss-acl', 'bucket');
}

/** x-oss-object-acl: absent (no change), `default` ({ acl: undefined }: none of its own) or grants. */
export function objectAclFromHeader(op: OpContext, owner: string): { acl: acls.Acl | undefined } | undefined {
  const value = op.http.header('x-oss-object-acl');
  if (value === undefined) return undefined;
  return { acl: value === OSS_DEFAULT_ACL ? undefined : canned(value, owner, 'x-oss-object-acl', 'object') };
}

/** The `extra` a written object takes from x-oss-object-acl (the vocabulary's extraFromRequest). */
export function objectAclExtraFromRequest(op: OpContext): Record<string, unknown> | undefined {
  const r = objectAclFromHeader(op, op.caller.accountId);
  return r && acls.objectAclExtra(r.acl);
}

/** The canned name OSS shows for an ACL. */
export const ossAclName = (acl: acls.Acl): string => acls.publicAccess(acl);

function aclPolicy(ownerId: string, grant: string): Reply {
  return { status: 200, body: { root: 'AccessControlPolicy', value: { Owner: { ID: ownerId, DisplayName: ownerId }, AccessControlList: { Grant: grant } } } };
}

/** GET bucket ?acl */
export async function getBucketAcl(op: OpContext): Promise<Reply> {
  const acl = await acls.getBucketAcl(op.services.engine, op.bucket!);
  return aclPolicy(acl.owner, ossAclName(acl));
}

/** PUT bucket ?acl with x-oss-acl. */
export async function putBucketAcl(op: OpContext): Promise<Reply> {
  const b = await op.services.engine.getBucket(op.bucket!);
  const acl = bucketAclFromHeader(op, b.ownerId);
  if (acl === undefined) throw new StorageError('InvalidArgument', 'The x-oss-acl header is required.', { ArgumentName: 'x-oss-acl' });
  await acls.setBucketAcl(op.services.engine, b.name, acl);
  return { status: 200 };
}

/** GET object ?acl: `default` when the object has none of its own. */
export async function getObjectAcl(op: OpContext): Promise<Reply> {
  const { acl, object } = await acls.getObjectAcl(op.services.engine, op.bucket!, op.key!, op.http.query.get('versionId'));
  return aclPolicy(object.ownerId, acl ? ossAclName(acl) : OSS_DEFAULT_ACL);
}

/** PUT object ?acl with x-oss-object-acl (`default` removes the object's own ACL). */
export async function putObjectAcl(op: OpContext): Promise<Reply> {
  const versionId = op.http.query.get('versionId');
  const { object } = await acls.getObjectAcl(op.services.engine, op.bucket!, op.key!, versionId);
  const r = objectAclFromHeader(op, object.ownerId);
  if (r === undefined) throw new StorageError('InvalidArgument', 'The x-oss-object-acl header is required.', { ArgumentName: 'x-oss-object-acl' });
  await acls.setObjectAcl(op.services.engine, op.bucket!, op.key!, versionId, () => r.acl);
  return { status: 200 };
}
