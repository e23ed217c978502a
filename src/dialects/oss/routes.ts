import * as buckets from '../../api/buckets.js';
import { isMultipartForm } from '../../api/post-form.js';
import { postObject } from '../../api/post-object.js';
import { listObjects } from '../../api/list-objects.js';
import * as mpu from '../../api/multipart.js';
import { deleteObjects } from '../../api/objects-delete.js';
import { sharedObjectRoutes, SHARED_PLAIN_PARAMS } from '../xml/common-routes.js';
import type { Route } from '../xml/routes.js';
import * as ossAcl from './acl.js';
import * as ossBucket from './ops-bucket.js';
import * as ossObject from './ops-object.js';

/**
 * OSS's operations, first match wins: rows with a sub-resource or header
 * come before the plain row for the same method and target. Everything S3
 * also has is the shared operation; the OSS-only ones live in ops-*.ts.
 */
export const OSS_ROUTES: Route[] = [
  { method: 'GET', target: 'service', handler: ossBucket.listBuckets },

  { method: 'GET', target: 'bucket', sub: 'acl', handler: ossAcl.getBucketAcl },
  { method: 'GET', target: 'bucket', sub: 'bucketInfo', handler: ossBucket.getBucketInfo },
  { method: 'GET', target: 'bucket', sub: 'location', handler: ossBucket.getBucketLocation },
  { method: 'GET', target: 'bucket', sub: 'stat', handler: ossBucket.getBucketStat },
  { method: 'GET', target: 'bucket', sub: 'uploads', handler: mpu.listMultipartUploads },
  { method: 'GET', target: 'bucket', handler: listObjects },
  { method: 'PUT', target: 'bucket', sub: 'acl', handler: ossAcl.putBucketAcl },
  { method: 'PUT', target: 'bucket', handler: ossBucket.putBucket },
  { method: 'HEAD', target: 'bucket', handler: buckets.headBucket },
  { method: 'DELETE', target: 'bucket', handler: buckets.deleteBucket },
  { method: 'POST', target: 'bucket', sub: 'delete', handler: deleteObjects },
  { method: 'POST', target: 'bucket', when: isMultipartForm, handler: postObject },

  { method: 'POST', target: 'object', sub: 'append', handler: ossObject.appendObject },
  { method: 'PUT', target: 'object', sub: 'symlink', handler: ossObject.putSymlink },
  { method: 'GET', target: 'object', sub: 'symlink', handler: ossObject.getSymlink },
  { method: 'PUT', target: 'object', sub: 'acl', handler: ossAcl.putObjectAcl },
  { method: 'GET', target: 'object', sub: 'acl', handler: ossAcl.getObjectAcl },
  { method: 'GET', target: 'object', sub: 'objectMeta', handler: ossObject.getObjectMeta },
  { method: 'HEAD', target: 'object', sub: 'objectMeta', handler: ossObject.getObjectMeta },
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
