import { StorageError } from '../errors.js';

/**
 * The neutral lifecycle configuration, stored as the bucket setting
 * `lifecycle` (settings.ts). S3, OBS and OSS documents are parsed into it and
 * rendered from it; the worker executes it. Dates are ISO strings at midnight
 * UTC; storage classes are neutral (S3) names.
 */
export interface LifecycleFilter {
  prefix?: string;
  tag?: Tag;
  and?: { prefix?: string; tags: Tag[]; sizeGreaterThan?: number; sizeLessThan?: number };
  sizeGreaterThan?: number;
  sizeLessThan?: number;
}

export interface Tag {
  key: string;
  value: string;
}

/** An action's time: a number of days after an event, or a date. */
export interface When {
  days?: number;
  date?: string;
}

export interface LifecycleRule {
  id: string;
  enabled: boolean;
  /** The legacy top-level Prefix (S3's V1 form, OBS, OSS): no Filter element. */
  prefix?: string;
  filter?: LifecycleFilter;
  expiration?: When & { expiredObjectDeleteMarker?: boolean };
  transitions: (When & { storageClass: string })[];
  noncurrentExpiration?: { days?: number; newerNoncurrent?: number };
  noncurrentTransitions: { days: number; newerNoncurrent?: number; storageClass: string }[];
  /** AbortIncompleteMultipartUpload (DaysAfterInitiation) or OSS's AbortMultipartUpload (Days or CreatedBeforeDate). */
  abortMultipart?: When;
}

export interface LifecycleConfiguration {
  rules: LifecycleRule[];
}

export const MAX_RULES = 1000;
export const MAX_RULE_ID = 255;

/** Storage classes a transition may not target (the class every object starts in). */
const NOT_A_TARGET = new Set(['STANDARD']);

const invalid = (message: string, name?: string, value?: string) =>
  new StorageError('InvalidArgument', message, name !== undefined ? { ArgumentName: name, ArgumentValue: value ?? '' } : {});

/** A day count: a whole number, at least `min`. */
function checkDays(days: number | undefined, min: number, what: string): void {
  if (days === undefined) return;
  if (!Number.isSafeInteger(days) || days < min) throw invalid(`'${what}' must be ${min > 0 ? 'a positive' : 'a non-negative'} integer`);
}

/** A date must be midnight UTC (S3: "'Date' must be at midnight GMT"). */
export function checkMidnight(date: string | undefined): void {
  if (date === undefined) return;
  const t = Date.parse(date);
  if (Number.isNaN(t) || t % 86_400_000 !== 0) throw invalid("'Date' must be at midnight GMT", 'Date', date);
}

function filterTags(r: LifecycleRule): Tag[] {
  return [...(r.filter?.tag ? [r.filter.tag] : []), ...(r.filter?.and?.tags ?? [])];
}

/** Checks a whole configuration as S3 does; the dialects have parsed the shape already. */
export function validateLifecycle(c: LifecycleConfiguration): void {
  if (c.rules.length === 0) throw new StorageError('MalformedXML');
  if (c.rules.length > MAX_RULES) throw invalid(`The number of lifecycle rules must not exceed the allowed limit of ${MAX_RULES} rules`);
  const ids = new Set<string>();
  for (const r of c.rules) {
    if (r.id.length > MAX_RULE_ID) throw invalid('ID length should not exceed allowed limit of 255', 'ID', r.id);
    if (ids.has(r.id)) throw invalid('Rule ID must be unique. Found same ID for more than one rule', 'ID', r.id);
    ids.add(r.id);
    const e = r.expiration;
    if (e) {
      const forms = (e.days !== undefined ? 1 : 0) + (e.date !== undefined ? 1 : 0) + (e.expiredObjectDeleteMarker !== undefined ? 1 : 0);
      if (forms !== 1) throw new StorageError('MalformedXML');
      checkDays(e.days, 1, 'Days');
      checkMidnight(e.date);
      if (e.expiredObjectDeleteMarker && filterTags(r).length)
        throw new StorageError('InvalidRequest', 'ExpiredObjectDeleteMarker cannot be specified with tags.');
    }
    for (const t of r.transitions) {
      if ((t.days === undefined) === (t.date === undefined)) throw new StorageError('MalformedXML');
      checkDays(t.days, 0, 'Days');
      checkMidnight(t.date);
      if (NOT_A_TARGET.has(t.storageClass)) throw invalid("'StorageClass' must be different for 'Transition' actions", 'StorageClass', t.storageClass);
    }
    if (r.noncurrentExpiration) {
      const n = r.noncurrentExpiration;
      if (n.days === undefined && n.newerNoncurrent === undefined) throw new StorageError('MalformedXML');
      checkDays(n.days, 1, 'NoncurrentDays');
      checkDays(n.newerNoncurrent, 1, 'NewerNoncurrentVersions');
    }
    for (const t of r.noncurrentTransitions) {
      checkDays(t.days, 0, 'NoncurrentDays');
      checkDays(t.newerNoncurrent, 1, 'NewerNoncurrentVersions');
      if (NOT_A_TARGET.has(t.storageClass)) throw invalid("'StorageClass' must be different for 'NoncurrentVersionTransition' actions", 'StorageClass', t.storageClass);
    }
    if (r.abortMultipart) {
      if ((r.abortMultipart.days === undefined) === (r.abortMultipart.date === undefined)) throw new StorageError('MalformedXML');
      checkDays(r.abortMultipart.days, 1, 'DaysAfterInitiation');
      checkMidnight(r.abortMultipart.date);
      if (filterTags(r).length) throw new StorageError('InvalidRequest', 'AbortIncompleteMultipartUpload cannot be specified with Tags.');
    }
    const f = r.filter;
    for (const size of [f?.sizeGreaterThan, f?.sizeLessThan, f?.and?.sizeGreaterThan, f?.and?.sizeLessThan]) checkDays(size, 0, 'ObjectSize');
    const gt = f?.sizeGreaterThan ?? f?.and?.sizeGreaterThan;
    const lt = f?.sizeLessThan ?? f?.and?.sizeLessThan;
    if (gt !== undefined && lt !== undefined && gt >= lt) throw invalid('ObjectSizeGreaterThan must be less than ObjectSizeLessThan');
    if (!e && !r.transitions.length && !r.noncurrentExpiration && !r.noncurrentTransitions.length && !r.abortMultipart)
      throw new StorageError('InvalidRequest', 'At least one action needs to be specified in a rule');
  }
}

/** What a rule's filter is tested against. */
export interface Candidate {
  key: string;
  size: number;
  tags: Record<string, string> | null;
}

/** True when the rule's prefix, tags and size bounds all admit the object. */
export function ruleMatches(r: LifecycleRule, o: Candidate): boolean {
  const prefixes = [r.prefix, r.filter?.prefix, r.filter?.and?.prefix];
  if (prefixes.some((p) => p !== undefined && !o.key.startsWith(p))) return false;
  for (const t of filterTags(r)) if (o.tags?.[t.key] !== t.value) return false;
  const gt = [r.filter?.sizeGreaterThan, r.filter?.and?.sizeGreaterThan];
  const lt = [r.filter?.sizeLessThan, r.filter?.and?.sizeLessThan];
  if (gt.some((n) => n !== undefined && !(o.size > n))) return false;
  if (lt.some((n) => n !== undefined && !(o.size < n))) return false;
  return true;
}

/** True when the rule filters on tags (multipart uploads cannot match such a rule). */
export function usesTags(r: LifecycleRule): boolean {
  return filterTags(r).length > 0;
}
