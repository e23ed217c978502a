/**
 * The operations of the S3-family dialects (S3, OSS, OBS in both signature
 * modes) written once over XmlWire; a profile (dialects/s3.ts, oss.ts,
 * obs.ts) gives the header prefix, signer and the few places the protocols
 * differ (bucket creation body, ACL headers, append, symlinks, listing V1/V2).
 */
import type { Readable } from 'node:stream';
import { awsUriEncode } from '../../auth/uri.js';
import { crc64 } from '../../digest/crc64.js';
import { md5Base64, prepareBody, type PreparedBody } from '../body.js';
import { clientError, StratusError } from '../errors.js';
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
import { parseXml, text } from '../xml.js';
import { Dialect, type CreateBucketOptions, type DialectContext, type MultipartLimits, type Signal } from './dialect.js';
import * as bodies from './xml-bodies.js';
import { unquote, XmlWire, type QueryPairs, type XmlProfile } from './xml-wire.js';

export interface XmlDialectProfile extends XmlProfile {
  multipart: MultipartLimits;
  listObjectsVersion: 1 | 2;
  /** Ask for url-encoded keys in listings. */
  encodingTypeUrl: boolean;
  /** Body element for createBucket's region / storage class. */
  createBucketElement: 'LocationConstraint' | 'Location' | 'StorageClass';
  /** The region that needs no location constraint (S3's us-east-1). */
  defaultRegion?: string;
  bucketAclHeader: string;
  objectAclHeader: string;
  aclGrantForm: 'xsi' | 'obs';
  append: boolean;
  symlink: boolean;
  /** Page size of ListBuckets (OSS pages it); undefined: one request. */
  listBucketsPageSize?: number;
  /** Object tagging on PUT / copy / initiate via the `<prefix>tagging` header. */
  taggingHeader: boolean;
}

/** Content-MD5 to send: given, computed (default for in-memory bodies), or none. */
async function contentMd5(body: PreparedBody, opt: boolean | string | undefined): Promise<string | undefined> {
  if (typeof opt === 'string') return opt;
  if (opt === false) return undefined;
  if (opt === true || body.buffer) return body.md5();
  return undefined;
}

function tagQuery(tags: Record<string, string>): string {
  return Object.entries(tags)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');
}

function httpDate(d: Date): string {
  return d.toUTCString();
}

export class XmlDialect extends Dialect {
  readonly wire: XmlWire;
  readonly multipart: MultipartLimits;

  constructor(
    ctx: DialectContext,
    readonly profile: XmlDialectProfile,
  ) {
    super(ctx);
    this.wire = new XmlWire(ctx, profile);
    this.multipart = profile.multipart;
  }

  isNotFound(e: StratusError): boolean {
    return e.status === 404;
  }

  protected get p(): string {
    return this.profile.prefix;
  }

  /** Headers for a write (PUT, initiate, copy with REPLACE, append). */
  protected writeHeaders(o: WriteOptions, forCopy = false): Record<string, string> {
    const h: Record<string, string> = {};
    if (o.contentType) h['content-type'] = o.contentType;
    if (o.cacheControl) h['cache-control'] = o.cacheControl;
    if (o.contentDisposition) h['content-disposition'] = o.contentDisposition;
    if (o.contentEncoding) h['content-encoding'] = o.contentEncoding;
    if (o.contentLanguage) h['content-language'] = o.contentLanguage;
    if (o.expires) h['expires'] = o.expires;
    for (const [k, v] of Object.entries(o.metadata ?? {})) h[this.profile.metaPrefix + k.toLowerCase()] = v;
    if (!forCopy) {
      if (o.ifMatch) h['if-match'] = o.ifMatch;
      if (o.ifNoneMatch) h['if-none-match'] = o.ifNoneMatch;
    }
    if (o.acl) h[this.profile.objectAclHeader] = o.acl;
    if (o.storageClass) h[this.p + 'storage-class'] = o.storageClass;
    if (o.tags && Object.keys(o.tags).length) {
      if (!this.profile.taggingHeader) throw clientError(this.name, 'NotSupported', `tags on write are not available in the ${this.name} dialect`);
      h[this.p + 'tagging'] = tagQuery(o.tags);
    }
    Object.assign(h, o.headers ?? {});
    return h;
  }

