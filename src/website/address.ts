import type { HttpContext } from '../http/context.js';

/** The path form of the website endpoint, for setups without wildcard DNS: `/-/website/<bucket>/<key>` (no bucket name starts with `-`). */
export const WEBSITE_PATH = '/-/website/';

/** A website request: the bucket, the key asked for (decoded, '' for the root) and the URL prefix the site's keys hang under. */
export interface WebsiteAddress {
  bucket: string;
  key: string;
  /** What precedes the key in this request's URL: '/' on a website host, `/-/website/<bucket>/` in the path form. */
  base: string;
}

const decode = (s: string): string | undefined => {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
};

/**
 * The website address of a request, or undefined when it is a REST request:
 * Host `<bucket>.<website domain>` (by default `s3-website.<domain>` for each
 * configured domain), or the path form on any host.
 */
export function websiteAddress(ctx: HttpContext, websiteDomains: readonly string[]): WebsiteAddress | undefined {
  if (ctx.rawPath.startsWith(WEBSITE_PATH)) {
    const rest = ctx.rawPath.slice(WEBSITE_PATH.length);
    const slash = rest.indexOf('/');
    const bucket = decode(slash < 0 ? rest : rest.slice(0, slash));
    const key = slash < 0 ? '' : decode(rest.slice(slash + 1));
    if (!bucket || key === undefined) return undefined;
    return { bucket, key, base: `${WEBSITE_PATH}${encodeURIComponent(bucket)}/` };
  }
  if (!websiteDomains.length) return undefined;
  const host = (ctx.header('host') ?? '').replace(/:\d+$/, '').toLowerCase();
  for (const d of websiteDomains) {
    if (host.length > d.length + 1 && host.endsWith('.' + d)) {
      const key = decode(ctx.rawPath.slice(1));
      if (key === undefined) return undefined;
      return { bucket: host.slice(0, -(d.length + 1)), key, base: '/' };
    }
  }
  return undefined;
}
