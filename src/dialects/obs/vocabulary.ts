import type { OpContext } from '../../api/op-context.js';
import { parseRangeOrWhole } from '../../api/range.js';
import { neutralStorageClass, type Vocabulary, type WireError } from '../../api/vocabulary.js';
import { objectAclExtra } from '../../engine/acl.js';
import type { ObjectRecord } from '../../meta/types.js';
import { aclFromHeaders } from '../../api/acl.js';
import { obsError } from './errors.js';

/** OBS names two neutral (S3) storage classes its own way. */
const OBS_CLASS_NAMES: Readonly<Record<string, string>> = { STANDARD_IA: 'WARM', GLACIER: 'COLD' };

/** The guide's smallest part (all but the last), checked at completion. */
export const OBS_MIN_PART_SIZE = 100 * 1024;
/** The guide's limits for appends: at most 10000 per object, 5 GB in all. */
export const OBS_MAX_APPENDS = 10000;
/** The guide: at most 10 tags per bucket. */
export const OBS_MAX_BUCKET_TAGS = 10;

/** Appendable objects carry their type and next position; the SDKs read the x-obs- names in both modes. */
function appendHeaders(o: ObjectRecord): Record<string, string> {
  if (o.objectType !== 'Appendable') return {};
  return { 'x-obs-object-type': 'Appendable', 'x-obs-next-append-position': String(o.size) };
}

/** Header values must be printable ASCII; messages may quote what the client sent. */
const headerSafe = (s: string) => s.replace(/[^\x20-\x7e]/g, '?').slice(0, 512);

function errorHeaders(prefix: string) {
  return (w: WireError) => ({ [prefix + 'error-code']: headerSafe(w.code), [prefix + 'error-message']: headerSafe(w.message) });
}

/** The ACL headers of a write (x-obs-acl / x-amz-acl, grant headers), stored with the object. */
function aclExtra(op: OpContext): Record<string, unknown> | undefined {
  const acl = aclFromHeaders(op, op.caller.accountId);
  return acl && objectAclExtra(acl);
}

/** OBS's own protocol: `x-obs-` headers, WARM / COLD, OBS's error table. */
export const obsVocabulary: Vocabulary = {
  dialect: 'obs',
  prefix: 'x-obs-',
  metaPrefix: 'x-obs-meta-',
  xmlns: 'http://obs.myhwclouds.com/doc/2015-06-30/',
  maxMetaBytes: 8 * 1024,
  storageClasses: ['STANDARD', 'WARM', 'COLD', 'DEEP_ARCHIVE'],
  storageClassNames: OBS_CLASS_NAMES,
  minPartSize: OBS_MIN_PART_SIZE,
  maxBucketTags: OBS_MAX_BUCKET_TAGS,
  bucketRegionElement: 'Location',
  // The API reference (Deleting Buckets): a bucket with an object or a multipart task is not empty.
  uploadsBlockBucketDelete: true,
  // The guide: an invalid range (beyond the object) returns the whole object.
  parseRange: parseRangeOrWhole,
  error: obsError,
  objectHeaders: appendHeaders,
  extraFromRequest: aclExtra,
  objectExpiresHeader: 'x-obs-expires',
  errorHeaders: errorHeaders('x-obs-'),
};

/**
 * OBS in its AWS-compatible mode (the SDKs' `signature: 'v2'`): the same
 * operations and limits with `x-amz-` names and S3's storage class names.
 */
export const obsAwsVocabulary: Vocabulary = {
  dialect: 'obs',
  prefix: 'x-amz-',
  metaPrefix: 'x-amz-meta-',
  xmlns: 'http://s3.amazonaws.com/doc/2006-03-01/',
  maxMetaBytes: 8 * 1024,
  storageClasses: ['STANDARD', 'STANDARD_IA', 'GLACIER', 'DEEP_ARCHIVE'],
  minPartSize: OBS_MIN_PART_SIZE,
  maxBucketTags: OBS_MAX_BUCKET_TAGS,
  bucketRegionElement: 'Location',
  // The API reference (Deleting Buckets): a bucket with an object or a multipart task is not empty.
  uploadsBlockBucketDelete: true,
  // The guide: an invalid range (beyond the object) returns the whole object.
  parseRange: parseRangeOrWhole,
  error: obsError,
  objectHeaders: appendHeaders,
  extraFromRequest: aclExtra,
  // The SDKs send x-obs-expires in their AWS-compatible mode too.
  objectExpiresHeader: 'x-obs-expires',
  errorHeaders: errorHeaders('x-amz-'),
};

/** Any storage class name of either mode, to its neutral name (bodies may use either family). */
export function anyObsStorageClass(name: string): string | undefined {
  const upper = name.trim().toUpperCase();
  return neutralStorageClass(obsVocabulary, upper) ?? neutralStorageClass(obsAwsVocabulary, upper);
}
