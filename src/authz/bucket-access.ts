import type { Acl } from '../engine/acl.js';
import type { Engine } from '../engine/engine.js';
import type { ObjectOwnership, PublicAccessBlock } from '../engine/settings.js';
import type { BucketRecord } from '../meta/types.js';
import type { CompiledPolicy } from './policy/model.js';
import { isPublicPolicy } from './policy/evaluate.js';
import { parsePolicy } from './policy/parse.js';

/** What the authorizer knows of a bucket: its owner and its access settings, the policy compiled. */
export interface BucketAccess {
  bucket: BucketRecord;
  policy: CompiledPolicy | null;
  /** The policy is public (S3's definition): RestrictPublicBuckets and GetBucketPolicyStatus ask. */
  policyPublic: boolean;
  /** The policy may deny the owner's root the policy operations too (ConfirmRemoveSelfBucketAccess). */
  policyLocksOwner: boolean;
  acl: Acl;
  pab: PublicAccessBlock | null;
  ownership: ObjectOwnership | null;
  /** Another account has written objects here (bucket setting `foreignWrites`). */
  foreignWrites: boolean;
}

/**
 * Per bucket, its access settings with the policy compiled, so that a
 * request costs a map lookup: read and compiled once, dropped when the
 * engine's `cacheEpoch` moves (this process wrote a bucket setting or deleted
 * a bucket, or the store's change counter showed another gateway's change),
 * and after a second at most should that counter go unread.
 */
export class BucketAccessCache {
  private readonly entries = new Map<string, { access: BucketAccess; epoch: number; until: number }>();

  constructor(
    private readonly engine: Engine,
    private readonly ttlMs = 1000,
  ) {}

  /** Throws NoSuchBucket (or InvalidBucketName) as engine.lookupBucket does. */
  async of(name: string): Promise<BucketAccess> {
    const now = Date.now();
    const hit = this.entries.get(name);
    if (hit && hit.epoch === this.engine.cacheEpoch && hit.until > now) return hit.access;
    const epoch = this.engine.cacheEpoch;
    const bucket = await this.engine.lookupBucket(name);
    const [stored, acl, pab, ownership, foreignWrites] = await Promise.all([
      this.engine.bucketSetting(bucket, 'policy'),
      this.engine.bucketSetting(bucket, 'acl'),
      this.engine.bucketSetting(bucket, 'publicAccessBlock'),
      this.engine.bucketSetting(bucket, 'ownershipControls'),
      this.engine.bucketSetting(bucket, 'foreignWrites'),
    ]);
    let policy: CompiledPolicy | null = null;
    if (stored) {
      try {
        policy = parsePolicy(stored.text, { dialect: stored.dialect, bucket: name });
      } catch {
        // Stored policies were parsed before they were stored; one this version cannot read grants nothing.
        policy = { statements: [], readsObjectTags: false };
      }
    }
    const access: BucketAccess = { bucket, policy, policyPublic: policy !== null && isPublicPolicy(policy), policyLocksOwner: stored?.confirmRemoveSelf === true, acl, pab, ownership, foreignWrites };
    if (this.entries.size > 10_000) this.entries.clear();
    this.entries.set(name, { access, epoch, until: now + this.ttlMs });
    return access;
  }
}
