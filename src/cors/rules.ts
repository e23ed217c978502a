import { StorageError } from '../engine/errors.js';

/** The methods a CORS rule may allow (the same five in S3, OSS and OBS). */
export const CORS_METHODS = ['GET', 'PUT', 'POST', 'DELETE', 'HEAD'] as const;

/** One CORS rule, neutral: S3's CORSRule, OSS's and OBS's alike. */
export interface CorsRule {
  id?: string;
  allowedOrigins: string[];
  allowedMethods: string[];
  allowedHeaders: string[];
  exposeHeaders: string[];
  maxAgeSeconds?: number;
}

/** A bucket's CORS configuration (stored as the `cors` bucket setting). */
export interface CorsConfig {
  rules: CorsRule[];
  /** OSS ResponseVary: answer `Vary: Origin` on every cross-origin answer of the bucket. */
  responseVary?: boolean;
}

/** Most rules a configuration holds: S3 and OBS 100, OSS 10 (its documented limit). */
export const MAX_CORS_RULES = 100;

const stars = (s: string) => s.split('*').length - 1;

/**
 * Checks a configuration as S3 does: at least one rule, each with at least
 * one origin and one method, methods from the five, at most one `*` in an
 * origin or an allowed header, a non-negative MaxAgeSeconds. `maxRules` is
 * the dialect's limit.
 */
export function validateCors(c: CorsConfig, maxRules = MAX_CORS_RULES): void {
  if (!Array.isArray(c.rules) || c.rules.length === 0) throw new StorageError('MalformedXML');
  if (c.rules.length > maxRules) throw new StorageError('MalformedXML', `The CORS configuration may hold at most ${maxRules} rules.`);
  for (const r of c.rules) {
    if (!r.allowedOrigins.length || !r.allowedMethods.length) throw new StorageError('MalformedXML');
    for (const m of r.allowedMethods) {
      if (!(CORS_METHODS as readonly string[]).includes(m)) throw new StorageError('InvalidRequest', `Found unsupported HTTP method in CORS config. Unsupported method is ${m}`);
    }
    for (const o of r.allowedOrigins) if (stars(o) > 1) throw new StorageError('InvalidRequest', `AllowedOrigin "${o}" can not have more than one wildcard.`);
    for (const h of r.allowedHeaders) if (stars(h) > 1) throw new StorageError('InvalidRequest', `AllowedHeader "${h}" can not have more than one wildcard.`);
    if (r.maxAgeSeconds !== undefined && (!Number.isSafeInteger(r.maxAgeSeconds) || r.maxAgeSeconds < 0)) throw new StorageError('MalformedXML');
    if (r.id !== undefined && r.id.length > 255) throw new StorageError('InvalidArgument', 'The ID of a CORS rule is at most 255 characters long.');
  }
}

/** A pattern with at most one `*` (any run of characters, the empty one included) against a value. */
export function wildcardMatch(pattern: string, value: string): boolean {
  const star = pattern.indexOf('*');
  if (star < 0) return pattern === value;
  const head = pattern.slice(0, star);
  const tail = pattern.slice(star + 1);
  return value.length >= head.length + tail.length && value.startsWith(head) && value.endsWith(tail);
}

/** A comma-separated header list (Access-Control-Request-Headers / -Method), trimmed, empties dropped. */
export function headerList(v: string | undefined): string[] {
  return (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * The first rule that allows an origin, every one of the methods and every
 * requested header (headers case-insensitively, as S3 and OSS match them).
 */
export function matchRule(c: CorsConfig, origin: string, methods: string[], headers: string[]): CorsRule | undefined {
  return c.rules.find(
    (r) =>
      r.allowedOrigins.some((o) => wildcardMatch(o, origin)) &&
      methods.every((m) => r.allowedMethods.includes(m)) &&
      headers.every((h) => r.allowedHeaders.some((a) => wildcardMatch(a.toLowerCase(), h.toLowerCase()))),
  );
}

/** The CORS answer headers for a matched rule. */
export function allowHeaders(rule: CorsRule, origin: string, requestedHeaders: string[]): Record<string, string> {
  const any = rule.allowedOrigins.includes('*');
  const out: Record<string, string> = {
    'access-control-allow-origin': any ? '*' : origin,
    'access-control-allow-methods': rule.allowedMethods.join(', '),
  };
  // A named origin may send credentials (S3 says so for every origin it echoes); `*` may not, by the Fetch standard.
  if (!any) out['access-control-allow-credentials'] = 'true';
  if (requestedHeaders.length) out['access-control-allow-headers'] = requestedHeaders.map((h) => h.toLowerCase()).join(', ');
  if (rule.exposeHeaders.length) out['access-control-expose-headers'] = rule.exposeHeaders.join(', ');
  if (rule.maxAgeSeconds !== undefined) out['access-control-max-age'] = String(rule.maxAgeSeconds);
  out.vary = 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method';
  return out;
}