  /** Checks the CRC-64 the server reports (OSS) against the bytes sent, when they are in memory. */
  protected checkCrc(body: PreparedBody, reported: string | undefined, what: string, previous?: bigint): void {
    if (!reported || !body.buffer) return;
    const mine = crc64('ecma182', body.buffer, previous ?? 0n).toString();
    if (mine !== reported) {
      throw clientError(this.name, 'IntegrityError', `${what}: the server's CRC-64 ${reported} differs from the data sent (${mine})`);
    }
  }

  // ---------------------------------------------------------------- buckets

  override async listBuckets(o: Signal = {}): Promise<BucketInfo[]> {
    const out: BucketInfo[] = [];
    let marker: string | undefined;
    for (;;) {
      const query: QueryPairs = [];
      if (this.profile.listBucketsPageSize) {
        query.push(['max-keys', String(this.profile.listBucketsPageSize)]);
        if (marker) query.push(['marker', marker]);
      }
      const { body } = await this.wire.sendForBody({ method: 'GET', query, signal: o.signal });
      const page = bodies.parseBuckets(body);
      out.push(...page.buckets);
      if (!this.profile.listBucketsPageSize || !page.truncated || !page.nextMarker) return out;
      marker = page.nextMarker;
    }
  }

  override async createBucket(bucket: string, o: CreateBucketOptions = {}): Promise<void> {
    const headers: Record<string, string> = {};
    if (o.acl) headers[this.profile.bucketAclHeader] = o.acl;
    let xml: string | undefined;
    const el = this.profile.createBucketElement;
    if (el === 'StorageClass') {
      if (o.storageClass) xml = bodies.createBucketBody('StorageClass', o.storageClass);
    } else {
      const region = o.region ?? this.ctx.region;
      if (region && region !== this.profile.defaultRegion) xml = bodies.createBucketBody(el, region);
      if (o.storageClass) headers[this.p + 'storage-class'] = o.storageClass;
    }
    if (xml) headers['content-type'] = 'application/xml';
    await this.wire.sendAndDrain({ method: 'PUT', bucket, headers, body: xml ? await prepareBody(this.name, xml) : undefined, signal: o.signal });
  }

  override async deleteBucket(bucket: string, o: Signal = {}): Promise<void> {
    await this.wire.sendAndDrain({ method: 'DELETE', bucket, signal: o.signal });
  }

  override async headBucket(bucket: string, o: Signal = {}): Promise<void> {
    try {
      await this.wire.sendAndDrain({ method: 'HEAD', bucket, signal: o.signal });
    } catch (e) {
      throw renameBodiless(e, 'NoSuchBucket', `The specified bucket ${bucket} does not exist`);
    }
  }

  override async getBucketLocation(bucket: string, o: Signal = {}): Promise<string> {
    const { body } = await this.wire.sendForBody({ method: 'GET', bucket, query: [['location', undefined]], signal: o.signal });
    return bodies.parseLocation(body);
  }

  // ---------------------------------------------------------------- objects

  override async putObject(bucket: string, key: string, input: BodyInput, o: WriteOptions = {}): Promise<PutResult> {
    const body = await prepareBody(this.name, input);
    if (body.length === undefined && o.contentLength !== undefined) body.length = o.contentLength;
    const headers = this.writeHeaders(o);
    const md5 = await contentMd5(body, o.contentMd5);
    if (md5) headers['content-md5'] = md5;
    const res = await this.wire.sendAndDrain({ method: 'PUT', bucket, key, headers, body, signal: o.signal });
    const crc = res.headers[this.p + 'hash-crc64ecma'] as string | undefined;
    this.checkCrc(body, crc, `PUT ${key}`);
    return {
      etag: unquote(res.headers.etag),
      versionId: res.headers[this.p + 'version-id'] as string | undefined,
      crc64: crc,
      requestId: this.wire.requestId(res.headers),
    };
  }

  protected readQuery(o: GetOptions): QueryPairs {
    const q: QueryPairs = [];
    if (o.partNumber) q.push(['partNumber', String(o.partNumber)]);
    for (const [k, v] of Object.entries(o.responseHeaders ?? {})) if (v !== undefined) q.push([`response-${k}`, v]);
    if (o.versionId) q.push(['versionId', o.versionId]);
    return q;
  }

