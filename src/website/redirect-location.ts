import { StorageError } from '../engine/errors.js';
import type { OpContext } from '../api/op-context.js';
import { h } from '../api/vocabulary.js';

/** The `extra` entry holding an object's website redirect location (x-amz-website-redirect-location). */
export const WEBSITE_REDIRECT = 'websiteRedirect';

/**
 * The redirect location a PutObject asks for (`<prefix>website-redirect-location`),
 * as an `extra` entry; S3 accepts a path on the site or an http(s) URL.
 */
export function websiteRedirectExtra(op: OpContext): Record<string, unknown> | undefined {
  const v = op.http.header(h(op.vocab, 'website-redirect-location'));
  if (v === undefined) return undefined;
  if (!/^(\/|https?:\/\/)/.test(v) || v.length > 2048 || /[^\x21-\x7e]/.test(v))
    throw new StorageError('InvalidArgument', "The website redirect location must have a prefix of 'http://' or 'https://' or '/'.", { ArgumentName: h(op.vocab, 'website-redirect-location'), ArgumentValue: v });
  return { [WEBSITE_REDIRECT]: v };
}

/** An object's extra settings plus the website redirect location its write may carry (PutObject, CreateMultipartUpload, POST forms). */
export function withWebsiteRedirect(op: OpContext, extra: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  const redirect = websiteRedirectExtra(op);
  return redirect ? { ...extra, ...redirect } : extra;
}
