import { StorageError } from '../engine/errors.js';
import type { Caller } from '../engine/types.js';
import type { Action } from './actions.js';
import type { BucketAccess } from './bucket-access.js';
import type { RequestFacts } from './request-facts.js';

/**
 * What the public access block and object ownership say about the ACL a
 * write asks for in its headers (canned or grant headers, in any dialect's
 * prefix), and whom a written object belongs to. ACL documents in a body are
 * checked by the ACL handler (api/acl.ts) with the same rules.
 */
const CANNED_HEADERS = ['x-amz-acl', 'x-obs-acl', 'x-oss-acl', 'x-oss-object-acl'];
const PUBLIC_CANNED = new Set(['public-read', 'public-read-write', 'authenticated-read', 'public-read-delivered', 'public-read-write-delivered']);
const ACL_WRITES = new Set<Action>(['s3:PutObject', 's3:PutObjectAcl', 's3:PutObjectVersionAcl', 's3:PutBucketAcl']);

function header(facts: RequestFacts | undefined, name: string): string | undefined {
  const v = facts?.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

/** The canned ACL a request names (lower-case), if any; OSS's `default` is none. */
export function cannedOf(facts: RequestFacts | undefined): string | undefined {
  for (const h of CANNED_HEADERS) {
    const v = header(facts, h)?.trim().toLowerCase();
    if (v !== undefined && v !== 'default') return v;
  }
  return undefined;
}

function grantHeaders(facts: RequestFacts | undefined): string[] {
  if (!facts) return [];
  return Object.keys(facts.headers)
    .filter((k) => k.startsWith('x-amz-grant-') || k.startsWith('x-obs-grant-'))
    .map((k) => header(facts, k) ?? '');
}

/** Whether a grant header names a public group (AllUsers, AuthenticatedUsers, OBS's Everyone). */
export const publicGrantText = (v: string) => /AllUsers|AuthenticatedUsers|Everyone/i.test(v);

/** BlockPublicAcls refuses a public ACL (AccessDenied); BucketOwnerEnforced refuses any ACL but bucket-owner-full-control. */
export function aclHeaderChecks(access: BucketAccess, action: Action, facts: RequestFacts | undefined): void {
  if (!ACL_WRITES.has(action) || (!access.pab?.blockPublicAcls && access.ownership !== 'BucketOwnerEnforced')) return;
  const canned = cannedOf(facts);
  const grants = grantHeaders(facts);
  if (access.pab?.blockPublicAcls && ((canned !== undefined && PUBLIC_CANNED.has(canned)) || grants.some(publicGrantText)))
    throw new StorageError('AccessDenied', 'Access Denied: the bucket blocks public ACLs');
  if (access.ownership === 'BucketOwnerEnforced') {
    const onlyOwnerFull = canned === 'bucket-owner-full-control' && grants.length === 0;
    const none = canned === undefined && grants.length === 0;
    if (action === 's3:PutObject' ? !(none || onlyOwnerFull) : !onlyOwnerFull) throw new StorageError('AccessControlListNotSupported');
  }
}

/** The owner of an object written by `self` into the bucket (S3's object ownership), with the bucket's owner. */
export function objectWriter(access: BucketAccess, self: Caller, facts: RequestFacts | undefined): Caller {
  const owner = access.bucket.ownerId;
  if (self.accountId === '' || access.ownership === 'BucketOwnerEnforced') return { accountId: owner };
  if (access.ownership === 'BucketOwnerPreferred' && cannedOf(facts) === 'bucket-owner-full-control') return { accountId: owner };
  return self.accountId === owner ? self : { ...self, bucketOwner: owner };
}
