/**
 * StratusClient: one client for S3, OSS, OBS (OBS or AWS-V2 signatures) and
 * COS JSON v4. The dialect (dialects/<name>.ts) does the wire mapping; this
 * class adds what is the same everywhere: buffered and file conveniences,
 * listings as async iterators, and the transfer manager.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { credentialSource, type CredentialsInput } from './credentials.js';
import type { CreateBucketOptions, Dialect, DialectContext, Signal } from './dialects/dialect.js';
import { CosDialect } from './dialects/cos.js';
import { obsProfile } from './dialects/obs.js';
import { ossProfile } from './dialects/oss.js';
import { s3Profile } from './dialects/s3.js';
import { XmlDialect } from './dialects/xml-family.js';
import { defaultPathStyle } from './dialects/xml-wire.js';
import { clientError, StratusError, type DialectName } from './errors.js';
import { HttpClient, readAll, type HttpOptions } from './http.js';
import * as listing from './listing.js';
import { downloadFile, type DownloadFileOptions, type DownloadFileResult } from './transfer/download-file.js';
import { uploadFile, type UploadFileOptions, type UploadFileResult } from './transfer/upload-file.js';
import type {
  AccessControlPolicy,
  AppendResult,
  BatchDeleteResult,
  BodyInput,
  BucketInfo,
  CannedAcl,
  CompletedPart,
  CopyOptions,
  DeleteResult,
  GetOptions,
  GetResult,
  ListObjectsOptions,
  ListPartsOptions,
  ListUploadsOptions,
  ListVersionsOptions,
  ObjectIdentifier,
  ObjectInfo,
  PostPolicy,
  PostPolicyOptions,
  PresignOptions,
  PutResult,
  UploadPartOptions,
  UploadPartResult,
  VersioningStatus,
  WriteOptions,
} from './types.js';

export const DIALECTS: readonly DialectName[] = ['s3', 'oss', 'obs', 'obs-v2', 'cos'];

export interface StratusClientOptions extends HttpOptions {
  dialect: DialectName;
  /** `http(s)://host[:port]`. */
  endpoint: string;
  /** Static pair, 'env' (default), or a provider function. */
  credentials?: CredentialsInput;
  /** Signing / location region (S3 default us-east-1, OSS cn-hangzhou, OBS cn-north-1). */
  region?: string;
  /** Path-style addressing; default true for IP addresses and localhost, else virtual-hosted. */
  pathStyle?: boolean;
  /** S3: 'v4' (default) or 'v2'. OSS: 'v1' (default) or 'v4'. */
  signature?: 'v4' | 'v2' | 'v1';
  /** COS: the account's appid. */
  appid?: string | number;
  /** COS: the server's download path (default /cos-download). */
  cosDownloadPath?: string;
}

const DEFAULT_REGION: Record<DialectName, string> = { s3: 'us-east-1', oss: 'cn-hangzhou', obs: 'cn-north-1', 'obs-v2': 'cn-north-1', cos: 'sh' };

/** Builds a dialect's wire mapping; dialects register here as they land. */
export type DialectFactory = (ctx: DialectContext, o: StratusClientOptions) => Dialect;

const FACTORIES = new Map<DialectName, DialectFactory>([
  ['s3', (ctx, o) => new XmlDialect(ctx, s3Profile({ signature: o.signature === 'v2' ? 'v2' : 'v4' }))],
  ['oss', (ctx, o) => new XmlDialect(ctx, ossProfile({ signature: o.signature === 'v4' ? 'v4' : 'v1' }))],
  ['obs', (ctx) => new XmlDialect(ctx, obsProfile('obs'))],
  ['obs-v2', (ctx) => new XmlDialect(ctx, obsProfile('v2'))],
  ['cos', (ctx, o) => new CosDialect(ctx, { appid: String(o.appid ?? ''), downloadPath: o.cosDownloadPath })],
]);

export function registerDialect(name: DialectName, f: DialectFactory): void {
  FACTORIES.set(name, f);
}

