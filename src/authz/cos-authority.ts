import type { Engine } from '../engine/engine.js';
import { isStorageError, StorageError } from '../engine/errors.js';
import type { Action } from './actions.js';
import type { Principal } from './principal.js';

/**
 * COS JSON v4's own rules, on top of the decision every dialect shares. A
 * file's `authority` and its bucket's are ACLs in the engine's neutral model
 * (dialects/cos/attrs.ts: eWPrivateRPublic = public-read, eWRPrivate =
 * private, eInvalid = no ACL of its own, the bucket's applies; a bucket's is
 * its ACL, which any dialect's PutBucketAcl sets, since COS v4 has no bucket
 * API), so the ACL evaluation decides who may read. What COS adds:
 * - v4 has no cross-account access: a signature's appid must be the bucket
 *   owner's, whatever ACLs or policies would grant another account;
 * - an unsigned request is only ever a download (every API operation needs a
 *   signature), so anonymous callers may at most read a file.
 */
export async function cosAuthorityGate(engine: Engine, principal: Principal, action: Action, bucket: string): Promise<void> {
  if (principal.kind === 'anonymous') {
    if (action !== 's3:GetObject') throw new StorageError('AccessDenied', 'COS operations other than downloads need a signature.');
    return;
  }
  let owner: string;
  try {
    owner = (await engine.lookupBucket(bucket)).ownerId;
  } catch (e) {
    // A bucket that does not exist is the handler's to report.
    if (isStorageError(e) && (e.code === 'NoSuchBucket' || e.code === 'InvalidBucketName')) return;
    throw e;
  }
  if (owner !== principal.accountId) throw new StorageError('AccessDenied', "The signature's appid is not the bucket owner's.");
}
