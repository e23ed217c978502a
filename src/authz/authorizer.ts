import { cannedAcl, objectAcl, type Acl } from '../engine/acl.js';
import type { Engine } from '../engine/engine.js';
import { isStorageError, StorageError } from '../engine/errors.js';
import type { Caller } from '../engine/types.js';
import type { ObjectRecord } from '../meta/types.js';
import { aclFor, aclGrants } from './acl-eval.js';
import { ACCOUNT_ACTIONS, ANONYMOUS_ACTIONS, type Action } from './actions.js';
import { BucketAccessCache, type BucketAccess } from './bucket-access.js';
import { conditionKeys } from './condition-keys.js';
import type { Directory } from './directory.js';
import { aclHeaderChecks, objectWriter } from './write-rules.js';
import { evaluate } from './policy/evaluate.js';
import type { CompiledPolicy, PolicyRequest, Verdict } from './policy/model.js';
import { parsePolicy } from './policy/parse.js';
import type { Principal } from './principal.js';
import type { RequestFacts } from './request-facts.js';
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

const denied = () => new StorageError('AccessDenied', 'Access Denied');

/** What the owner's root may always do on its bucket, whatever its policy denies (unless it confirmed removing that). */
const POLICY_ACTIONS = new Set<Action>(['s3:GetBucketPolicy', 's3:PutBucketPolicy', 's3:DeleteBucketPolicy']);

/**
 * The one authorization step: every dialect calls `authorize` once per
 * request (twice for a copy: its source too), after authentication and
 * routing and before the handler runs; handlers never check permissions
 * themselves. The decision is S3's evaluation order:
 *
 * 1. an explicit Deny in the bucket policy, the caller's identity policies or
 *    its session policy refuses;
 * 2. the root of the bucket owner's account may do anything on its bucket;
 * 3. otherwise the bucket policy's Allow, the identity policies' Allow (a
 *    role session: its role's policies and its session policy both), or an
 *    ACL grant (the bucket's for listing, writing objects and the bucket ACL;
 *    the object's for reading it and its ACL) admits: for a principal of the
 *    owner's account either side suffices; a user or role of another account
 *    needs its own identity policies too; another account's root and
 *    anonymous callers need the resource side.
 *
 * The public access block's IgnorePublicAcls drops public grants and
 * RestrictPublicBuckets confines a public policy to the owner's account;
 * BlockPublicAcls and object ownership refuse ACL headers (write-rules.ts).
 * A bucket that does not exist is left to the handler (NoSuchBucket). Per
 * bucket the settings and compiled policy are cached (bucket-access.ts), so
 * the owner on its own bucket costs a map lookup; an object's ACL is read
 * only for a caller outside the owner's account.
 */
export class Authorizer {
  private readonly observers = new Set<AuthorizationObserver>();
  readonly buckets: BucketAccessCache;
  /** Identity and session policies compiled, by text. */
  private readonly compiled = new Map<string, CompiledPolicy | null>();

  constructor(
    private readonly engine: Engine,
    readonly directory: Directory,
  ) {
    this.buckets = new BucketAccessCache(engine);
  }

