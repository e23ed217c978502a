import type { MetadataStore } from '../../meta/store.js';
import type { AgeCursor, BucketRecord, ExpiryCursor, KeySpan, ObjectRecord } from '../../meta/types.js';
import type { Engine } from '../engine.js';
import { isStorageError } from '../errors.js';
import { BUCKET_SETTINGS, readSetting } from '../settings.js';
import { storeOf } from '../store-of.js';
import type { CommitReads } from '../types.js';
import { prefixSuccessor } from '../keys.js';
import { abortDue, currentAction, latestDueSince, noncurrentAction, type Action, type LifecycleClock } from './evaluate.js';
import type { LifecycleRule } from './model.js';

/**
 * Where a lifecycle pass stands. A pass first deletes the versions whose own
 * expiry is due (phase `expiry`, every bucket, by the expiry index), then
 * walks the buckets with a lifecycle configuration in id order: a bucket, a
 * phase, and the key or upload to continue from. Persisted by the worker
 * after every batch, so a pass resumes after a restart where it stopped.
 */
export interface PassCursor {
  /** 0 in the expiry phase. */
  bucketId: number;
  /** `versions` without a key: a bucket's start, where its plan (agedPlan) is made. */
  phase: 'expiry' | 'versions' | 'aged' | 'uploads';
  /** expiry: continue after this due time and row. */
  after?: ExpiryCursor;
  /** aged: continue after this creation time and key. */
  age?: AgeCursor;
  /** versions: the next key to examine (all its versions). */
  key?: string;
  /** uploads: continue after this upload. */
  uploadKey?: string;
  uploadId?: string;
}

export interface LifecycleCounts {
  examined: number;
  expired: number;
  /** Current versions deleted by their own expiry (OBS x-obs-expires). */
  objectsExpired: number;
  deleteMarkersRemoved: number;
  noncurrentExpired: number;
  transitioned: number;
  uploadsAborted: number;
  /** Selected, but changed by a client before the action's commit: left alone. */
  skipped: number;
}

export const noCounts = (): LifecycleCounts => ({ examined: 0, expired: 0, objectsExpired: 0, deleteMarkersRemoved: 0, noncurrentExpired: 0, transitioned: 0, uploadsAborted: 0, skipped: 0 });

/** Thrown inside an action's commit when what was selected has changed: the commit rolls back, nothing is done. */
class Changed extends Error {}

const LIFECYCLE = BUCKET_SETTINGS.lifecycle.stored;

/** An age walk: the objects written at or before `upTo`, within `spans` (the rules' prefixes) when given. */
interface AgedPlan {
  upTo: number;
  spans?: KeySpan[];
}

/** More prefixes than this: the walk by age tests them in the evaluation only. */
const MAX_SPANS = 100;

/**
 * How a pass examines a bucket's versions. `none`: no enabled rule acts on
 * versions (only AbortIncompleteMultipartUpload), nothing to read. An age
 * walk when the bucket is unversioned (one version per key, no delete
 * markers, so noncurrent rules have nothing to act on) and its rules act on
 * versions only by Expiration (Days or Date): the versions due are exactly
 * those written at or before the latest creation time any rule makes due now
 * (latestDueSince), read by the creation-time index, so the cost follows the
 * objects old enough for a rule (under its prefix), not the bucket. Otherwise
 * (versioned buckets: noncurrent versions and delete markers; transitions,
 * which leave old objects behind to be read again) undefined: the key walk.
 */