  protected readHeaders(o: GetOptions): Record<string, string> {
    const h: Record<string, string> = {};
    if (o.range) h['range'] = `bytes=${o.range.start}-${o.range.end ?? ''}`;
    if (o.ifMatch) h['if-match'] = o.ifMatch;
    if (o.ifNoneMatch) h['if-none-match'] = o.ifNoneMatch;
    if (o.ifModifiedSince) h['if-modified-since'] = httpDate(o.ifModifiedSince);
    if (o.ifUnmodifiedSince) h['if-unmodified-since'] = httpDate(o.ifUnmodifiedSince);
    if (o.checksumMode && this.name === 's3') h['x-amz-checksum-mode'] = 'ENABLED';
    return h;
  }

  override async getObject(bucket: string, key: string, o: GetOptions = {}): Promise<GetResult> {
    let res;
    try {
      res = await this.wire.send({ method: 'GET', bucket, key, query: this.readQuery(o), headers: this.readHeaders(o), signal: o.signal });
    } catch (e) {
      throw renameBodiless(e, 'NotModified', 'Not Modified', 304);
    }
    let range: GetResult['range'];
    const cr = res.headers['content-range'];
    const m = cr ? /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(cr) : null;
    if (res.status === 206 && m) range = { start: Number(m[1]), end: Number(m[2]), total: m[3] === '*' ? -1 : Number(m[3]) };
    const info = this.wire.objectInfo(key, res.headers, range && range.total >= 0 ? range.total : undefined);
    return { ...info, body: res.body as Readable, range };
  }

  override async headObject(bucket: string, key: string, o: GetOptions = {}): Promise<ObjectInfo> {
    let res;
    try {
      res = await this.wire.sendAndDrain({ method: 'HEAD', bucket, key, query: this.readQuery(o), headers: this.readHeaders(o), signal: o.signal });
    } catch (e) {
      throw renameBodiless(e, 'NoSuchKey', `The specified key ${key} does not exist`);
    }
    return this.wire.objectInfo(key, res.headers);
  }

  override async deleteObject(bucket: string, key: string, o: { versionId?: string; ifMatch?: string } & Signal = {}): Promise<DeleteResult> {
    const headers: Record<string, string> = {};
    if (o.ifMatch) headers['if-match'] = o.ifMatch;
    const res = await this.wire.sendAndDrain({
      method: 'DELETE',
      bucket,
      key,
      query: o.versionId ? [['versionId', o.versionId]] : [],
      headers,
      signal: o.signal,
    });
    return {
      versionId: res.headers[this.p + 'version-id'] as string | undefined,
      deleteMarker: res.headers[this.p + 'delete-marker'] === 'true' ? true : undefined,
      requestId: this.wire.requestId(res.headers),
    };
  }

  override async deleteObjects(bucket: string, objects: ObjectIdentifier[], o: { quiet?: boolean } & Signal = {}): Promise<BatchDeleteResult> {
    const out: BatchDeleteResult = { deleted: [], errors: [] };
    for (let i = 0; i < objects.length; i += 1000) {
      const xml = bodies.deleteObjectsBody(objects.slice(i, i + 1000), o.quiet ?? false);
      const body = await prepareBody(this.name, xml);
      const query: QueryPairs = [['delete', undefined]];
      if (this.profile.encodingTypeUrl) query.push(['encoding-type', 'url']);
      const { body: answer } = await this.wire.sendForBody({
        method: 'POST',
        bucket,
        query,
        headers: { 'content-md5': (await body.md5())!, 'content-type': 'application/xml' },
        body,
        signal: o.signal,
      });
      const r = bodies.parseDeleteResult(answer);
      out.deleted.push(...r.deleted);
      out.errors.push(...r.errors);
    }
    return out;
  }

  protected copySource(bucket: string, key: string, versionId?: string): string {
    return `/${bucket}/${awsUriEncode(key, false)}` + (versionId ? `?versionId=${encodeURIComponent(versionId)}` : '');
  }

