import * as buckets from '../../api/buckets.js';
import * as restore from '../../api/restore.js';
import { listObjects } from '../../api/list-objects.js';
import * as mpu from '../../api/multipart.js';
import * as lifecycle from '../../api/lifecycle-oss.js';
import * as logging from '../../api/logging.js';
import { bucketPolicyRoutes, corsAndWebsiteRoutes, sharedBucketPostRoutes, sharedObjectRoutes, SHARED_PLAIN_PARAMS } from '../xml/common-routes.js';
import type { Route } from '../xml/routes.js';
import * as ossAcl from './acl.js';
import * as ossBucket from './ops-bucket.js';
import * as ossObject from './ops-object.js';
import * as ossReferer from './referer.js';

/**
 * OSS's operations, first match wins: rows with a sub-resource or header
 * come before the plain row for the same method and target. Everything S3
 * also has is the shared operation; the OSS-only ones live in ops-*.ts.
 */
export const OSS_ROUTES: Route[] = [
  { method: 'GET', target: 'service', action: 's3:ListAllMyBuckets', handler: ossBucket.listBuckets },

  { method: 'GET', target: 'bucket', sub: 'acl', action: 's3:GetBucketAcl', handler: ossAcl.getBucketAcl },
  ...bucketPolicyRoutes(),
  { method: 'GET', target: 'bucket', sub: 'bucketInfo', action: 's3:GetBucketInfo', handler: ossBucket.getBucketInfo },
  { method: 'GET', target: 'bucket', sub: 'referer', action: 's3:GetBucketReferer', handler: ossReferer.getBucketReferer },
  { method: 'GET', target: 'bucket', sub: 'location', action: 's3:GetBucketLocation', handler: ossBucket.getBucketLocation },
  { method: 'GET', target: 'bucket', sub: 'stat', action: 's3:GetBucketStorageInfo', handler: ossBucket.getBucketStat },
  { method: 'GET', target: 'bucket', sub: 'uploads', action: 's3:ListBucketMultipartUploads', handler: mpu.listMultipartUploads },
  { method: 'GET', target: 'bucket', sub: 'lifecycle', action: 's3:GetLifecycleConfiguration', handler: lifecycle.getOssLifecycle },
  { method: 'PUT', target: 'bucket', sub: 'lifecycle', action: 's3:PutLifecycleConfiguration', handler: lifecycle.putOssLifecycle },
  { method: 'DELETE', target: 'bucket', sub: 'lifecycle', action: 's3:PutLifecycleConfiguration', handler: lifecycle.deleteOssLifecycle },
  { method: 'GET', target: 'bucket', sub: 'logging', action: 's3:GetBucketLogging', handler: logging.getBucketLogging },
  { method: 'PUT', target: 'bucket', sub: 'logging', action: 's3:PutBucketLogging', handler: logging.putBucketLogging },
  { method: 'DELETE', target: 'bucket', sub: 'logging', action: 's3:PutBucketLogging', handler: logging.deleteBucketLogging },
  ...corsAndWebsiteRoutes(),
  { method: 'GET', target: 'bucket', action: 's3:ListBucket', handler: listObjects },
  { method: 'PUT', target: 'bucket', sub: 'acl', action: 's3:PutBucketAcl', handler: ossAcl.putBucketAcl },
  { method: 'PUT', target: 'bucket', sub: 'referer', action: 's3:PutBucketReferer', handler: ossReferer.putBucketReferer },
  { method: 'PUT', target: 'bucket', action: 's3:CreateBucket', handler: ossBucket.putBucket },
  { method: 'HEAD', target: 'bucket', action: 's3:ListBucket', handler: buckets.headBucket },
  { method: 'DELETE', target: 'bucket', action: 's3:DeleteBucket', handler: buckets.deleteBucket },
  ...sharedBucketPostRoutes(),

  { method: 'POST', target: 'object', sub: 'restore', action: 's3:RestoreObject', handler: restore.restoreObject },
  { method: 'POST', target: 'object', sub: 'append', action: 's3:PutObject', handler: ossObject.appendObject },
  { method: 'PUT', target: 'object', sub: 'symlink', action: 's3:PutObject', handler: ossObject.putSymlink },
  { method: 'GET', target: 'object', sub: 'symlink', action: 's3:GetObject', handler: ossObject.getSymlink },
  { method: 'PUT', target: 'object', sub: 'acl', action: 's3:PutObjectAcl', handler: ossAcl.putObjectAcl },
  { method: 'GET', target: 'object', sub: 'acl', action: 's3:GetObjectAcl', handler: ossAcl.getObjectAcl },
  { method: 'GET', target: 'object', sub: 'objectMeta', action: 's3:GetObject', handler: ossObject.getObjectMeta },
  { method: 'HEAD', target: 'object', sub: 'objectMeta', action: 's3:GetObject', handler: ossObject.getObjectMeta },
  ...sharedObjectRoutes('x-oss-copy-source'),
];

/** Query parameters that modify an operation rather than select one. */
const PLAIN_PARAMS = new Set([
  ...SHARED_PLAIN_PARAMS,
  'list-type',
  'continuation-token',
  'start-after',
  'fetch-owner',
  'position',
  // signatures: V1 URLs, V2 and V4 query forms
  'OSSAccessKeyId',
  'Expires',
  'Signature',
  'security-token',
  'x-oss-signature-version',
  'x-oss-credential',
  'x-oss-date',
  'x-oss-expires',
  'x-oss-signature',
  'x-oss-additional-headers',
  'x-oss-access-key-id',
  'x-oss-security-token',
  'x-oss-ac-source-ip',
  'x-oss-request-payer',
]);

export function ossPlainParam(k: string): boolean {
  return PLAIN_PARAMS.has(k);
}