export function agedPlan(clock: LifecycleClock, rules: LifecycleRule[], b: Pick<BucketRecord, 'versioning'>, now: number): AgedPlan | 'none' | undefined {
  const active = rules.filter((r) => r.enabled);
  const versionRules = active.filter((r) => r.expiration || r.transitions.length || r.noncurrentExpiration || r.noncurrentTransitions.length);
  if (!versionRules.length) return 'none';
  if (b.versioning !== 'Unversioned') return undefined;
  if (versionRules.some((r) => r.transitions.length)) return undefined;
  const expiring = versionRules.filter((r) => r.expiration && (r.expiration.days !== undefined || r.expiration.date !== undefined));
  if (!expiring.length) return 'none';
  const upTo = Math.max(...expiring.map((r) => latestDueSince(clock, r.expiration!, now)));
  if (upTo === -Infinity) return 'none';
  // Each rule's prefixes must all match: the longest one bounds the keys it can expire.
  const prefixes = expiring.map((r) => [r.prefix, r.filter?.prefix, r.filter?.and?.prefix].reduce<string>((a, p) => (p && p.length > a.length ? p : a), ''));
  if (prefixes.includes('') || new Set(prefixes).size > MAX_SPANS) return { upTo };
  return { upTo, spans: [...new Set(prefixes)].map((p) => ({ from: p, to: prefixSuccessor(p) })) };
}

/**
 * Executes lifecycle rules, a bounded batch at a time. Each action is one
 * engine commit that re-reads what it acts on inside its transaction: a
 * version overwritten, re-tagged or deleted after it was selected is left
 * alone.
 */
export class LifecycleRunner {
  private readonly meta: MetadataStore;

  constructor(
    private readonly engine: Engine,
    readonly clock: LifecycleClock,
  ) {
    this.meta = storeOf(engine);
  }

  /**
   * One batch of at most about `limit` versions or uploads from `cursor`
   * (undefined: a new pass). Returns where to continue; undefined when the pass is complete.
   */
  async batch(cursor: PassCursor | undefined, limit: number, now: number, counts: LifecycleCounts): Promise<PassCursor | undefined> {
    let at: PassCursor = cursor ?? { bucketId: 0, phase: 'expiry' };
    if (at.phase === 'expiry') {
      const after = await this.expiryBatch(at.after, limit, now, counts);
      if (after) return { bucketId: 0, phase: 'expiry', after };
      // Fewer than a batch were due: the same step goes on to the first configured bucket.
      const first = await this.nextBucket(0);
      if (!first) return undefined;
      at = first;
    }
    const [b] = await this.meta.bucketsWithSetting(LIFECYCLE, at.bucketId - 1, 1);
    if (!b || b.id !== at.bucketId) return this.nextBucket(at.bucketId);
    const config = await readSetting(this.meta, b, 'lifecycle');
    if (!config) return this.nextBucket(b.id);
    const versionsDone = () => (config.rules.some((r) => r.enabled && r.abortMultipart) ? { bucketId: b.id, phase: 'uploads' as const } : this.nextBucket(b.id));
    if (at.phase === 'versions' || at.phase === 'aged') {
      const plan = agedPlan(this.clock, config.rules, b, now);
      // A bucket's start: no rule acts on versions, nothing can be due yet, or a walk by age suffices.
      if (at.phase === 'versions' && at.key === undefined && plan !== undefined) {
        if (plan === 'none') return versionsDone();
        at = { bucketId: b.id, phase: 'aged' };
      }
      if (at.phase === 'aged') {
        // The plan no longer holds (versioning turned on, rules changed): walk the bucket from its start.
        if (plan === undefined || plan === 'none') return plan === 'none' ? versionsDone() : { bucketId: b.id, phase: 'versions', key: '' };
        const age = await this.agedBatch(b, config.rules, plan, at.age, limit, now, counts);
        return age ? { bucketId: b.id, phase: 'aged', age } : versionsDone();
      }
      const next = await this.versionsBatch(b, config.rules, at.key, limit, now, counts);
      if (next !== undefined) return { bucketId: b.id, phase: 'versions', key: next };
      return versionsDone();
    }
    const uploads = await this.meta.listUploads(b.id, at.uploadKey !== undefined ? { key: at.uploadKey, uploadId: at.uploadId } : undefined, undefined, limit);
    for (const u of uploads) {
      counts.examined++;
      if (!abortDue(this.clock, config.rules, u.key, u.initiated, now)) continue;
      try {
        await this.engine.multipart.abort(b.name, u.key, u.uploadId);
        counts.uploadsAborted++;
      } catch (e) {
        // Completed or aborted by a client meanwhile.
        if (isStorageError(e) && e.code === 'NoSuchUpload') counts.skipped++;
        else throw e;
      }
    }
    if (uploads.length === limit) return { bucketId: b.id, phase: 'uploads', uploadKey: uploads[limit - 1].key, uploadId: uploads[limit - 1].uploadId };
    return this.nextBucket(b.id);
  }

