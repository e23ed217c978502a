import { listObjectVersions } from '../../api/list-versions.js';
import * as cors from '../../api/cors.js';
import * as mpu from '../../api/multipart.js';
import * as website from '../../api/website.js';
import { deleteObject, deleteObjects } from '../../api/objects-delete.js';
import { isMultipartForm } from '../../api/post-form.js';
import { postObject } from '../../api/post-object.js';
import * as tagging from '../../api/tagging-ops.js';
import * as lifecycle from '../../api/lifecycle.js';
import * as logging from '../../api/logging.js';
import { getBucketVersioning, putBucketVersioning } from '../../api/versioning.js';
import { getObject } from '../../api/objects-read.js';
import { copyObject, putObject } from '../../api/objects-write.js';
import type { Handler, Route } from './routes.js';
import * as policy from '../../api/bucket-policy.js';
import * as pab from '../../api/public-access.js';
import * as ownership from '../../api/ownership.js';

/** Bucket sub-resources S3 and OBS serve alike (each row names its sub-resource, so order among them is free). */
export function sharedBucketSubRoutes(): Route[] {
  return [
    { method: 'GET', target: 'bucket', sub: 'uploads', action: 's3:ListBucketMultipartUploads', handler: mpu.listMultipartUploads },
    { method: 'GET', target: 'bucket', sub: 'versions', action: 's3:ListBucketVersions', handler: listObjectVersions },
    { method: 'GET', target: 'bucket', sub: 'versioning', action: 's3:GetBucketVersioning', handler: getBucketVersioning },
    { method: 'PUT', target: 'bucket', sub: 'versioning', action: 's3:PutBucketVersioning', handler: putBucketVersioning },
    { method: 'GET', target: 'bucket', sub: 'tagging', action: 's3:GetBucketTagging', handler: tagging.getBucketTagging },
    { method: 'PUT', target: 'bucket', sub: 'tagging', action: 's3:PutBucketTagging', handler: tagging.putBucketTagging },
    { method: 'DELETE', target: 'bucket', sub: 'tagging', action: 's3:PutBucketTagging', handler: tagging.deleteBucketTagging },
    { method: 'GET', target: 'bucket', sub: 'lifecycle', action: 's3:GetLifecycleConfiguration', handler: lifecycle.getBucketLifecycle },
    { method: 'PUT', target: 'bucket', sub: 'lifecycle', action: 's3:PutLifecycleConfiguration', handler: lifecycle.putBucketLifecycle },
    { method: 'DELETE', target: 'bucket', sub: 'lifecycle', action: 's3:PutLifecycleConfiguration', handler: lifecycle.deleteBucketLifecycle },
    { method: 'GET', target: 'bucket', sub: 'logging', action: 's3:GetBucketLogging', handler: logging.getBucketLogging },
    { method: 'PUT', target: 'bucket', sub: 'logging', action: 's3:PutBucketLogging', handler: logging.putBucketLogging },
    ...corsAndWebsiteRoutes(),
  ];
}

/** CORS and website configuration, in S3, OBS and OSS alike (the handlers read each one's XML); S3 authorizes a CORS delete as PutBucketCORS. */
export function corsAndWebsiteRoutes(): Route[] {
  return [
    { method: 'GET', target: 'bucket', sub: 'cors', action: 's3:GetBucketCORS', handler: cors.getBucketCors },
    { method: 'PUT', target: 'bucket', sub: 'cors', action: 's3:PutBucketCORS', handler: cors.putBucketCors },
    { method: 'DELETE', target: 'bucket', sub: 'cors', action: 's3:PutBucketCORS', handler: cors.deleteBucketCors },
    { method: 'GET', target: 'bucket', sub: 'website', action: 's3:GetBucketWebsite', handler: website.getBucketWebsite },
    { method: 'PUT', target: 'bucket', sub: 'website', action: 's3:PutBucketWebsite', handler: website.putBucketWebsite },
    { method: 'DELETE', target: 'bucket', sub: 'website', action: 's3:DeleteBucketWebsite', handler: website.deleteBucketWebsite },
  ];
}

/** Bucket policies (?policy), in each dialect's own policy language: S3, OBS and OSS alike. */
export function bucketPolicyRoutes(): Route[] {
  return [
    { method: 'GET', target: 'bucket', sub: 'policy', action: 's3:GetBucketPolicy', handler: policy.getBucketPolicy },
    { method: 'PUT', target: 'bucket', sub: 'policy', action: 's3:PutBucketPolicy', handler: policy.putBucketPolicy },
    { method: 'DELETE', target: 'bucket', sub: 'policy', action: 's3:DeleteBucketPolicy', handler: policy.deleteBucketPolicy },
  ];
}

