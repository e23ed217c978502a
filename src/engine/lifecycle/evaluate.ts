import { ruleMatches, usesTags, type Candidate, type LifecycleRule, type When } from './model.js';

export const DAY_MS = 86_400_000;

/**
 * How long a lifecycle day lasts. Normally a day, and S3's arithmetic: an
 * action N days after an event is due at the first midnight UTC at or after
 * event + N days. In debug mode (`--lifecycle-day-seconds`, RGW's
 * rgw_lc_debug_interval) a day lasts `dayMs` and nothing is rounded.
 */
export interface LifecycleClock {
  dayMs: number;
  debug: boolean;
}

export const REAL_CLOCK: LifecycleClock = { dayMs: DAY_MS, debug: false };

export function debugClock(daySeconds: number | undefined): LifecycleClock {
  return daySeconds ? { dayMs: daySeconds * 1000, debug: true } : REAL_CLOCK;
}

const ceilMidnight = (t: number) => Math.ceil(t / DAY_MS) * DAY_MS;

/** When an action is due: `days` after `since`, or on its date. */
export function dueAt(clock: LifecycleClock, when: When, since: number): number {
  if (when.date !== undefined) return Date.parse(when.date);
  const days = when.days ?? 0;
  return clock.debug ? since + days * clock.dayMs : ceilMidnight(since + days * DAY_MS);
}

/**
 * The latest creation time at which an action `when` after creation is due
 * by `now` (-Infinity: none is): the inverse of dueAt, so the versions due
 * are exactly those written at or before it. A date is due for every version
 * once passed.
 */
export function latestDueSince(clock: LifecycleClock, when: When, now: number): number {
  if (when.date !== undefined) return Date.parse(when.date) <= now ? now : -Infinity;
  const days = when.days ?? 0;
  // dueAt rounds up to a midnight: due by now when since + days <= the last midnight at or before now.
  return clock.debug ? now - days * clock.dayMs : Math.floor(now / DAY_MS) * DAY_MS - days * DAY_MS;
}

/** A version as lifecycle sees it. */
export interface Version extends Candidate {
  lastModified: number;
  storageClass: string;
  isDeleteMarker: boolean;
  /** Its own expiry (OBS x-obs-expires), which the worker applies instead of the rules' Expiration. */
  expiresAt?: number;
}

/** What to do with a version now, and which rule says so. */
export type Action =
  | { kind: 'expire'; ruleId: string }
  | { kind: 'transition'; ruleId: string; storageClass: string };

/**
 * Classes ordered coldest last: a transition only ever moves an object to a
 * colder class (a rule never warms an object). Classes not listed sit just
 * above STANDARD.
 */
const RANK: Record<string, number> = {
  STANDARD: 0,
  REDUCED_REDUNDANCY: 0,
  INTELLIGENT_TIERING: 2,
  STANDARD_IA: 3,
  ONEZONE_IA: 3,
  GLACIER_IR: 4,
  GLACIER: 5,
  DEEP_ARCHIVE: 6,
};
const rank = (sc: string) => RANK[sc] ?? 1;

const active = (rules: LifecycleRule[], v: Candidate) => rules.filter((r) => r.enabled && ruleMatches(r, v));

/** The most advanced due transition among `options` that moves `v` colder. */
function transition(clock: LifecycleClock, options: { ruleId: string; when: When; storageClass: string }[], since: number, v: Version, now: number): Action | undefined {
  let best: { at: number; ruleId: string; storageClass: string } | undefined;
  for (const o of options) {
    const at = dueAt(clock, o.when, since);
    if (at <= now && rank(o.storageClass) > rank(v.storageClass) && (!best || at > best.at || (at === best.at && rank(o.storageClass) > rank(best.storageClass))))
      best = { at, ruleId: o.ruleId, storageClass: o.storageClass };
  }
  return best && { kind: 'transition', ruleId: best.ruleId, storageClass: best.storageClass };
}

