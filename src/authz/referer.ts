import { StorageError } from '../engine/errors.js';

/**
 * OSS hotlink protection (PutBucketReferer), neutral form: the bucket setting
 * `referer` holds it, `dialect-gates.ts` enforces it on OSS requests that are
 * anonymous or signed in the URL (OSS does not check requests signed in the
 * Authorization header).
 */
export interface RefererConfig {
  /** A request without a Referer (or an empty one) is admitted. */
  allowEmpty: boolean;
  /** The query string (and fragment) is cut off the Referer before it is matched. */
  allowTruncateQueryString: boolean;
  /** Only scheme, host and port are matched (OSS: only with allowTruncateQueryString). */
  truncatePath: boolean;
  /** The white list (`*` any run of characters, `?` exactly one); empty: no white list. */
  allow: string[];
  /** The black list, same patterns; it wins over the white list. */
  deny: string[];
}

/** What a bucket without hotlink protection answers to GetBucketReferer. */
export const NO_REFERER_CONFIG: RefererConfig = { allowEmpty: true, allowTruncateQueryString: true, truncatePath: false, allow: [], deny: [] };

/** OSS's limits: a Referer pattern is at most this long, and a list at most this many. */
export const MAX_REFERER_LENGTH = 1024;
export const MAX_REFERERS = 1000;

export function validateRefererConfig(c: RefererConfig): void {
  const bad = (why: string) => new StorageError('InvalidArgument', `The referer configuration is not valid: ${why}.`);
  if (typeof c !== 'object' || c === null) throw bad('it is not a configuration');
  for (const k of ['allowEmpty', 'allowTruncateQueryString', 'truncatePath'] as const) if (typeof c[k] !== 'boolean') throw bad(`${k} is not a boolean`);
  for (const list of [c.allow, c.deny]) {
    if (!Array.isArray(list)) throw bad('a list is not a list');
    if (list.length > MAX_REFERERS) throw bad(`a list holds more than ${MAX_REFERERS} referers`);
    for (const r of list) if (typeof r !== 'string' || r === '' || r.length > MAX_REFERER_LENGTH) throw bad('a referer is empty or too long');
  }
}

export function isNoRefererConfig(c: RefererConfig): boolean {
  return c.allowEmpty && c.allowTruncateQueryString && !c.truncatePath && c.allow.length === 0 && c.deny.length === 0;
}

/** `*` and `?` wildcards, everything else literal, case-insensitive as host names are. */
function globMatches(pattern: string, value: string): boolean {
  const p = pattern.toLowerCase();
  const v = value.toLowerCase();
  // Iterative glob with single-star backtracking: linear in practice, never exponential.
  let pi = 0;
  let vi = 0;
  let star = -1;
  let mark = 0;
  while (vi < v.length) {
    if (pi < p.length && (p[pi] === '?' || p[pi] === v[vi])) {
      pi++;
      vi++;
    } else if (pi < p.length && p[pi] === '*') {
      star = pi++;
      mark = vi;
    } else if (star >= 0) {
      pi = star + 1;
      vi = ++mark;
    } else return false;
  }
  while (pi < p.length && p[pi] === '*') pi++;
  return pi === p.length;
}

const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

/** A pattern matches the Referer as written; one without a scheme also matches it without its scheme. */
function patternMatches(pattern: string, referer: string): boolean {
  if (globMatches(pattern, referer)) return true;
  return !SCHEME.test(pattern) && SCHEME.test(referer) && globMatches(pattern, referer.replace(SCHEME, ''));
}

/** The Referer as it is matched, after the truncations the configuration asks for. */
export function refererForMatching(c: RefererConfig, referer: string): string {
  if (!c.allowTruncateQueryString) return referer;
  let r = referer.replace(/[?#].*$/s, '');
  if (c.truncatePath) {
    const m = SCHEME.exec(r);
    const start = m ? m[0].length : 0;
    const slash = r.indexOf('/', start);
    if (slash >= 0) r = r.slice(0, slash);
  }
  return r;
}

export type RefererVerdict = 'allowed' | 'blacklisted' | 'not-allowed';

/**
 * OSS's order: an empty Referer is decided by allowEmpty alone; otherwise the
 * black list refuses first, then a non-empty white list must match.
 */
export function refererVerdict(c: RefererConfig, header: string | undefined): RefererVerdict {
  const raw = (header ?? '').trim();
  if (raw === '') return c.allowEmpty ? 'allowed' : 'not-allowed';
  const referer = refererForMatching(c, raw);
  if (c.deny.some((p) => patternMatches(p, referer))) return 'blacklisted';
  if (c.allow.length === 0) return 'allowed';
  return c.allow.some((p) => patternMatches(p, referer)) ? 'allowed' : 'not-allowed';
}
