import { isPublicAcl } from '../authz/acl-eval.js';
import { StorageError } from '../engine/errors.js';
import { OBJECT_OWNERSHIPS, type ObjectOwnership } from '../engine/settings.js';
import type { Reply } from '../http/reply.js';
import { readVerifiedBody } from './body.js';
import type { OpContext } from './op-context.js';
import { parseXmlBody } from './xml.js';

/**
 * S3's object ownership (PUT / GET / DELETE ?ownershipControls, and the
 * x-amz-object-ownership header of CreateBucket): who owns objects others
 * write, and whether ACLs count at all (BucketOwnerEnforced). Enforced by the
 * authorizer (authz/write-rules.ts) and the ACL evaluation.
 */
export function ownershipFrom(value: unknown): ObjectOwnership {
  if (typeof value !== 'string' || !OBJECT_OWNERSHIPS.includes(value as ObjectOwnership)) throw new StorageError('MalformedXML', 'The ObjectOwnership you specified is not valid');
  return value as ObjectOwnership;
}

export async function putOwnershipControls(op: OpContext): Promise<Reply> {
  const { engine } = op.services;
  const b = await engine.getBucket(op.bucket!);
  const doc = parseXmlBody(await readVerifiedBody(op, 64 * 1024), 'OwnershipControls');
  const rule = doc.Rule;
  if (typeof rule !== 'object' || rule === null || Array.isArray(rule)) throw new StorageError('MalformedXML');
  const ownership = ownershipFrom((rule as Record<string, unknown>).ObjectOwnership);
  // ACLs are disabled under BucketOwnerEnforced: a bucket whose ACL grants others must be made private first.
  if (ownership === 'BucketOwnerEnforced') {
    const acl = await engine.bucketSetting(b, 'acl');
    if (isPublicAcl(acl) || acl.grants.some((g) => g.grantee.type === 'user' && g.grantee.id !== b.ownerId)) throw new StorageError('InvalidBucketAclWithObjectOwnership');
  }
  await engine.setBucketSetting(op.bucket!, 'ownershipControls', ownership);
  return { status: 200 };
}

export async function getOwnershipControls(op: OpContext): Promise<Reply> {
  const ownership = await op.services.engine.bucketSetting(op.bucket!, 'ownershipControls');
  if (!ownership) throw new StorageError('OwnershipControlsNotFoundError', undefined, { BucketName: op.bucket! });
  return { status: 200, body: { root: 'OwnershipControls', value: { Rule: { ObjectOwnership: ownership } } } };
}

export async function deleteOwnershipControls(op: OpContext): Promise<Reply> {
  await op.services.engine.setBucketSetting(op.bucket!, 'ownershipControls', null);
  return { status: 204 };
}
