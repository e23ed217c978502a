/** Dialect-neutral shapes of the client's requests and results. ETags are given without quotes. */
import type { Readable } from 'node:stream';

/** A request body: bytes, text, a stream (sent once, not retried), or a local file (optionally a byte range, end exclusive). */
export type BodyInput = Buffer | Uint8Array | string | Readable | FileBody;

export interface FileBody {
  file: string;
  start?: number;
  /** Exclusive. */
  end?: number;
}

export interface BucketInfo {
  name: string;
  creationDate?: Date;
  region?: string;
}

export interface ObjectInfo {
  key: string;
  size: number;
  etag: string;
  lastModified?: Date;
  contentType?: string;
  /** User metadata, names without the prefix, lower-case. */
  metadata: Record<string, string>;
  versionId?: string;
  deleteMarker?: boolean;
  /** SHA-1 of the whole object, hex (COS v4 stat). */
  sha1?: string;
  /** CRC-64/ECMA-182 as an unsigned decimal string (OSS's x-oss-hash-crc64ecma). */
  crc64?: string;
  /** CRC-64/NVME of the whole object as an unsigned decimal string (S3's full-object x-amz-checksum-crc64nvme, answered with `checksumMode`). */
  crc64nvme?: string;
  /** Normal, Multipart, Appendable, Symlink. */
  objectType?: string;
  storageClass?: string;
  /** For appendable objects (OSS, OBS). */
  nextAppendPosition?: number;
  tagCount?: number;
  cacheControl?: string;
  contentDisposition?: string;
  contentEncoding?: string;
  contentLanguage?: string;
  expires?: string;
  /** Every response header, as received. */
  headers: Record<string, string | string[] | undefined>;
  requestId?: string;
}

export interface GetResult extends ObjectInfo {
  /** The response body: read it to the end or destroy it. */
  body: Readable;
  /** For a ranged read: the bytes served (end inclusive) and the object's full size. */
  range?: { start: number; end: number; total: number };
}

export interface ByteRange {
  start: number;
  /** Inclusive; omitted for "to the end". */
  end?: number;
}

export interface Conditions {
  ifMatch?: string;
  ifNoneMatch?: string;
  ifModifiedSince?: Date;
  ifUnmodifiedSince?: Date;
}

export interface GetOptions extends Conditions {
  range?: ByteRange;
  versionId?: string;
  partNumber?: number;
  /** response-content-type and friends. */
  responseHeaders?: Partial<Record<'content-type' | 'content-language' | 'expires' | 'cache-control' | 'content-disposition' | 'content-encoding', string>>;
  /** S3: ask for the object's checksums (x-amz-checksum-mode: ENABLED). */
  checksumMode?: boolean;
  signal?: AbortSignal;
}

export type CannedAcl = 'private' | 'public-read' | 'public-read-write' | 'authenticated-read' | 'bucket-owner-read' | 'bucket-owner-full-control' | 'default';

