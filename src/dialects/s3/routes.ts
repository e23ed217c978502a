import * as acl from '../../api/acl.js';
import * as restore from '../../api/restore.js';
import * as buckets from '../../api/buckets.js';
import { listObjects } from '../../api/list-objects.js';
import * as tagging from '../../api/tagging-ops.js';
import { getObjectAttributes } from '../../api/object-attributes.js';
import { bucketPolicyRoutes, s3AccessRoutes, sharedBucketPostRoutes, sharedBucketSubRoutes, sharedObjectRoutes, SHARED_PLAIN_PARAMS } from '../xml/common-routes.js';
import type { Route } from '../xml/routes.js';

/**
 * S3's operations, first match wins: rows with a sub-resource or header come
 * before the plain row for the same method and target.
 */
export const S3_ROUTES: Route[] = [
  { method: 'GET', target: 'service', action: 's3:ListAllMyBuckets', handler: buckets.listBuckets },

  { method: 'GET', target: 'bucket', sub: 'location', action: 's3:GetBucketLocation', handler: buckets.getBucketLocation },
  ...sharedBucketSubRoutes(),
  { method: 'GET', target: 'bucket', sub: 'acl', action: 's3:GetBucketAcl', handler: acl.getBucketAcl },
  { method: 'PUT', target: 'bucket', sub: 'acl', action: 's3:PutBucketAcl', handler: acl.putBucketAcl },
  ...bucketPolicyRoutes(),
  ...s3AccessRoutes(),
  { method: 'GET', target: 'bucket', action: 's3:ListBucket', handler: listObjects },
  { method: 'PUT', target: 'bucket', action: 's3:CreateBucket', handler: buckets.createBucket },
  { method: 'HEAD', target: 'bucket', action: 's3:ListBucket', handler: buckets.headBucket },
  { method: 'DELETE', target: 'bucket', action: 's3:DeleteBucket', handler: buckets.deleteBucket },
  ...sharedBucketPostRoutes(),

  { method: 'GET', target: 'object', sub: 'tagging', action: 's3:GetObjectTagging', handler: tagging.getObjectTagging },
  { method: 'PUT', target: 'object', sub: 'tagging', action: 's3:PutObjectTagging', handler: tagging.putObjectTagging },
  { method: 'DELETE', target: 'object', sub: 'tagging', action: 's3:DeleteObjectTagging', handler: tagging.deleteObjectTagging },
  { method: 'POST', target: 'object', sub: 'restore', action: 's3:RestoreObject', handler: restore.restoreObject },
  { method: 'GET', target: 'object', sub: 'attributes', action: 's3:GetObjectAttributes', handler: getObjectAttributes },
  { method: 'GET', target: 'object', sub: 'acl', action: 's3:GetObjectAcl', handler: acl.getObjectAcl },
  { method: 'PUT', target: 'object', sub: 'acl', action: 's3:PutObjectAcl', handler: acl.putObjectAcl },
  ...sharedObjectRoutes('x-amz-copy-source'),
];

/**
 * Query parameters that are not sub-resources (they modify an operation) and
 * so never make a request unroutable.
 */
const PLAIN_PARAMS = new Set([...SHARED_PLAIN_PARAMS, 'list-type', 'continuation-token', 'start-after', 'fetch-owner', 'x-id', 'allow-unordered', 'max-buckets', 'bucket-region']);

/** Presigners hoist these signing headers into the query (@smithy writes them in lower case); the signature check reads them. */
const SIGNING_PARAMS = new Set(['x-amz-security-token', 'x-amz-content-sha256']);

/**
 * S3 ignores query parameters it does not know; its sub-resources are named without a value.
 * So an unknown name with a value (a POST's success_action_redirect target gets ?bucket=&key=&etag=)
 * is plain; an unknown bare name may be a sub-resource Stratus lacks (NotImplemented, not a listing).
 */
export function s3PlainParam(k: string, v = ''): boolean {
  return v !== '' || PLAIN_PARAMS.has(k) || k.startsWith('X-Amz-') || k === 'AWSAccessKeyId' || k === 'Expires' || k === 'Signature' || SIGNING_PARAMS.has(k);
}