  /**
   * Deletes up to `limit` current versions whose own expiry is due, read by
   * the expiry index from `after`: the cost follows what is due, not the
   * buckets' size. Each is deleted as a client's DELETE would (a delete
   * marker when versioned) in a commit that finds it still current; one
   * overwritten since it was read is left alone (and the new version, not
   * due, is not read). Returns where to continue; undefined when none is left.
   */
  private async expiryBatch(after: ExpiryCursor | undefined, limit: number, now: number, counts: LifecycleCounts): Promise<ExpiryCursor | undefined> {
    const due = await this.meta.dueExpiries(now, after, limit);
    for (const { object: v, bucketName, bucketOwner } of due) {
      counts.examined++;
      const b = { id: v.bucketId, name: bucketName, ownerId: bucketOwner };
      const done = await this.apply(b, v, { kind: 'expire', ruleId: '' }, counts, async (tx) => (await tx.getLatest(v.bucketId, v.key))?.id === v.id);
      if (done) counts.objectsExpired++;
    }
    const last = due[due.length - 1];
    return due.length === limit ? { at: last.object.expiresAt!, id: last.object.id } : undefined;
  }

  private async nextBucket(afterId: number): Promise<PassCursor | undefined> {
    const [b] = await this.meta.bucketsWithSetting(LIFECYCLE, afterId, 1);
    return b && { bucketId: b.id, phase: 'versions' };
  }

  /**
   * Examines, in an unversioned bucket (one version per key), the objects
   * written before the plan's cutoff, by the creation-time index from `after`;
   * returns where to continue, undefined when done.
   */
  private async agedBatch(b: BucketRecord, rules: LifecycleRule[], plan: AgedPlan, after: AgeCursor | undefined, limit: number, now: number, counts: LifecycleCounts): Promise<AgeCursor | undefined> {
    const rows = await this.meta.latestByAge(b.id, plan.upTo, after, limit, plan.spans);
    for (const r of rows) await this.applyToKey(b, rules, [r], now, counts);
    const last = rows[rows.length - 1];
    return rows.length === limit ? { at: last.lastModified, key: last.key } : undefined;
  }

  /** Examines whole keys (all their versions) from `fromKey`; returns the next key to examine, undefined at the bucket's end. */
  private async versionsBatch(b: BucketRecord, rules: LifecycleRule[], fromKey: string | undefined, limit: number, now: number, counts: LifecycleCounts): Promise<string | undefined> {
    const rows = await this.meta.listVersions(b.id, fromKey !== undefined ? { key: fromKey } : undefined, undefined, limit + 1);
    const groups: ObjectRecord[][] = [];
    for (const r of rows) {
      const g = groups[groups.length - 1];
      if (g && g[0].key === r.key) g.push(r);
      else groups.push([r]);
    }
    let next: string | undefined;
    if (rows.length > limit) {
      // The last key may have more versions than this batch holds: it starts the next batch,
      // unless it is the only one (a key with very many versions), which is then read whole.
      if (groups.length > 1) next = groups.pop()![0].key;
      else {
        groups[0] = await this.allVersions(b.id, groups[0][0].key);
        const after = await this.meta.listVersions(b.id, { key: groups[0][0].key, beforeId: 0 }, undefined, 1);
        next = after[0]?.key;
      }
    }
    for (const g of groups) await this.applyToKey(b, rules, g, now, counts);
    return next;
  }

