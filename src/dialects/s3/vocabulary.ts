import { objectAclExtraFromRequest } from '../../api/acl.js';
import type { Vocabulary } from '../../api/vocabulary.js';

export const S3_STORAGE_CLASSES = [
  'STANDARD',
  'REDUCED_REDUNDANCY',
  'STANDARD_IA',
  'ONEZONE_IA',
  'INTELLIGENT_TIERING',
  'GLACIER',
  'DEEP_ARCHIVE',
  'GLACIER_IR',
  'OUTPOSTS',
  'SNOW',
  'EXPRESS_ONEZONE',
] as const;

/** S3 is the neutral vocabulary: its codes, statuses and messages pass through unchanged. */
export const s3Vocabulary: Vocabulary = {
  dialect: 's3',
  prefix: 'x-amz-',
  metaPrefix: 'x-amz-meta-',
  xmlns: 'http://s3.amazonaws.com/doc/2006-03-01/',
  maxMetaBytes: 2048,
  storageClasses: S3_STORAGE_CLASSES,
  defaultChecksum: 'crc64nvme',
  error: (code, message, status) => ({ status, code, message }),
  // x-amz-acl / x-amz-grant-* on PutObject, CopyObject and CreateMultipartUpload.
  extraFromRequest: objectAclExtraFromRequest,
};