  override async copyObject(srcBucket: string, srcKey: string, bucket: string, key: string, o: CopyOptions = {}): Promise<PutResult> {
    const directive = o.metadataDirective ?? (o.metadata || o.contentType ? 'REPLACE' : 'COPY');
    const headers = this.writeHeaders(directive === 'REPLACE' ? o : { acl: o.acl, storageClass: o.storageClass, tags: o.tags, headers: o.headers }, true);
    headers[this.p + 'copy-source'] = this.copySource(srcBucket, srcKey, o.sourceVersionId);
    headers[this.p + 'metadata-directive'] = directive;
    if (o.sourceIfMatch) headers[this.p + 'copy-source-if-match'] = o.sourceIfMatch;
    if (o.sourceIfNoneMatch) headers[this.p + 'copy-source-if-none-match'] = o.sourceIfNoneMatch;
    if (o.ifMatch) headers['if-match'] = o.ifMatch;
    if (o.ifNoneMatch) headers['if-none-match'] = o.ifNoneMatch;
    const { res, body } = await this.wire.sendForBody({ method: 'PUT', bucket, key, headers, signal: o.signal });
    const doc = this.okDocument(body, res.status, res.headers);
    return {
      etag: unquote(text(doc, 'ETag')),
      versionId: res.headers[this.p + 'version-id'] as string | undefined,
      crc64: res.headers[this.p + 'hash-crc64ecma'] as string | undefined,
      requestId: this.wire.requestId(res.headers),
    };
  }

  /** A 200 answer's document; S3 may send an <Error> with 200 on copy and complete. */
  protected okDocument(body: Buffer, status: number, headers: import('node:http').IncomingHttpHeaders) {
    const err = parseXml(body, 'Error');
    if (err) {
      throw new StratusError({
        dialect: this.name,
        code: text(err, 'Code') ?? 'InternalError',
        message: text(err, 'Message') ?? 'the server reported an error',
        status: status === 200 ? 500 : status,
        requestId: text(err, 'RequestId') ?? this.wire.requestId(headers),
        headers,
      });
    }
    return parseXml(body);
  }

  override async appendObject(bucket: string, key: string, position: number, input: BodyInput, o: WriteOptions & { previousCrc64?: string } = {}): Promise<AppendResult> {
    if (!this.profile.append) this.unsupported('appendObject');
    const body = await prepareBody(this.name, input);
    const headers = this.writeHeaders(o);
    const md5 = await contentMd5(body, o.contentMd5);
    if (md5) headers['content-md5'] = md5;
    const res = await this.wire.sendAndDrain({
      method: 'POST',
      bucket,
      key,
      query: [
        ['append', undefined],
        ['position', String(position)],
      ],
      headers,
      body,
      signal: o.signal,
    });
    const crc = res.headers[this.p + 'hash-crc64ecma'] as string | undefined;
    if (o.previousCrc64 !== undefined || position === 0) this.checkCrc(body, crc, `append to ${key}`, BigInt(o.previousCrc64 ?? '0'));
    return {
      etag: unquote(res.headers.etag),
      nextPosition: Number(res.headers[this.p + 'next-append-position']),
      crc64: crc,
      versionId: res.headers[this.p + 'version-id'] as string | undefined,
      requestId: this.wire.requestId(res.headers),
    };
  }

  override async putSymlink(bucket: string, key: string, target: string, o: WriteOptions = {}): Promise<void> {
    if (!this.profile.symlink) this.unsupported('putSymlink');
    const headers = this.writeHeaders(o);
    headers[this.p + 'symlink-target'] = encodeURIComponent(target);
    await this.wire.sendAndDrain({ method: 'PUT', bucket, key, query: [['symlink', undefined]], headers, signal: o.signal });
  }

  override async getSymlink(bucket: string, key: string, o: { versionId?: string } & Signal = {}): Promise<string> {
    if (!this.profile.symlink) this.unsupported('getSymlink');
    const query: QueryPairs = [['symlink', undefined]];
    if (o.versionId) query.push(['versionId', o.versionId]);
    const res = await this.wire.sendAndDrain({ method: 'GET', bucket, key, query, signal: o.signal });
    return decodeURIComponent(String(res.headers[this.p + 'symlink-target'] ?? ''));
  }

  // ---------------------------------------------------------------- multipart

  override async createMultipartUpload(bucket: string, key: string, o: WriteOptions = {}): Promise<string> {
    const headers = this.writeHeaders(o);
    const { body } = await this.wire.sendForBody({ method: 'POST', bucket, key, query: [['uploads', undefined]], headers, signal: o.signal });
    const id = text(parseXml(body, 'InitiateMultipartUploadResult'), 'UploadId');
    if (!id) throw clientError(this.name, 'InvalidResponse', 'the server returned no UploadId');
    return id;
  }

