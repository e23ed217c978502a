/**
 * The caller id of an anonymous request where something must be recorded
 * for it (a delete marker's owner, say): S3's canonical id for anonymous. It
 * names no account, so no key acts for it; the authorizer sees such callers
 * as `{kind:'anonymous'}`. Objects an anonymous caller puts belong to the
 * bucket owner (`Authorizer.writer`, as S3's BucketOwnerEnforced).
 */
export const ANONYMOUS_OWNER_ID = '65a011a29cdf8ec533ec3d1ccaae921c';
