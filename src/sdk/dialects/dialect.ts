/**
 * What every dialect implements: the client's operations in neutral terms.
 * The base class answers NotSupported for each one, so a dialect overrides
 * what its protocol has (COS v4 has no buckets API, S3 has no append...).
 */
import type { CredentialSource } from '../credentials.js';
import { clientError, type DialectName, type StratusError } from '../errors.js';
import type { HttpClient } from '../http.js';
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
  ObjectsPage,
  PartsPage,
  PostPolicy,
  PostPolicyOptions,
  PresignOptions,
  PutResult,
  UploadPartOptions,
  UploadPartResult,
  UploadsPage,
  VersioningStatus,
  VersionsPage,
  WriteOptions,
} from '../types.js';
import type { ListEntry } from '../listing.js';
import type { UploadFileOptions, UploadFileResult } from '../transfer/upload-file.js';

export interface DialectContext {
  name: DialectName;
  endpoint: URL;
  region: string;
  pathStyle: boolean;
  http: HttpClient;
  credentials: CredentialSource;
}

export interface CreateBucketOptions {
  region?: string;
  acl?: CannedAcl;
  storageClass?: string;
  signal?: AbortSignal;
}

export interface Signal {
  signal?: AbortSignal;
}

/** What the transfer manager needs to know about a dialect's multipart rules. */
export interface MultipartLimits {
  minPartSize: number;
  maxPartSize: number;
  maxParts: number;
  /** Whether part ETags are the part's MD5 (checked after each part). */
  partEtagIsMd5: boolean;
}

export abstract class Dialect {
  constructor(readonly ctx: DialectContext) {}

  get name(): DialectName {
    return this.ctx.name;
  }

  abstract readonly multipart: MultipartLimits;

  /** A dialect that lists by walking (COS folders) rather than by pages gives its own iterator. */
  listObjectsIter?(bucket: string, o?: ListObjectsOptions): AsyncGenerator<ListEntry>;

  /** A dialect whose uploads are not S3-style multipart (COS slices) provides its own resumable uploadFile. */
  uploadFile?(bucket: string, key: string, file: string, o?: UploadFileOptions): Promise<UploadFileResult>;

  protected unsupported(op: string): never {
    throw clientError(this.name, 'NotSupported', `${op} is not available in the ${this.name} dialect`);
  }

  /** A not-found error in this dialect's terms (used for HEAD answers with no body). */
  abstract isNotFound(e: StratusError): boolean;

  // ---------------------------------------------------------------- buckets
  async listBuckets(_o?: Signal): Promise<BucketInfo[]> {
    this.unsupported('listBuckets');
  }
  async createBucket(_bucket: string, _o?: CreateBucketOptions): Promise<void> {
    this.unsupported('createBucket');
  }
  async deleteBucket(_bucket: string, _o?: Signal): Promise<void> {
    this.unsupported('deleteBucket');
  }
  async headBucket(_bucket: string, _o?: Signal): Promise<void> {
    this.unsupported('headBucket');
  }
  async getBucketLocation(_bucket: string, _o?: Signal): Promise<string> {
    this.unsupported('getBucketLocation');
  }

  // ---------------------------------------------------------------- objects
  async putObject(_bucket: string, _key: string, _body: BodyInput, _o?: WriteOptions): Promise<PutResult> {
    this.unsupported('putObject');
  }
  async getObject(_bucket: string, _key: string, _o?: GetOptions): Promise<GetResult> {
    this.unsupported('getObject');
  }
  async headObject(_bucket: string, _key: string, _o?: GetOptions): Promise<ObjectInfo> {
    this.unsupported('headObject');
  }
  async deleteObject(_bucket: string, _key: string, _o?: { versionId?: string; ifMatch?: string } & Signal): Promise<DeleteResult> {
    this.unsupported('deleteObject');
  }
  async deleteObjects(_bucket: string, _objects: ObjectIdentifier[], _o?: { quiet?: boolean } & Signal): Promise<BatchDeleteResult> {
    this.unsupported('deleteObjects');
  }
  async copyObject(_srcBucket: string, _srcKey: string, _bucket: string, _key: string, _o?: CopyOptions): Promise<PutResult> {
    this.unsupported('copyObject');
  }
  async appendObject(_bucket: string, _key: string, _position: number, _body: BodyInput, _o?: WriteOptions): Promise<AppendResult> {
    this.unsupported('appendObject');
  }
  async putSymlink(_bucket: string, _key: string, _target: string, _o?: WriteOptions): Promise<void> {
    this.unsupported('putSymlink');
  }
  async getSymlink(_bucket: string, _key: string, _o?: { versionId?: string } & Signal): Promise<string> {
    this.unsupported('getSymlink');
  }