  override async uploadPart(bucket: string, key: string, uploadId: string, partNumber: number, input: BodyInput, o: UploadPartOptions = {}): Promise<UploadPartResult> {
    const body = await prepareBody(this.name, input);
    if (body.length === undefined && o.contentLength !== undefined) body.length = o.contentLength;
    const headers: Record<string, string> = {};
    const md5 = await contentMd5(body, o.contentMd5 ?? true);
    if (md5) headers['content-md5'] = md5;
    const res = await this.wire.sendAndDrain({
      method: 'PUT',
      bucket,
      key,
      query: [
        ['partNumber', String(partNumber)],
        ['uploadId', uploadId],
      ],
      headers,
      body,
      signal: o.signal,
    });
    const etag = unquote(res.headers.etag);
    if (md5 && this.multipart.partEtagIsMd5 && etag && etag.toLowerCase() !== Buffer.from(md5, 'base64').toString('hex')) {
      throw clientError(this.name, 'IntegrityError', `part ${partNumber}: the server's ETag ${etag} is not the MD5 of the data sent`);
    }
    const crc = res.headers[this.p + 'hash-crc64ecma'] as string | undefined;
    this.checkCrc(body, crc, `part ${partNumber}`);
    return { etag, crc64: crc };
  }

  override async uploadPartCopy(
    srcBucket: string,
    srcKey: string,
    bucket: string,
    key: string,
    uploadId: string,
    partNumber: number,
    o: { range?: { start: number; end: number }; sourceVersionId?: string } & Signal = {},
  ): Promise<UploadPartResult> {
    const headers: Record<string, string> = { [this.p + 'copy-source']: this.copySource(srcBucket, srcKey, o.sourceVersionId) };
    if (o.range) headers[this.p + 'copy-source-range'] = `bytes=${o.range.start}-${o.range.end}`;
    const { res, body } = await this.wire.sendForBody({
      method: 'PUT',
      bucket,
      key,
      query: [
        ['partNumber', String(partNumber)],
        ['uploadId', uploadId],
      ],
      headers,
      signal: o.signal,
    });
    const doc = this.okDocument(body, res.status, res.headers);
    return { etag: unquote(text(doc, 'ETag') ?? (res.headers.etag as string | undefined)) };
  }

  override async completeMultipartUpload(
    bucket: string,
    key: string,
    uploadId: string,
    parts: CompletedPart[],
    o: { ifMatch?: string; ifNoneMatch?: string } & Signal = {},
  ): Promise<PutResult> {
    const body = await prepareBody(this.name, bodies.completeBody(parts));
    const headers: Record<string, string> = { 'content-type': 'application/xml' };
    if (o.ifMatch) headers['if-match'] = o.ifMatch;
    if (o.ifNoneMatch) headers['if-none-match'] = o.ifNoneMatch;
    const { res, body: answer } = await this.wire.sendForBody({
      method: 'POST',
      bucket,
      key,
      query: [['uploadId', uploadId]],
      headers,
      body,
      signal: o.signal,
    });
    const doc = this.okDocument(answer, res.status, res.headers);
    return {
      etag: unquote(text(doc, 'ETag') ?? (res.headers.etag as string | undefined)),
      versionId: res.headers[this.p + 'version-id'] as string | undefined,
      crc64: res.headers[this.p + 'hash-crc64ecma'] as string | undefined,
      requestId: this.wire.requestId(res.headers),
    };
  }

  override async abortMultipartUpload(bucket: string, key: string, uploadId: string, o: Signal = {}): Promise<void> {
    await this.wire.sendAndDrain({ method: 'DELETE', bucket, key, query: [['uploadId', uploadId]], signal: o.signal });
  }

  // ---------------------------------------------------------------- listing

  override async listObjectsPage(bucket: string, o: ListObjectsOptions & { token?: string }): Promise<ObjectsPage> {
    const v2 = this.profile.listObjectsVersion === 2;
    const q: QueryPairs = [];
    if (v2) q.push(['list-type', '2']);
    if (o.prefix) q.push(['prefix', o.prefix]);
    if (o.delimiter) q.push(['delimiter', o.delimiter]);
    if (v2) {
      if (o.token) q.push(['continuation-token', o.token]);
      else if (o.startAfter) q.push(['start-after', o.startAfter]);
    } else if (o.token ?? o.startAfter) q.push(['marker', (o.token ?? o.startAfter)!]);
    q.push(['max-keys', String(o.pageSize ?? 1000)]);
    if (this.profile.encodingTypeUrl) q.push(['encoding-type', 'url']);
    const { body } = await this.wire.sendForBody({ method: 'GET', bucket, query: q, signal: o.signal });
    return bodies.parseObjectsPage(body, this.profile.listObjectsVersion);
  }

