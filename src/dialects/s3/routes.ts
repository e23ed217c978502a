import * as buckets from '../../api/buckets.js';
import { deleteObject, deleteObjects } from '../../api/objects-delete.js';
import { getObject } from '../../api/objects-read.js';
import { copyObject, putObject } from '../../api/objects-write.js';
import { listObjects } from '../../api/list-objects.js';
import * as mpu from '../../api/multipart.js';
import type { OpContext } from '../../api/op-context.js';
import type { Reply } from '../../http/reply.js';

export type Target = 'service' | 'bucket' | 'object';
export type Handler = (op: OpContext) => Promise<Reply>;

export interface Route {
  method: string;
  target: Target;
  /** A query parameter that selects the operation (a sub-resource such as `location`). */
  sub?: string;
  /** A request header that selects the operation (e.g. x-amz-copy-source). */
  header?: string;
  handler: Handler;
}

/**
 * S3's operations, first match wins: rows with a sub-resource or header come
 * before the plain row for the same method and target.
 */
export const S3_ROUTES: Route[] = [
  { method: 'GET', target: 'service', handler: buckets.listBuckets },

  { method: 'GET', target: 'bucket', sub: 'location', handler: buckets.getBucketLocation },
  { method: 'GET', target: 'bucket', sub: 'uploads', handler: mpu.listMultipartUploads },
  { method: 'GET', target: 'bucket', handler: listObjects },
  { method: 'PUT', target: 'bucket', handler: buckets.createBucket },
  { method: 'HEAD', target: 'bucket', handler: buckets.headBucket },
  { method: 'DELETE', target: 'bucket', handler: buckets.deleteBucket },
  { method: 'POST', target: 'bucket', sub: 'delete', handler: deleteObjects },

  { method: 'PUT', target: 'object', sub: 'uploadId', header: 'x-amz-copy-source', handler: mpu.uploadPartCopy },
  { method: 'PUT', target: 'object', sub: 'uploadId', handler: mpu.uploadPart },
  { method: 'POST', target: 'object', sub: 'uploads', handler: mpu.createMultipartUpload },
  { method: 'POST', target: 'object', sub: 'uploadId', handler: mpu.completeMultipartUpload },
  { method: 'DELETE', target: 'object', sub: 'uploadId', handler: mpu.abortMultipartUpload },
  { method: 'GET', target: 'object', sub: 'uploadId', handler: mpu.listParts },
  { method: 'PUT', target: 'object', header: 'x-amz-copy-source', handler: copyObject },
  { method: 'PUT', target: 'object', handler: putObject },
  { method: 'GET', target: 'object', handler: (op) => getObject(op, false) },
  { method: 'HEAD', target: 'object', handler: (op) => getObject(op, true) },
  { method: 'DELETE', target: 'object', handler: deleteObject },
];

/**
 * Query parameters that are not sub-resources (they modify an operation) and
 * so never make a request unroutable.
 */
const PLAIN_PARAMS = new Set([
  'versionId',
  'partNumber',
  'prefix',
  'delimiter',
  'marker',
  'max-keys',
  'encoding-type',
  'list-type',
  'continuation-token',
  'start-after',
  'fetch-owner',
  'uploadId',
  'part-number-marker',
  'max-parts',
  'max-uploads',
  'key-marker',
  'upload-id-marker',
  'x-id',
  'response-content-type',
  'response-content-language',
  'response-expires',
  'response-cache-control',
  'response-content-disposition',
  'response-content-encoding',
]);

export function findRoute(routes: Route[], method: string, target: Target, query: Map<string, string>, headers: Record<string, unknown>): Route | 'method' | 'sub' {
  let methodSeen = false;
  for (const r of routes) {
    if (r.target !== target) continue;
    if (r.method !== method) continue;
    methodSeen = true;
    if (r.sub !== undefined && !query.has(r.sub)) continue;
    if (r.header !== undefined && headers[r.header] === undefined) continue;
    if (r.sub === undefined) {
      // A plain row must not swallow a sub-resource this server does not implement.
      for (const k of query.keys()) if (!PLAIN_PARAMS.has(k) && !k.startsWith('X-Amz-') && !isAuthParam(k)) return 'sub';
    }
    return r;
  }
  return methodSeen ? 'sub' : 'method';
}

function isAuthParam(k: string) {
  return k === 'AWSAccessKeyId' || k === 'Expires' || k === 'Signature' || k === 'x-amz-security-token';
}