/**
 * The action due on the current version of a key. `alone`: no other version
 * of the key exists (a delete marker alone is an expired delete marker).
 */
export function currentAction(clock: LifecycleClock, rules: LifecycleRule[], v: Version, alone: boolean, now: number): Action | undefined {
  const matching = active(rules, v);
  if (v.isDeleteMarker) {
    if (!alone) return undefined;
    for (const r of matching) {
      if (usesTags(r)) continue;
      const e = r.expiration;
      // A marker with no versions behind it goes with ExpiredObjectDeleteMarker, or once it is as old as Days says.
      if (e?.expiredObjectDeleteMarker || (e?.days !== undefined && dueAt(clock, e, v.lastModified) <= now)) return { kind: 'expire', ruleId: r.id };
    }
    return undefined;
  }
  // A version with its own expiry expires then, not by the rules (the worker's expiry phase deletes it).
  if (v.expiresAt === undefined) {
    for (const r of matching) {
      const e = r.expiration;
      if (e && (e.days !== undefined || e.date !== undefined) && dueAt(clock, e, v.lastModified) <= now) return { kind: 'expire', ruleId: r.id };
    }
  }
  return transition(
    clock,
    matching.flatMap((r) => r.transitions.map((t) => ({ ruleId: r.id, when: t, storageClass: t.storageClass }))),
    v.lastModified,
    v,
    now,
  );
}

/**
 * The action due on a noncurrent version: `since` is when it became noncurrent
 * (its successor's time), `newer` how many noncurrent versions of the key are newer than it.
 */
export function noncurrentAction(clock: LifecycleClock, rules: LifecycleRule[], v: Version, since: number, newer: number, now: number): Action | undefined {
  const matching = active(rules, v);
  for (const r of matching) {
    const n = r.noncurrentExpiration;
    if (!n) continue;
    if (n.newerNoncurrent !== undefined && newer < n.newerNoncurrent) continue;
    if (dueAt(clock, { days: n.days ?? 0 }, since) <= now) return { kind: 'expire', ruleId: r.id };
  }
  if (v.isDeleteMarker) return undefined;
  return transition(
    clock,
    matching.flatMap((r) =>
      r.noncurrentTransitions.filter((t) => t.newerNoncurrent === undefined || newer >= t.newerNoncurrent).map((t) => ({ ruleId: r.id, when: { days: t.days }, storageClass: t.storageClass })),
    ),
    since,
    v,
    now,
  );
}

/** Whether an upload initiated at `initiated` under `key` is to be aborted now, and by which rule. */
export function abortDue(clock: LifecycleClock, rules: LifecycleRule[], key: string, initiated: number, now: number): string | undefined {
  for (const r of rules) {
    if (!r.enabled || !r.abortMultipart || usesTags(r)) continue;
    // An upload has no size yet: only the prefixes decide.
    if (!ruleMatchesPrefixOnly(r, key)) continue;
    if (dueAt(clock, r.abortMultipart, initiated) <= now) return r.id;
  }
  return undefined;
}

function ruleMatchesPrefixOnly(r: LifecycleRule, key: string): boolean {
  return [r.prefix, r.filter?.prefix, r.filter?.and?.prefix].every((p) => p === undefined || key.startsWith(p));
}

/**
 * The expiration S3 announces for a current version (`x-amz-expiration`):
 * the earliest Expiration (Days or Date) of the enabled rules that match it,
 * in S3's calendar arithmetic whatever the debug clock says.
 */
export function announcedExpiration(rules: LifecycleRule[], v: Candidate & { lastModified: number }): { at: number; ruleId: string } | undefined {
  let best: { at: number; ruleId: string } | undefined;
  for (const r of active(rules, v)) {
    const e = r.expiration;
    if (!e || (e.days === undefined && e.date === undefined)) continue;
    const at = dueAt(REAL_CLOCK, e, v.lastModified);
    if (!best || at < best.at) best = { at, ruleId: r.id };
  }
  return best;
}