  async authorize(principal: Principal, action: Action, resource: Resource, facts?: RequestFacts): Promise<void> {
    for (const o of this.observers) o(principal, action, resource, facts);
    // The dialects' own gates (OSS referer, COS authority: src/authz/dialect-gates.ts) run here, first.
    await dialectGates(this.engine, principal, action, resource, facts);
    if (ANONYMOUS_ACTIONS.has(action)) return;
    if (resource.bucket === undefined || ACCOUNT_ACTIONS.has(action)) {
      // Account actions (ListAllMyBuckets, CreateBucket): the account's root, or what identity policies allow.
      if (principal.kind === 'root' && !principal.session?.policy) return;
      if (principal.kind === 'anonymous') throw denied();
      const req: PolicyRequest = { principal, action, resource: resource.bucket ?? '*', keys: conditionKeys(principal, facts) };
      if ((await this.identityVerdict(principal, req)) !== 'Allow') throw denied();
      return;
    }
    let access: BucketAccess;
    try {
      access = await this.buckets.of(resource.bucket);
    } catch (e) {
      if (isStorageError(e) && (e.code === 'NoSuchBucket' || e.code === 'InvalidBucketName')) return;
      throw e;
    }
    const owner = access.bucket.ownerId;
    const sameAccount = principal.kind !== 'anonymous' && principal.accountId === owner;

    // The owner's root on a bucket without a policy: nothing to evaluate. Nor on the policy itself, so it cannot lock itself out by mistake.
    if (sameAccount && principal.kind === 'root' && !principal.session?.policy && (!access.policy || (POLICY_ACTIONS.has(action) && !access.policyLocksOwner))) {
      await this.foreignObjectCheck(access, principal, action, resource, facts);
      aclHeaderChecks(access, action, facts);
      return;
    }

    let object: ObjectRecord | undefined | null = null; // null: not read yet
    const readObject = async () => {
      if (object === null) object = resource.key === undefined ? undefined : await this.engine.getObject(resource.bucket!, resource.key, facts?.query.get('versionId')).catch(() => undefined);
      return object;
    };
    // S3: reading an object that does not exist answers 404 only to a caller who may list the bucket
    // (s3:ListBucket, with s3:prefix the key), 403 to anyone else, whatever GetObject grants: the
    // question becomes ListBucket. The owner's root always may list; no versionId (a version asks its own).
    if (action === 's3:GetObject' && resource.key !== undefined && dialectOf(facts) === 's3' && !facts?.website && !(sameAccount && principal.kind === 'root') && !(await readObject())) {
      const listFacts: RequestFacts | undefined = facts && { ...facts, query: new Map([['prefix', resource.key]]) };
      return this.authorize(principal, 's3:ListBucket', { bucket: resource.bucket }, listFacts);
    }
    if (access.policy?.readsObjectTags && resource.key !== undefined) await readObject();
    const req: PolicyRequest = {
      principal,
      action,
      resource: resource.key === undefined ? resource.bucket : `${resource.bucket}/${resource.key}`,
      keys: conditionKeys(principal, facts, () => (object ? (object.tags ?? {}) : undefined)),
    };

    let bucketVerdict: Verdict = access.policy ? evaluate(access.policy, req) : 'none';
    if (bucketVerdict === 'Deny') throw denied();
    const identity = await this.identityVerdict(principal, req);
    if (identity === 'Deny') throw denied();
    if (sameAccount && principal.kind === 'root') {
      await this.foreignObjectCheck(access, principal, action, resource, facts, await readObject());
      aclHeaderChecks(access, action, facts);
      return;
    }
    // RestrictPublicBuckets: a public policy admits only principals of the owner's account.
    if (bucketVerdict === 'Allow' && access.pab?.restrictPublicBuckets && access.policyPublic && !sameAccount) bucketVerdict = 'none';

    const resourceSide = async (): Promise<boolean> => bucketVerdict === 'Allow' || (await this.aclAllows(access, principal, action, facts, readObject, identity === 'Allow'));
    const allowed = sameAccount ? identity === 'Allow' || (await resourceSide()) : (principal.kind === 'root' || principal.kind === 'anonymous' || identity === 'Allow') && (await resourceSide());
    if (!allowed) throw denied();
    aclHeaderChecks(access, action, facts);
  }

  /**
   * S3's x-amz-expected-bucket-owner (and x-amz-source-expected-bucket-owner for a copy's source):
   * a bucket owned by another account than the one named is refused with 403 AccessDenied, for every
   * operation. No such bucket: left to the handler.
   */
  async expectOwner(bucket: string | undefined, expected: string | undefined): Promise<void> {
    if (bucket === undefined || expected === undefined) return;
    let access: BucketAccess;
    try {
      access = await this.buckets.of(bucket);
    } catch (e) {
      if (isStorageError(e) && (e.code === 'NoSuchBucket' || e.code === 'InvalidBucketName')) return;
      throw e;
    }
    if (access.bucket.ownerId !== expected) throw denied();
  }

  /**
   * The account an object write stores as the object's owner, and the
   * bucket's owner (canned bucket-owner-* ACLs grant it): the writer's
   * account, unless the bucket's object ownership gives objects to the
   * bucket owner (BucketOwnerEnforced always; BucketOwnerPreferred when the
   * write grants the bucket owner full control). Asked by the dialects for
   * writes (s3:PutObject) after `authorize`.
   */
  async writer(principal: Principal, bucket: string | undefined, facts?: RequestFacts): Promise<Caller> {
    const self: Caller = { accountId: principal.kind === 'anonymous' ? '' : principal.accountId };
    if (bucket === undefined) return self;
    let access: BucketAccess;
    try {
      access = await this.buckets.of(bucket);
    } catch {
      return self;
    }
    const caller = objectWriter(access, self, facts);
    // Before the write: the owner's reads must look objects up from now on (foreignObjectCheck). A
    // write that then fails leaves the mark, which only costs those lookups.
    if (caller.accountId !== access.bucket.ownerId && !access.foreignWrites) await this.engine.setBucketSetting(bucket, 'foreignWrites', true);
    return caller;
  }