export interface WriteOptions {
  contentType?: string;
  contentLength?: number;
  cacheControl?: string;
  contentDisposition?: string;
  contentEncoding?: string;
  contentLanguage?: string;
  expires?: string;
  metadata?: Record<string, string>;
  /** Send Content-MD5 (computed for buffers and files unless false; a string is sent as given). */
  contentMd5?: boolean | string;
  ifMatch?: string;
  /** '*' to refuse overwriting. */
  ifNoneMatch?: string;
  acl?: CannedAcl;
  storageClass?: string;
  tags?: Record<string, string>;
  /** Extra raw headers. */
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export interface PutResult {
  etag: string;
  versionId?: string;
  crc64?: string;
  requestId?: string;
}

export interface AppendResult extends PutResult {
  nextPosition: number;
}

export interface DeleteResult {
  versionId?: string;
  deleteMarker?: boolean;
  requestId?: string;
}

export interface ObjectIdentifier {
  key: string;
  versionId?: string;
}

export interface BatchDeleteResult {
  deleted: Array<{ key: string; versionId?: string; deleteMarker?: boolean; deleteMarkerVersionId?: string }>;
  errors: Array<{ key: string; versionId?: string; code: string; message: string }>;
}

export interface CopyOptions extends WriteOptions {
  sourceVersionId?: string;
  /** COPY (default: keep the source's metadata) or REPLACE (use this request's). */
  metadataDirective?: 'COPY' | 'REPLACE';
  sourceIfMatch?: string;
  sourceIfNoneMatch?: string;
}

export interface ListedObject {
  key: string;
  size: number;
  etag: string;
  lastModified?: Date;
  storageClass?: string;
  /** OSS / OBS object type, when listed. */
  type?: string;
}

export interface ObjectVersion {
  key: string;
  versionId: string;
  isLatest: boolean;
  deleteMarker: boolean;
  size: number;
  etag?: string;
  lastModified?: Date;
}

export interface MultipartUploadInfo {
  key: string;
  uploadId: string;
  initiated?: Date;
}

export interface PartInfo {
  partNumber: number;
  etag: string;
  size: number;
  lastModified?: Date;
}

export interface Page<T> {
  items: T[];
  /** Common prefixes (with a delimiter). */
  prefixes: string[];
  truncated: boolean;
}

export interface ObjectsPage extends Page<ListedObject> {
  nextToken?: string;
}
export interface VersionsPage extends Page<ObjectVersion> {
  nextKeyMarker?: string;
  nextVersionIdMarker?: string;
}
export interface UploadsPage extends Page<MultipartUploadInfo> {
  nextKeyMarker?: string;
  nextUploadIdMarker?: string;
}
export interface PartsPage extends Page<PartInfo> {
  nextPartNumberMarker?: number;
}

export interface ListObjectsOptions {
  prefix?: string;
  delimiter?: string;
  /** Start after this key. */
  startAfter?: string;
  /** Page size (default 1000). */
  pageSize?: number;
  signal?: AbortSignal;
}

export interface ListVersionsOptions {
  prefix?: string;
  delimiter?: string;
  keyMarker?: string;
  versionIdMarker?: string;
  pageSize?: number;
  signal?: AbortSignal;
}

export interface ListUploadsOptions {
  prefix?: string;
  delimiter?: string;
  keyMarker?: string;
  uploadIdMarker?: string;
  pageSize?: number;
  signal?: AbortSignal;
}

export interface ListPartsOptions {
  partNumberMarker?: number;
  pageSize?: number;
  signal?: AbortSignal;
}

export interface CompletedPart {
  partNumber: number;
  etag: string;
}

export interface UploadPartOptions {
  /** Base64 MD5 of the part; computed for buffers and files when true (default). */
  contentMd5?: boolean | string;
  contentLength?: number;
  signal?: AbortSignal;
}

export interface UploadPartResult {
  etag: string;
  crc64?: string;
}

export type VersioningStatus = 'Enabled' | 'Suspended';

export interface Grant {
  grantee: { type: 'CanonicalUser' | 'Group' | 'AmazonCustomerByEmail'; id?: string; uri?: string; displayName?: string; email?: string };
  permission: string;
}

export interface AccessControlPolicy {
  owner?: { id: string; displayName?: string };
  grants: Grant[];
  /** The canned ACL when the dialect reports one (OSS, and derived for the others). */
  canned?: string;
}

export interface PresignOptions {
  method?: string;
  /** Seconds the URL is valid (default 3600; S3 at most 604800). */
  expiresSeconds?: number;
  versionId?: string;
  /** Extra query parameters (response-content-type, sub-resources such as acl). */
  query?: Record<string, string>;
  /** Headers the URL's user will send that must be signed (V2-style schemes). */
  headers?: Record<string, string>;
}

export interface PostPolicyOptions {
  /** The exact key, or use keyPrefix. */
  key?: string;
  keyPrefix?: string;
  expiresSeconds?: number;
  /** [min, max] bytes. */
  contentLengthRange?: [number, number];
  contentType?: string;
  acl?: CannedAcl;
  /** Extra form fields, each also made an exact-match condition. */
  fields?: Record<string, string>;
  /** Further raw policy conditions. */
  conditions?: unknown[];
}

export interface PostPolicy {
  /** Where the form is POSTed. */
  url: string;
  /** The form fields to send before the file field (key, policy, signature...). */
  fields: Record<string, string>;
  /** The decoded policy document. */
  policy: { expiration: string; conditions: unknown[] };
}