export class StratusClient {
  readonly dialect: Dialect;
  readonly http: HttpClient;
  readonly options: Readonly<StratusClientOptions>;

  constructor(o: StratusClientOptions) {
    if (!DIALECTS.includes(o.dialect)) throw clientError('s3', 'InvalidArgument', `unknown dialect "${o.dialect}" (expected one of ${DIALECTS.join(', ')})`);
    let endpoint: URL;
    try {
      endpoint = new URL(/^[a-z]+:\/\//i.test(o.endpoint) ? o.endpoint : `http://${o.endpoint}`);
    } catch {
      throw clientError(o.dialect, 'InvalidArgument', `the endpoint "${o.endpoint}" is not a URL (expected http(s)://host[:port])`);
    }
    const factory = FACTORIES.get(o.dialect);
    if (!factory) throw clientError(o.dialect, 'NotSupported', `the ${o.dialect} dialect is not available in this build`);
    this.options = o;
    this.http = new HttpClient(o.dialect, endpoint, o);
    const ctx: DialectContext = {
      name: o.dialect,
      endpoint,
      region: o.region ?? DEFAULT_REGION[o.dialect],
      pathStyle: o.pathStyle ?? defaultPathStyle(endpoint),
      http: this.http,
      credentials: credentialSource(o.dialect, o.credentials),
    };
    this.dialect = factory(ctx, o);
  }

  get name(): DialectName {
    return this.dialect.name;
  }

  /** Closes pooled connections. */
  destroy(): void {
    this.http.destroy();
  }

  // ---------------------------------------------------------------- buckets

  listBuckets(o?: Signal): Promise<BucketInfo[]> {
    return this.dialect.listBuckets(o);
  }
  createBucket(bucket: string, o?: CreateBucketOptions): Promise<void> {
    return this.dialect.createBucket(bucket, o);
  }
  deleteBucket(bucket: string, o?: Signal): Promise<void> {
    return this.dialect.deleteBucket(bucket, o);
  }
  headBucket(bucket: string, o?: Signal): Promise<void> {
    return this.dialect.headBucket(bucket, o);
  }
  async bucketExists(bucket: string, o?: Signal): Promise<boolean> {
    try {
      await this.dialect.headBucket(bucket, o);
      return true;
    } catch (e) {
      if (e instanceof StratusError && e.notFound) return false;
      throw e;
    }
  }
  getBucketLocation(bucket: string, o?: Signal): Promise<string> {
    return this.dialect.getBucketLocation(bucket, o);
  }

  // ---------------------------------------------------------------- objects

  /** Writes an object from a Buffer, string, stream or `{ file }`. */
  putObject(bucket: string, key: string, body: BodyInput, o?: WriteOptions): Promise<PutResult> {
    return this.dialect.putObject(bucket, key, body, o);
  }
  putObjectFromFile(bucket: string, key: string, file: string, o?: WriteOptions): Promise<PutResult> {
    return this.dialect.putObject(bucket, key, { file }, o);
  }
  /** A streaming read: consume or destroy `body`. */
  getObject(bucket: string, key: string, o?: GetOptions): Promise<GetResult> {
    return this.dialect.getObject(bucket, key, o);
  }
  async getObjectBuffer(bucket: string, key: string, o?: GetOptions): Promise<{ info: ObjectInfo; data: Buffer }> {
    const { body, range: _r, ...info } = await this.dialect.getObject(bucket, key, o);
    const data = await readAll(body, Number.MAX_SAFE_INTEGER);
    return { info, data };
  }
  /** One GET streamed to a file (see downloadFile for resumable, verified, parallel downloads). */
  async getObjectToFile(bucket: string, key: string, file: string, o?: GetOptions): Promise<ObjectInfo> {
    const { body, range: _r, ...info } = await this.dialect.getObject(bucket, key, o);
    await fs.promises.mkdir(path.dirname(path.resolve(file)), { recursive: true });
    await pipeline(body, fs.createWriteStream(file));
    return info;
  }
  headObject(bucket: string, key: string, o?: GetOptions): Promise<ObjectInfo> {
    return this.dialect.headObject(bucket, key, o);
  }
  async objectExists(bucket: string, key: string, o?: GetOptions): Promise<boolean> {
    try {
      await this.dialect.headObject(bucket, key, o);
      return true;
    } catch (e) {
      if (e instanceof StratusError && e.notFound) return false;
      throw e;
    }
  }
  deleteObject(bucket: string, key: string, o?: { versionId?: string; ifMatch?: string } & Signal): Promise<DeleteResult> {
    return this.dialect.deleteObject(bucket, key, o);
  }
  /** Deletes many objects (batches of 1000); keys or { key, versionId }. */
  deleteObjects(bucket: string, objects: Array<string | ObjectIdentifier>, o?: { quiet?: boolean } & Signal): Promise<BatchDeleteResult> {
    return this.dialect.deleteObjects(
      bucket,
      objects.map((x) => (typeof x === 'string' ? { key: x } : x)),
      o,
    );
  }
  copyObject(srcBucket: string, srcKey: string, bucket: string, key: string, o?: CopyOptions): Promise<PutResult> {
    return this.dialect.copyObject(srcBucket, srcKey, bucket, key, o);
  }
  /** Replaces an object's metadata (and content headers) in place. */
  updateObjectMetadata(bucket: string, key: string, metadata: Record<string, string>, o: Omit<CopyOptions, 'metadata' | 'metadataDirective'> = {}): Promise<PutResult> {
    return this.dialect.copyObject(bucket, key, bucket, key, { ...o, metadata, metadataDirective: 'REPLACE' });
  }
  /** OSS, OBS: appends at `position` (0 creates an appendable object). */
  appendObject(bucket: string, key: string, position: number, body: BodyInput, o?: WriteOptions & { previousCrc64?: string }): Promise<AppendResult> {
    return this.dialect.appendObject(bucket, key, position, body, o);
  }
  /** OSS symlinks. */
  putSymlink(bucket: string, key: string, target: string, o?: WriteOptions): Promise<void> {
    return this.dialect.putSymlink(bucket, key, target, o);
  }
  getSymlink(bucket: string, key: string, o?: { versionId?: string } & Signal): Promise<string> {
    return this.dialect.getSymlink(bucket, key, o);
  }

  // ---------------------------------------------------------------- multipart primitives

  createMultipartUpload(bucket: string, key: string, o?: WriteOptions): Promise<string> {
    return this.dialect.createMultipartUpload(bucket, key, o);
  }
  uploadPart(bucket: string, key: string, uploadId: string, partNumber: number, body: BodyInput, o?: UploadPartOptions): Promise<UploadPartResult> {
    return this.dialect.uploadPart(bucket, key, uploadId, partNumber, body, o);
  }
  uploadPartCopy(
    srcBucket: string,
    srcKey: string,
    bucket: string,
    key: string,
    uploadId: string,
    partNumber: number,
    o?: { range?: { start: number; end: number }; sourceVersionId?: string } & Signal,
  ): Promise<UploadPartResult> {
    return this.dialect.uploadPartCopy(srcBucket, srcKey, bucket, key, uploadId, partNumber, o);
  }
  completeMultipartUpload(bucket: string, key: string, uploadId: string, parts: CompletedPart[], o?: { ifMatch?: string; ifNoneMatch?: string } & Signal): Promise<PutResult> {
    return this.dialect.completeMultipartUpload(bucket, key, uploadId, parts, o);
  }
  abortMultipartUpload(bucket: string, key: string, uploadId: string, o?: Signal): Promise<void> {
    return this.dialect.abortMultipartUpload(bucket, key, uploadId, o);
  }

  // ---------------------------------------------------------------- listings

  /** Objects (and, with a delimiter, common prefixes as `{ key, isPrefix: true }`), in key order, paging as needed. */
  listObjects(bucket: string, o?: ListObjectsOptions): AsyncGenerator<listing.ListEntry> {
    return listing.listObjects(this.dialect, bucket, o);
  }
  listObjectVersions(bucket: string, o?: ListVersionsOptions): AsyncGenerator<listing.VersionEntry> {
    return listing.listObjectVersions(this.dialect, bucket, o);
  }
  listMultipartUploads(bucket: string, o?: ListUploadsOptions): AsyncGenerator<listing.UploadEntry> {
    return listing.listMultipartUploads(this.dialect, bucket, o);
  }
  listParts(bucket: string, key: string, uploadId: string, o?: ListPartsOptions) {
    return listing.listParts(this.dialect, bucket, key, uploadId, o);
  }

  // ---------------------------------------------------------------- versioning, tagging, ACL

  getBucketVersioning(bucket: string, o?: Signal): Promise<VersioningStatus | undefined> {
    return this.dialect.getBucketVersioning(bucket, o);
  }
  putBucketVersioning(bucket: string, status: VersioningStatus, o?: Signal): Promise<void> {
    return this.dialect.putBucketVersioning(bucket, status, o);
  }
  getObjectTagging(bucket: string, key: string, o?: { versionId?: string } & Signal): Promise<Record<string, string>> {
    return this.dialect.getObjectTagging(bucket, key, o);
  }
  putObjectTagging(bucket: string, key: string, tags: Record<string, string>, o?: { versionId?: string } & Signal): Promise<void> {
    return this.dialect.putObjectTagging(bucket, key, tags, o);
  }
  deleteObjectTagging(bucket: string, key: string, o?: { versionId?: string } & Signal): Promise<void> {
    return this.dialect.deleteObjectTagging(bucket, key, o);
  }
  getBucketTagging(bucket: string, o?: Signal): Promise<Record<string, string>> {
    return this.dialect.getBucketTagging(bucket, o);
  }
  putBucketTagging(bucket: string, tags: Record<string, string>, o?: Signal): Promise<void> {
    return this.dialect.putBucketTagging(bucket, tags, o);
  }
  deleteBucketTagging(bucket: string, o?: Signal): Promise<void> {
    return this.dialect.deleteBucketTagging(bucket, o);
  }
  getObjectAcl(bucket: string, key: string, o?: { versionId?: string } & Signal): Promise<AccessControlPolicy> {
    return this.dialect.getObjectAcl(bucket, key, o);
  }
  putObjectAcl(bucket: string, key: string, acl: CannedAcl | AccessControlPolicy, o?: { versionId?: string } & Signal): Promise<void> {
    return this.dialect.putObjectAcl(bucket, key, acl, o);
  }
  getBucketAcl(bucket: string, o?: Signal): Promise<AccessControlPolicy> {
    return this.dialect.getBucketAcl(bucket, o);
  }
  putBucketAcl(bucket: string, acl: CannedAcl | AccessControlPolicy, o?: Signal): Promise<void> {
    return this.dialect.putBucketAcl(bucket, acl, o);
  }

  // ---------------------------------------------------------------- signed URLs and forms

  /** A URL anyone can use until it expires (GET by default; PUT, DELETE, HEAD, sub-resources through `query`). */
  presignUrl(bucket: string | undefined, key: string | undefined, o?: PresignOptions): Promise<string> {
    return this.dialect.presignUrl(bucket, key, o);
  }
  /** The form fields of a browser POST upload (S3, OSS, OBS). */
  createPostPolicy(bucket: string, o: PostPolicyOptions): Promise<PostPolicy> {
    return this.dialect.createPostPolicy(bucket, o);
  }

  // ---------------------------------------------------------------- transfer manager

  /** Resumable, parallel, verified upload of a local file (see transfer/upload-file.ts). */
  uploadFile(bucket: string, key: string, file: string, o?: UploadFileOptions): Promise<UploadFileResult> {
    return this.dialect.uploadFile ? this.dialect.uploadFile(bucket, key, file, o) : uploadFile(this.dialect, bucket, key, file, o);
  }
  /** Resumable, parallel, verified download to a local file (see transfer/download-file.ts). */
  downloadFile(bucket: string, key: string, file: string, o?: DownloadFileOptions): Promise<DownloadFileResult> {
    return downloadFile(this.dialect, bucket, key, file, o);
  }
}