  override async listVersionsPage(bucket: string, o: ListVersionsOptions): Promise<VersionsPage> {
    const q: QueryPairs = [['versions', undefined]];
    if (o.prefix) q.push(['prefix', o.prefix]);
    if (o.delimiter) q.push(['delimiter', o.delimiter]);
    if (o.keyMarker) q.push(['key-marker', o.keyMarker]);
    if (o.versionIdMarker) q.push(['version-id-marker', o.versionIdMarker]);
    q.push(['max-keys', String(o.pageSize ?? 1000)]);
    if (this.profile.encodingTypeUrl) q.push(['encoding-type', 'url']);
    const { body } = await this.wire.sendForBody({ method: 'GET', bucket, query: q, signal: o.signal });
    return bodies.parseVersionsPage(body);
  }

  override async listUploadsPage(bucket: string, o: ListUploadsOptions): Promise<UploadsPage> {
    const q: QueryPairs = [['uploads', undefined]];
    if (o.prefix) q.push(['prefix', o.prefix]);
    if (o.delimiter) q.push(['delimiter', o.delimiter]);
    if (o.keyMarker) q.push(['key-marker', o.keyMarker]);
    if (o.uploadIdMarker) q.push(['upload-id-marker', o.uploadIdMarker]);
    q.push(['max-uploads', String(o.pageSize ?? 1000)]);
    if (this.profile.encodingTypeUrl) q.push(['encoding-type', 'url']);
    const { body } = await this.wire.sendForBody({ method: 'GET', bucket, query: q, signal: o.signal });
    return bodies.parseUploadsPage(body);
  }

  override async listPartsPage(bucket: string, key: string, uploadId: string, o: ListPartsOptions): Promise<PartsPage> {
    const q: QueryPairs = [['uploadId', uploadId]];
    if (o.partNumberMarker) q.push(['part-number-marker', String(o.partNumberMarker)]);
    q.push(['max-parts', String(o.pageSize ?? 1000)]);
    const { body } = await this.wire.sendForBody({ method: 'GET', bucket, key, query: q, signal: o.signal });
    return bodies.parsePartsPage(body);
  }

  // ---------------------------------------------------------------- versioning, tagging, ACL

  override async getBucketVersioning(bucket: string, o: Signal = {}): Promise<VersioningStatus | undefined> {
    const { body } = await this.wire.sendForBody({ method: 'GET', bucket, query: [['versioning', undefined]], signal: o.signal });
    return bodies.parseVersioning(body);
  }

  override async putBucketVersioning(bucket: string, status: VersioningStatus, o: Signal = {}): Promise<void> {
    await this.putXml(bucket, undefined, [['versioning', undefined]], bodies.versioningBody(status), o.signal);
  }

  protected async putXml(bucket: string, key: string | undefined, query: QueryPairs, xml: string, signal?: AbortSignal, method = 'PUT'): Promise<void> {
    const body = await prepareBody(this.name, xml);
    await this.wire.sendAndDrain({
      method,
      bucket,
      key,
      query,
      headers: { 'content-type': 'application/xml', 'content-md5': md5Base64(body.buffer!) },
      body,
      signal,
    });
  }

  protected versionQuery(sub: string, versionId?: string): QueryPairs {
    const q: QueryPairs = [[sub, undefined]];
    if (versionId) q.push(['versionId', versionId]);
    return q;
  }

  override async getObjectTagging(bucket: string, key: string, o: { versionId?: string } & Signal = {}): Promise<Record<string, string>> {
    const { body } = await this.wire.sendForBody({ method: 'GET', bucket, key, query: this.versionQuery('tagging', o.versionId), signal: o.signal });
    return bodies.parseTagging(body);
  }

  override async putObjectTagging(bucket: string, key: string, tags: Record<string, string>, o: { versionId?: string } & Signal = {}): Promise<void> {
    await this.putXml(bucket, key, this.versionQuery('tagging', o.versionId), bodies.taggingBody(tags), o.signal);
  }

  override async deleteObjectTagging(bucket: string, key: string, o: { versionId?: string } & Signal = {}): Promise<void> {
    await this.wire.sendAndDrain({ method: 'DELETE', bucket, key, query: this.versionQuery('tagging', o.versionId), signal: o.signal });
  }

