import { deleteBucket, listBuckets } from '../../api/buckets.js';
import { listObjects } from '../../api/list-objects.js';
import * as tagging from '../../api/tagging-ops.js';
import * as mpu from '../../api/multipart.js';
import { deleteObject } from '../../api/objects-delete.js';
import { getObject } from '../../api/objects-read.js';
import { copyObject, putObject } from '../../api/objects-write.js';
import { h } from '../../api/vocabulary.js';
import { bucketPolicyRoutes, sharedBucketPostRoutes, sharedBucketSubRoutes, SHARED_PLAIN_PARAMS } from '../xml/common-routes.js';
import type { Handler, Route } from '../xml/routes.js';
import * as acl from '../../api/acl.js';
import * as buckets from './buckets.js';
import * as objects from './objects.js';

/** The copy-source header in the request's own mode selects the copying variant of a PUT. */
const byCopySource =
  (copy: Handler, plain: Handler): Handler =>
  (op) =>
    op.http.header(h(op.vocab, 'copy-source')) !== undefined ? copy(op) : plain(op);

/** Condition headers that name ETags. */
const ETAG_CONDITIONS = ['if-match', 'if-none-match', 'copy-source-if-match', 'copy-source-if-none-match'];

/**
 * The OBS SDKs percent-encode header values, quotes included (`If-Match:
 * %22etag%22`); OBS reads them decoded. ETag conditions are decoded before
 * the shared operation sees them (they are not signed, and a '%' can be no
 * part of an ETag).
 */
const decodedConditions =
  (handler: Handler): Handler =>
  (op) => {
    const headers = op.http.req.headers;
    for (const name of ETAG_CONDITIONS.flatMap((n) => (n.startsWith('copy-') ? [h(op.vocab, n)] : [n]))) {
      const v = headers[name];
      if (typeof v === 'string' && v.includes('%')) {
        try {
          headers[name] = decodeURIComponent(v);
        } catch {
          // Not percent-encoding after all: leave it as sent.
        }
      }
    }
    return handler(op);
  };

/**
 * OBS's operations (the guide's §8.1 table), first match wins: rows with a
 * sub-resource or header come before the plain row for the same method and
 * target. Most handlers are the dialect-neutral ones of src/api.
 */
export const OBS_ROUTES: Route[] = [
  { method: 'HEAD', target: 'service', sub: 'apiversion', action: 's3:GetApiVersion', handler: buckets.apiVersion },
  { method: 'GET', target: 'service', action: 's3:ListAllMyBuckets', handler: listBuckets },

  { method: 'HEAD', target: 'bucket', sub: 'apiversion', action: 's3:GetApiVersion', handler: buckets.apiVersion },
  { method: 'GET', target: 'bucket', sub: 'location', action: 's3:GetBucketLocation', handler: buckets.getBucketLocation },
  { method: 'GET', target: 'bucket', sub: 'storageinfo', action: 's3:GetBucketStorageInfo', handler: buckets.getBucketStorageInfo },
  { method: 'GET', target: 'bucket', sub: 'quota', action: 's3:GetBucketQuota', handler: buckets.getBucketQuota },
  { method: 'PUT', target: 'bucket', sub: 'quota', action: 's3:PutBucketQuota', handler: buckets.putBucketQuota },
  { method: 'GET', target: 'bucket', sub: 'storagePolicy', action: 's3:GetBucketStoragePolicy', handler: buckets.getBucketStoragePolicy },
  { method: 'PUT', target: 'bucket', sub: 'storagePolicy', action: 's3:PutBucketStoragePolicy', handler: buckets.putBucketStoragePolicy },
  { method: 'GET', target: 'bucket', sub: 'storageClass', action: 's3:GetBucketStoragePolicy', handler: buckets.getBucketStoragePolicy },
  { method: 'PUT', target: 'bucket', sub: 'storageClass', action: 's3:PutBucketStoragePolicy', handler: buckets.putBucketStoragePolicy },
  { method: 'GET', target: 'bucket', sub: 'acl', action: 's3:GetBucketAcl', handler: acl.getBucketAcl },
  { method: 'PUT', target: 'bucket', sub: 'acl', action: 's3:PutBucketAcl', handler: acl.putBucketAcl },
  ...bucketPolicyRoutes(),
  ...sharedBucketSubRoutes(),
  { method: 'GET', target: 'bucket', action: 's3:ListBucket', handler: listObjects },
  { method: 'PUT', target: 'bucket', action: 's3:CreateBucket', handler: buckets.createBucket },
  { method: 'HEAD', target: 'bucket', action: 's3:ListBucket', handler: buckets.getBucketMetadata },
  { method: 'DELETE', target: 'bucket', action: 's3:DeleteBucket', handler: deleteBucket },
  ...sharedBucketPostRoutes(),

  { method: 'POST', target: 'object', sub: 'append', action: 's3:PutObject', handler: objects.appendObject },
  { method: 'GET', target: 'object', sub: 'tagging', action: 's3:GetObjectTagging', handler: tagging.getObjectTagging },
  { method: 'PUT', target: 'object', sub: 'tagging', action: 's3:PutObjectTagging', handler: tagging.putObjectTagging },
  { method: 'DELETE', target: 'object', sub: 'tagging', action: 's3:DeleteObjectTagging', handler: tagging.deleteObjectTagging },
  { method: 'GET', target: 'object', sub: 'acl', action: 's3:GetObjectAcl', handler: acl.getObjectAcl },
  { method: 'PUT', target: 'object', sub: 'acl', action: 's3:PutObjectAcl', handler: acl.putObjectAcl },
  { method: 'PUT', target: 'object', sub: 'uploadId', action: 's3:PutObject', readsCopySource: true, handler: decodedConditions(byCopySource(mpu.uploadPartCopy, mpu.uploadPart)) },
  { method: 'POST', target: 'object', sub: 'uploads', action: 's3:PutObject', handler: mpu.createMultipartUpload },
  { method: 'POST', target: 'object', sub: 'uploadId', action: 's3:PutObject', handler: mpu.completeMultipartUpload },
  { method: 'DELETE', target: 'object', sub: 'uploadId', action: 's3:AbortMultipartUpload', handler: mpu.abortMultipartUpload },
  { method: 'GET', target: 'object', sub: 'uploadId', action: 's3:ListMultipartUploadParts', handler: mpu.listParts },
  { method: 'PUT', target: 'object', action: 's3:PutObject', readsCopySource: true, handler: decodedConditions(byCopySource(copyObject, putObject)) },
  { method: 'GET', target: 'object', action: 's3:GetObject', handler: decodedConditions((op) => getObject(op, false)) },
  { method: 'HEAD', target: 'object', action: 's3:GetObject', handler: decodedConditions((op) => getObject(op, true)) },
  { method: 'DELETE', target: 'object', action: 's3:DeleteObject', handler: deleteObject },
];

/** Query parameters that modify an operation rather than select one. */
const PLAIN_PARAMS = new Set([
  ...SHARED_PLAIN_PARAMS,
  'position',
  'AccessKeyId',
  'AWSAccessKeyId',
  'Expires',
  'Signature',
  'x-obs-security-token',
  'x-amz-security-token',
]);

export function obsPlainParam(k: string): boolean {
  return PLAIN_PARAMS.has(k);
}
