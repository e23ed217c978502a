import { StorageError } from '../engine/errors.js';

/** Where a redirect sends a request (S3's Redirect and RedirectAllRequestsTo, OSS's Redirect). */
export interface WebsiteRedirect {
  protocol?: 'http' | 'https';
  hostName?: string;
  replaceKeyPrefixWith?: string;
  replaceKeyWith?: string;
  /** 3xx; S3's default is 301. */
  httpRedirectCode?: number;
}

export interface RoutingRule {
  /** OSS RuleNumber (rules are applied in this order). */
  ruleNumber?: number;
  condition?: { keyPrefixEquals?: string; httpErrorCodeReturnedEquals?: number };
  redirect: WebsiteRedirect;
}

/** A bucket's website configuration (stored as the `website` bucket setting), neutral. */
export interface WebsiteConfig {
  /** IndexDocument Suffix: what a "directory" request (`photos/`) serves (`photos/index.html`). */
  indexSuffix?: string;
  /** OSS SupportSubDir: index documents in sub-directories too (S3 always does). */
  supportSubDir?: boolean;
  /** OSS IndexDocument Type (0, 1 or 2): what a missing object with a sub-directory index does. */
  indexType?: number;
  errorKey?: string;
  /** OSS ErrorDocument HttpStatus: the status the error document is served with (404 by default). */
  errorStatus?: number;
  redirectAll?: { hostName: string; protocol?: 'http' | 'https' };
  routingRules: RoutingRule[];
}

const bad = (name: string, value: string, message: string) => new StorageError('InvalidArgument', message, { ArgumentName: name, ArgumentValue: value });

/**
 * Checks a configuration as S3 does: a redirect of everything, or a site
 * (an index document; OSS also accepts an error document or rules alone), never both.
 */
export function validateWebsite(c: WebsiteConfig): void {
  if (c.redirectAll) {
    if (c.indexSuffix !== undefined || c.errorKey !== undefined || c.routingRules.length)
      throw bad('RedirectAllRequestsTo', c.redirectAll.hostName, 'RedirectAllRequestsTo cannot be provided in conjunction with other Routing Rules.');
    if (!c.redirectAll.hostName) throw bad('HostName', '', 'The HostName of RedirectAllRequestsTo must be provided.');
    return;
  }
  if (c.indexSuffix === undefined && c.errorKey === undefined && !c.routingRules.length)
    throw bad('IndexDocument', 'null', 'A value for IndexDocument Suffix must be provided if RedirectAllRequestsTo is empty');
  if (c.indexSuffix !== undefined && (c.indexSuffix === '' || c.indexSuffix.includes('/'))) throw bad('IndexDocument', c.indexSuffix, 'The IndexDocument Suffix is not well formed');
  if (c.errorKey === '') throw bad('ErrorDocument', '', 'The ErrorDocument Key is not well formed');
  if (c.routingRules.length > 50) throw bad('RoutingRules', String(c.routingRules.length), 'A website configuration may hold at most 50 routing rules.');
  for (const r of c.routingRules) {
    const code = r.redirect.httpRedirectCode;
    if (code !== undefined && !(code >= 300 && code <= 399)) throw bad('HttpRedirectCode', String(code), 'The provided HTTP redirect code is not valid. It should be a string containing a number between 300 and 399.');
    if (r.redirect.replaceKeyPrefixWith !== undefined && r.redirect.replaceKeyWith !== undefined)
      throw bad('ReplaceKeyWith', r.redirect.replaceKeyWith, 'You can only define ReplaceKeyPrefix or ReplaceKey but not both.');
    const e = r.condition?.httpErrorCodeReturnedEquals;
    if (e !== undefined && !(e >= 400 && e <= 599)) throw bad('HttpErrorCodeReturnedEquals', String(e), 'The provided HTTP error code is not valid. Valid codes are 4XX or 5XX.');
  }
}
