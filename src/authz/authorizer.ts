import type { Engine } from '../engine/engine.js';
import { isStorageError, StorageError } from '../engine/errors.js';
import type { Directory } from './directory.js';
import type { Principal } from './principal.js';
import type { RequestFacts } from './request-facts.js';
import { ACCOUNT_ACTIONS, ANONYMOUS_ACTIONS, type Action } from './actions.js';
import { dialectGates } from './dialect-gates.js';

export type { Principal } from './principal.js';
export { principalOf } from './principal.js';

/** What an action is performed on: the account (no bucket), a bucket, or an object in it. */
export interface Resource {
  bucket?: string;
  key?: string;
}

/** The resource a request names (no key for bucket operations, nothing for account ones). */
export function resourceOf(bucket: string | undefined, key: string | undefined): Resource {
  return bucket === undefined ? {} : key === undefined ? { bucket } : { bucket, key };
}

export type AuthorizationObserver = (principal: Principal, action: Action, resource: Resource, facts?: RequestFacts) => void;

/**
 * The one authorization step: every dialect calls `authorize` once per
 * request, after authentication and routing and before the handler runs;
 * handlers never check permissions themselves. The decision today: an
 * account's root may do everything on the account and on its own buckets; a
 * bucket that does not exist is left to the handler (NoSuchBucket); another
 * account's bucket is AccessDenied. An anonymous caller may only do the
 * ANONYMOUS_ACTIONS (the OBS SDKs' API-version probe). Bucket policies, ACLs, identity policies
 * and anonymous access come in here.
 */
export class Authorizer {
  private readonly observers = new Set<AuthorizationObserver>();

  constructor(
    private readonly engine: Engine,
    readonly directory: Directory,
  ) {}

  async authorize(principal: Principal, action: Action, resource: Resource, facts?: RequestFacts): Promise<void> {
    for (const o of this.observers) o(principal, action, resource, facts);
    await dialectGates(this.engine, principal, action, resource, facts);
    if (principal.kind === 'anonymous') {
      if (ANONYMOUS_ACTIONS.has(action)) return;
      throw new StorageError('AccessDenied', 'Anonymous access is not allowed; sign the request.');
    }
    if (ACCOUNT_ACTIONS.has(action) || resource.bucket === undefined) return;
    let owner: string;
    try {
      owner = (await this.engine.lookupBucket(resource.bucket)).ownerId;
    } catch (e) {
      if (isStorageError(e) && (e.code === 'NoSuchBucket' || e.code === 'InvalidBucketName')) return;
      throw e;
    }
    if (owner !== principal.accountId) throw new StorageError('AccessDenied', 'Access Denied');
  }

  /** Test hook: sees every decision's question (principal, action, resource). Returns the unsubscribe. */
  observe(fn: AuthorizationObserver): () => void {
    this.observers.add(fn);
    return () => this.observers.delete(fn);
  }
}