  override async getBucketTagging(bucket: string, o: Signal = {}): Promise<Record<string, string>> {
    const { body } = await this.wire.sendForBody({ method: 'GET', bucket, query: [['tagging', undefined]], signal: o.signal });
    return bodies.parseTagging(body);
  }

  override async putBucketTagging(bucket: string, tags: Record<string, string>, o: Signal = {}): Promise<void> {
    await this.putXml(bucket, undefined, [['tagging', undefined]], bodies.taggingBody(tags), o.signal);
  }

  override async deleteBucketTagging(bucket: string, o: Signal = {}): Promise<void> {
    await this.wire.sendAndDrain({ method: 'DELETE', bucket, query: [['tagging', undefined]], signal: o.signal });
  }

  override async getObjectAcl(bucket: string, key: string, o: { versionId?: string } & Signal = {}): Promise<AccessControlPolicy> {
    const { body } = await this.wire.sendForBody({ method: 'GET', bucket, key, query: this.versionQuery('acl', o.versionId), signal: o.signal });
    return bodies.parseAcl(body);
  }

  override async putObjectAcl(bucket: string, key: string, acl: CannedAcl | AccessControlPolicy, o: { versionId?: string } & Signal = {}): Promise<void> {
    await this.putAcl(bucket, key, this.profile.objectAclHeader, acl, this.versionQuery('acl', o.versionId), o.signal);
  }

  override async getBucketAcl(bucket: string, o: Signal = {}): Promise<AccessControlPolicy> {
    const { body } = await this.wire.sendForBody({ method: 'GET', bucket, query: [['acl', undefined]], signal: o.signal });
    return bodies.parseAcl(body);
  }

  override async putBucketAcl(bucket: string, acl: CannedAcl | AccessControlPolicy, o: Signal = {}): Promise<void> {
    await this.putAcl(bucket, undefined, this.profile.bucketAclHeader, acl, [['acl', undefined]], o.signal);
  }

  protected async putAcl(bucket: string, key: string | undefined, header: string, acl: CannedAcl | AccessControlPolicy, query: QueryPairs, signal?: AbortSignal) {
    if (typeof acl === 'string') {
      await this.wire.sendAndDrain({ method: 'PUT', bucket, key, query, headers: { [header]: acl }, signal });
      return;
    }
    await this.putXml(bucket, key, query, bodies.aclBody(acl, this.profile.aclGrantForm), signal);
  }

  // ---------------------------------------------------------------- signed URLs and forms

  override async presignUrl(bucket: string | undefined, key: string | undefined, o: PresignOptions = {}): Promise<string> {
    const query: QueryPairs = [];
    if (o.versionId) query.push(['versionId', o.versionId]);
    for (const [k, v] of Object.entries(o.query ?? {})) query.push([k, v === '' ? undefined : v]);
    const { url, virtualHostBucket } = this.wire.url(bucket, key, query);
    return this.profile.presign({
      method: (o.method ?? 'GET').toUpperCase(),
      url,
      bucket,
      key,
      virtualHostBucket,
      credentials: await this.ctx.credentials(),
      region: this.ctx.region,
      expiresSeconds: o.expiresSeconds ?? 3600,
      headers: o.headers,
    });
  }

  override async createPostPolicy(bucket: string, o: PostPolicyOptions): Promise<PostPolicy> {
    const { url } = this.wire.url(bucket);
    return this.profile.postPolicy({
      ...o,
      bucket,
      url,
      credentials: await this.ctx.credentials(),
      region: this.ctx.region,
      expiration: new Date(Date.now() + (o.expiresSeconds ?? 3600) * 1000),
    });
  }
}

/**
 * A bodiless answer (HEAD, 304) has only a status: give it the code the
 * operation implies (NoSuchKey for a missing object, NoSuchBucket...).
 */
function renameBodiless(e: unknown, code: string, message: string, onlyStatus = 404): unknown {
  if (!(e instanceof StratusError) || e.status !== onlyStatus) return e;
  if (!['NotFound', 'NotModified'].includes(e.code)) return e;
  return new StratusError({
    dialect: e.dialect,
    code,
    message,
    status: e.status,
    requestId: e.requestId,
    hostId: e.hostId,
    details: e.details,
    headers: e.headers,
  });
}