/** S3's other access-control settings: policy status, public access block, object ownership. */
export function s3AccessRoutes(): Route[] {
  return [
    { method: 'GET', target: 'bucket', sub: 'policyStatus', action: 's3:GetBucketPolicyStatus', handler: policy.getBucketPolicyStatus },
    { method: 'GET', target: 'bucket', sub: 'publicAccessBlock', action: 's3:GetBucketPublicAccessBlock', handler: pab.getPublicAccessBlock },
    { method: 'PUT', target: 'bucket', sub: 'publicAccessBlock', action: 's3:PutBucketPublicAccessBlock', handler: pab.putPublicAccessBlock },
    { method: 'DELETE', target: 'bucket', sub: 'publicAccessBlock', action: 's3:PutBucketPublicAccessBlock', handler: pab.deletePublicAccessBlock },
    { method: 'GET', target: 'bucket', sub: 'ownershipControls', action: 's3:GetBucketOwnershipControls', handler: ownership.getOwnershipControls },
    { method: 'PUT', target: 'bucket', sub: 'ownershipControls', action: 's3:PutBucketOwnershipControls', handler: ownership.putOwnershipControls },
    { method: 'DELETE', target: 'bucket', sub: 'ownershipControls', action: 's3:PutBucketOwnershipControls', handler: ownership.deleteOwnershipControls },
  ];
}

/** The bucket POSTs every S3-shaped dialect shares: batch delete, then browser form uploads. */
export function sharedBucketPostRoutes(): Route[] {
  return [
    { method: 'POST', target: 'bucket', sub: 'delete', action: 's3:DeleteObject', handler: deleteObjects },
    { method: 'POST', target: 'bucket', when: isMultipartForm, action: 's3:PutObject', handler: postObject },
  ];
}

/**
 * The object rows every S3-shaped dialect shares, wired to the shared
 * operations: multipart first (they carry sub-resources), then the plain
 * object operations, which must come last in a table. `copySource` is the
 * dialect's copy-source header (x-amz-copy-source, x-oss-copy-source);
 * `wrap` lets a dialect adapt requests before the shared handler runs.
 */
export function sharedObjectRoutes(copySource: string, wrap: (h: Handler) => Handler = (h) => h): Route[] {
  return [
    { method: 'PUT', target: 'object', sub: 'uploadId', header: copySource, action: 's3:PutObject', readsCopySource: true, handler: wrap(mpu.uploadPartCopy) },
    { method: 'PUT', target: 'object', sub: 'uploadId', action: 's3:PutObject', handler: wrap(mpu.uploadPart) },
    { method: 'POST', target: 'object', sub: 'uploads', action: 's3:PutObject', handler: wrap(mpu.createMultipartUpload) },
    { method: 'POST', target: 'object', sub: 'uploadId', action: 's3:PutObject', handler: wrap(mpu.completeMultipartUpload) },
    { method: 'DELETE', target: 'object', sub: 'uploadId', action: 's3:AbortMultipartUpload', handler: wrap(mpu.abortMultipartUpload) },
    { method: 'GET', target: 'object', sub: 'uploadId', action: 's3:ListMultipartUploadParts', handler: wrap(mpu.listParts) },
    { method: 'PUT', target: 'object', header: copySource, action: 's3:PutObject', readsCopySource: true, handler: wrap(copyObject) },
    { method: 'PUT', target: 'object', action: 's3:PutObject', handler: wrap(putObject) },
    { method: 'GET', target: 'object', action: 's3:GetObject', handler: wrap((op) => getObject(op, false)) },
    { method: 'HEAD', target: 'object', action: 's3:GetObject', handler: wrap((op) => getObject(op, true)) },
    { method: 'DELETE', target: 'object', action: 's3:DeleteObject', handler: wrap(deleteObject) },
  ];
}

/** Query parameters that modify a shared operation rather than select one. */
export const SHARED_PLAIN_PARAMS: readonly string[] = [
  'versionId',
  'partNumber',
  'prefix',
  'delimiter',
  'marker',
  'max-keys',
  'encoding-type',
  'uploadId',
  'part-number-marker',
  'max-parts',
  'max-uploads',
  'key-marker',
  'upload-id-marker',
  'version-id-marker',
  'response-content-type',
  'response-content-language',
  'response-expires',
  'response-cache-control',
  'response-content-disposition',
  'response-content-encoding',
];