  private async allVersions(bucketId: number, key: string): Promise<ObjectRecord[]> {
    const out: ObjectRecord[] = [];
    for (;;) {
      const page = await this.meta.listVersions(bucketId, { key, beforeId: out.length ? out[out.length - 1].id : undefined }, undefined, 1000);
      const mine = page.filter((r) => r.key === key);
      out.push(...mine);
      if (mine.length < page.length || page.length < 1000) return out;
    }
  }

  /** One key's versions, newest first: noncurrent ones first, then the current one (which may then stand alone). */
  private async applyToKey(b: BucketRecord, rules: LifecycleRule[], versions: ObjectRecord[], now: number, counts: LifecycleCounts): Promise<void> {
    counts.examined += versions.length;
    const current = versions[0].isLatest ? versions[0] : undefined;
    let remaining = versions.length;
    for (let i = current ? 1 : 0; i < versions.length; i++) {
      const v = versions[i];
      // Noncurrent since its successor was written; `newer` noncurrent versions are newer than it.
      const since = i > 0 ? versions[i - 1].lastModified : v.lastModified;
      const newer = current ? i - 1 : i;
      const action = noncurrentAction(this.clock, rules, v, since, newer, now);
      if (!action) continue;
      const done = await this.apply(b, v, action, counts, async (tx) => {
        const row = await tx.getVersion(b.id, v.key, v.versionId);
        return !!row && row.id === v.id && !row.isLatest;
      });
      if (done && action.kind === 'expire') {
        remaining--;
        counts.noncurrentExpired++;
      }
    }
    if (!current) return;
    const action = currentAction(this.clock, rules, current, remaining === 1, now);
    if (!action) return;
    const done = await this.apply(b, current, action, counts, async (tx) => {
      const row = await tx.getLatest(b.id, current.key);
      // Still the same version, and still due (its tags may have changed since it was selected).
      return !!row && row.id === current.id && currentAction(this.clock, rules, row, remaining === 1, now)?.kind === action.kind;
    });
    if (done && action.kind === 'expire') {
      if (current.isDeleteMarker) counts.deleteMarkersRemoved++;
      else counts.expired++;
    }
  }

  /** Runs one action as one commit; false when the re-check inside it found the version changed. */
  private async apply(b: Pick<BucketRecord, 'id' | 'name' | 'ownerId'>, v: ObjectRecord, action: Action, counts: LifecycleCounts, unchanged: (tx: CommitReads) => Promise<boolean>): Promise<boolean> {
    const caller = { accountId: b.ownerId };
    try {
      if (action.kind === 'transition') {
        await this.meta.transaction(async (tx) => {
          const locked = await tx.getBucketForUpdate(b.name);
          if (!locked || locked.id !== b.id || !(await unchanged(tx))) throw new Changed();
          await tx.updateObjectStorageClass(v.id, action.storageClass);
        });
        counts.transitioned++;
        return true;
      }
      const check = async (tx: CommitReads, bucket: BucketRecord) => {
        if (bucket.id !== b.id || !(await unchanged(tx))) throw new Changed();
      };
      // A current version expires as a client's DELETE would (a delete marker when versioned);
      // a noncurrent version or an expired delete marker is removed by its version id.
      if (v.isLatest && !v.isDeleteMarker) await this.engine.deleteObject(caller, b.name, v.key, { within: check });
      else await this.engine.deleteObject(caller, b.name, v.key, { versionId: v.versionId, within: check });
      return true;
    } catch (e) {
      if (!(e instanceof Changed) && !(isStorageError(e) && e.code === 'NoSuchBucket')) throw e;
      counts.skipped++;
      return false;
    }
  }
}