  /**
   * The caller's identity policies' verdict: an account root's is Allow (an
   * account may do anything of its own), anonymous has none; a user's
   * policies together; a role session's role policies and session policy
   * must both allow. A session policy (any principal's) caps what it may do.
   */
  private async identityVerdict(p: Principal, req: PolicyRequest): Promise<Verdict> {
    if (p.kind === 'anonymous') return 'none';
    let verdict: Verdict = 'Allow';
    if (p.kind !== 'root') verdict = this.combined(await this.directory.policiesOf(p), req);
    const sessionPolicy = p.session?.policy;
    if (sessionPolicy !== undefined && verdict !== 'Deny') {
      const s = this.combined([sessionPolicy], req);
      if (s === 'Deny') return 'Deny';
      if (s !== 'Allow') return 'none';
    }
    return verdict;
  }

  /** Several policies' verdict: any Deny, else any Allow, else none. */
  private combined(texts: readonly string[], req: PolicyRequest): Verdict {
    let verdict: Verdict = 'none';
    for (const text of texts) {
      const policy = this.compile(text);
      if (!policy) continue;
      const v = evaluate(policy, req);
      if (v === 'Deny') return 'Deny';
      if (v === 'Allow') verdict = 'Allow';
    }
    return verdict;
  }

  private compile(text: string): CompiledPolicy | null {
    let c = this.compiled.get(text);
    if (c === undefined) {
      try {
        c = parsePolicy(text, { dialect: 's3' });
      } catch {
        c = null; // refused when it was stored; if unreadable now it grants nothing
      }
      if (this.compiled.size > 10_000) this.compiled.clear();
      this.compiled.set(text, c);
    }
    return c;
  }

  /**
   * S3 (ACLs enabled): an object another account wrote is that account's; the bucket owner reads it,
   * or reads and writes its ACL, only as the object's ACL grants (it may still delete it, and deny by policy).
   */
  private async foreignObjectCheck(access: BucketAccess, p: Principal, action: Action, resource: Resource, facts: RequestFacts | undefined, known?: ObjectRecord): Promise<void> {
    if (resource.key === undefined || dialectOf(facts) !== 's3' || access.ownership === 'BucketOwnerEnforced' || !access.foreignWrites) return;
    const need = aclFor(action);
    if (need?.on !== 'object') return;
    const o = known ?? (await this.engine.getObject(resource.bucket!, resource.key, facts?.query.get('versionId')).catch(() => undefined));
    if (!o || o.ownerId === access.bucket.ownerId) return;
    if (!aclGrants(effectiveObjectAcl(o, access.acl, facts), p, need.permission, { ignorePublic: access.pab?.ignorePublicAcls === true, identityAllows: true })) throw denied();
  }

  /** Whether the bucket's or the object's ACL grants the action. */
  private async aclAllows(access: BucketAccess, p: Principal, action: Action, facts: RequestFacts | undefined, readObject: () => Promise<ObjectRecord | undefined>, identityAllows: boolean): Promise<boolean> {
    if (access.ownership === 'BucketOwnerEnforced') return false; // ACLs are disabled
    const need = aclFor(action);
    if (!need) return false;
    const opts = { ignorePublic: access.pab?.ignorePublicAcls === true, identityAllows };
    if (need.on === 'bucket') return aclGrants(access.acl, p, need.permission, opts);
    const o = await readObject();
    if (!o) {
      // No such object: a caller who may list the bucket learns that from the handler (NoSuchKey).
      return aclGrants(access.acl, p, 'READ', opts);
    }
    return aclGrants(effectiveObjectAcl(o, access.acl, facts), p, need.permission, opts);
  }

  /** Test hook: sees every decision's question (principal, action, resource). Returns the unsubscribe. */
  observe(fn: AuthorizationObserver): () => void {
    this.observers.add(fn);
    return () => this.observers.delete(fn);
  }
}

/** The dialect asking (S3 when none is told). */
function dialectOf(facts: RequestFacts | undefined): RequestFacts['dialect'] {
  return facts?.dialect ?? 's3';
}

/**
 * An object's ACL as a decision reads it. Without one of its own: its owner's
 * private ACL in S3; in OSS (`default`) and COS (`eInvalid`) the bucket's ACL applies; in OBS the
 * bucket grants marked as delivered to objects.
 */
function effectiveObjectAcl(o: ObjectRecord, bucketAcl: Acl, facts: RequestFacts | undefined): Acl {
  const own = objectAcl(o);
  if (own) return own;
  const acl = cannedAcl('private', o.ownerId);
  if (facts?.dialect === 'oss' || facts?.dialect === 'cos') acl.grants.push(...bucketAcl.grants); // COS: eInvalid, the bucket's authority
  else if (facts?.dialect === 'obs') acl.grants.push(...bucketAcl.grants.filter((g) => g.delivered || bucketAcl.delivered));
  return acl;
}
