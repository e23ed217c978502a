/**
 * The owner id of what an anonymous caller writes (an object put into a
 * public-read-write bucket, say): S3's canonical id for anonymous, which S3
 * shows as the Owner of such objects. It names no account, so no root key
 * acts for it; the authorizer still sees such callers as `{kind:'anonymous'}`.
 */
export const ANONYMOUS_OWNER_ID = '65a011a29cdf8ec533ec3d1ccaae921c';