  // ---------------------------------------------------------------- multipart
  async createMultipartUpload(_bucket: string, _key: string, _o?: WriteOptions): Promise<string> {
    this.unsupported('createMultipartUpload');
  }
  async uploadPart(_bucket: string, _key: string, _uploadId: string, _partNumber: number, _body: BodyInput, _o?: UploadPartOptions): Promise<UploadPartResult> {
    this.unsupported('uploadPart');
  }
  async uploadPartCopy(
    _srcBucket: string,
    _srcKey: string,
    _bucket: string,
    _key: string,
    _uploadId: string,
    _partNumber: number,
    _o?: { range?: { start: number; end: number }; sourceVersionId?: string } & Signal,
  ): Promise<UploadPartResult> {
    this.unsupported('uploadPartCopy');
  }
  async completeMultipartUpload(_bucket: string, _key: string, _uploadId: string, _parts: CompletedPart[], _o?: { ifMatch?: string; ifNoneMatch?: string } & Signal): Promise<PutResult> {
    this.unsupported('completeMultipartUpload');
  }
  async abortMultipartUpload(_bucket: string, _key: string, _uploadId: string, _o?: Signal): Promise<void> {
    this.unsupported('abortMultipartUpload');
  }

  // ---------------------------------------------------------------- listing (one page)
  async listObjectsPage(_bucket: string, _o: ListObjectsOptions & { token?: string }): Promise<ObjectsPage> {
    this.unsupported('listObjects');
  }
  async listVersionsPage(_bucket: string, _o: ListVersionsOptions): Promise<VersionsPage> {
    this.unsupported('listObjectVersions');
  }
  async listUploadsPage(_bucket: string, _o: ListUploadsOptions): Promise<UploadsPage> {
    this.unsupported('listMultipartUploads');
  }
  async listPartsPage(_bucket: string, _key: string, _uploadId: string, _o: ListPartsOptions): Promise<PartsPage> {
    this.unsupported('listParts');
  }

  // ---------------------------------------------------------------- versioning, tagging, ACL
  async getBucketVersioning(_bucket: string, _o?: Signal): Promise<VersioningStatus | undefined> {
    this.unsupported('getBucketVersioning');
  }
  async putBucketVersioning(_bucket: string, _status: VersioningStatus, _o?: Signal): Promise<void> {
    this.unsupported('putBucketVersioning');
  }
  async getObjectTagging(_bucket: string, _key: string, _o?: { versionId?: string } & Signal): Promise<Record<string, string>> {
    this.unsupported('getObjectTagging');
  }
  async putObjectTagging(_bucket: string, _key: string, _tags: Record<string, string>, _o?: { versionId?: string } & Signal): Promise<void> {
    this.unsupported('putObjectTagging');
  }
  async deleteObjectTagging(_bucket: string, _key: string, _o?: { versionId?: string } & Signal): Promise<void> {
    this.unsupported('deleteObjectTagging');
  }
  async getBucketTagging(_bucket: string, _o?: Signal): Promise<Record<string, string>> {
    this.unsupported('getBucketTagging');
  }
  async putBucketTagging(_bucket: string, _tags: Record<string, string>, _o?: Signal): Promise<void> {
    this.unsupported('putBucketTagging');
  }
  async deleteBucketTagging(_bucket: string, _o?: Signal): Promise<void> {
    this.unsupported('deleteBucketTagging');
  }
  async getObjectAcl(_bucket: string, _key: string, _o?: { versionId?: string } & Signal): Promise<AccessControlPolicy> {
    this.unsupported('getObjectAcl');
  }
  async putObjectAcl(_bucket: string, _key: string, _acl: CannedAcl | AccessControlPolicy, _o?: { versionId?: string } & Signal): Promise<void> {
    this.unsupported('putObjectAcl');
  }
  async getBucketAcl(_bucket: string, _o?: Signal): Promise<AccessControlPolicy> {
    this.unsupported('getBucketAcl');
  }
  async putBucketAcl(_bucket: string, _acl: CannedAcl | AccessControlPolicy, _o?: Signal): Promise<void> {
    this.unsupported('putBucketAcl');
  }

  // ---------------------------------------------------------------- signed URLs and forms
  async presignUrl(_bucket: string | undefined, _key: string | undefined, _o?: PresignOptions): Promise<string> {
    this.unsupported('presignUrl');
  }
  async createPostPolicy(_bucket: string, _o: PostPolicyOptions): Promise<PostPolicy> {
    this.unsupported('createPostPolicy');
  }
}
