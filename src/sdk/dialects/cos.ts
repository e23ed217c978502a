/**
 * Tencent COS JSON API v4 behind the unified client. The protocol is a
 * file system (folders, files, slice uploads) rather than buckets and
 * objects, so this dialect wraps the project's COS v4 client (sdk/cos) and
 * maps: key <-> cos path "/key", a key ending in "/" <-> a folder, PUT <->
 * upload (overwrite allowed), content headers and metadata <-> the file's
 * custom_headers, ACL <-> authority. Reads go to the download address
 * (signed with sign_download) through the SDK's own HTTP layer. Buckets are
 * made outside the v4 API (the console, or an S3 profile on Stratus).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { IncomingHttpHeaders } from 'node:http';
import { cosEncodePath, signDownload } from '../../auth/cos-v4.js';
import { CosClient, type CosResult } from '../cos/client.js';
import { prepareBody } from '../body.js';
import type { Credentials } from '../credentials.js';
import { abortError, clientError, StratusError } from '../errors.js';
import { readAll } from '../http.js';
import type { UploadFileOptions, UploadFileResult } from '../transfer/upload-file.js';
import { ProgressTracker } from '../transfer/progress.js';
import type {
  AccessControlPolicy,
  BatchDeleteResult,
  BodyInput,
  CannedAcl,
  CopyOptions,
  DeleteResult,
  GetOptions,
  GetResult,
  ListObjectsOptions,
  ListedObject,
  ObjectIdentifier,
  ObjectInfo,
  PresignOptions,
  PutResult,
  WriteOptions,
} from '../types.js';
import type { ListEntry } from '../listing.js';
import { Dialect, type DialectContext, type MultipartLimits, type Signal } from './dialect.js';
import { unquote } from './xml-wire.js';

const MiB = 1024 * 1024;

/** COS v4 codes for "not there": file (-197), path / index (-166). */
const NOT_FOUND = new Set([-197, -166]);
const CONFLICT = new Set([-177, -178, -173]);
/** An upload into a folder that does not exist. */
const PARENT_MISSING = -166;
/** create_folder of a folder that is there. */
const FOLDER_EXISTS = new Set([-177, -178]);

function statusOf(code: number): number {
  if (NOT_FOUND.has(code)) return 404;
  if (CONFLICT.has(code)) return 409;
  if (code <= -61 && code >= -97) return 403;
  if (code === -2) return 500;
  return 400;
}

function cosPath(key: string): string {
  return '/' + key;
}

/** Slice sizes the server accepts (spec §7); the largest not above the wish. */
function sliceSizeFor(wish: number): number {
  const sizes = [512 * 1024, 1 * MiB, 2 * MiB, 3 * MiB];
  return sizes.filter((s) => s <= wish).pop() ?? sizes[0]!;
}

const CANNED_TO_AUTHORITY: Record<string, 'eInvalid' | 'eWRPrivate' | 'eWPrivateRPublic'> = {
  default: 'eInvalid',
  private: 'eWRPrivate',
  'public-read': 'eWPrivateRPublic',
};

export interface CosDialectOptions {
  appid: string;
  /** Where downloads are served (the server's cosDownloadPath, default /cos-download). */
  downloadPath?: string;
}

export class CosDialect extends Dialect {
  readonly multipart: MultipartLimits = { minPartSize: 512 * 1024, maxPartSize: 3 * MiB, maxParts: Number.MAX_SAFE_INTEGER, partEtagIsMd5: false };
  #client?: { creds: Credentials; client: CosClient };

  constructor(
    ctx: DialectContext,
    readonly cosOptions: CosDialectOptions,
  ) {
    super(ctx);
    if (!/^\d+$/.test(cosOptions.appid)) throw clientError('cos', 'InvalidArgument', 'the cos dialect needs the account appid (digits), e.g. appid: 1250000000');
  }

  isNotFound(e: StratusError): boolean {
    return e.notFound;
  }

  get endpoint(): string {
    return this.ctx.endpoint.toString().replace(/\/$/, '');
  }

  /** A COS client with the current credentials (a provider may rotate them). */
  protected async cos(): Promise<CosClient> {
    const creds = await this.ctx.credentials();
    if (this.#client?.creds !== creds) {
      this.#client = {
        creds,
        client: new CosClient({ appid: this.cosOptions.appid, secretId: creds.accessKeyId, secretKey: creds.secretAccessKey, endpoint: this.endpoint, downloadPath: this.cosOptions.downloadPath }),
      };
    }
    return this.#client.client;
  }

  /** The result's data, or a typed error. */
  protected ok(r: CosResult, what: string): Record<string, any> {
    if (r.code === 0) return r.data ?? {};
    if (r.code === -1) throw clientError('cos', 'InvalidArgument', `${what}: ${r.message}`);
    if (r.code === -3) throw clientError('cos', 'NetworkError', `${what}: ${r.message}`);
    throw new StratusError({ dialect: 'cos', code: String(r.code), message: `${what}: ${r.message}`, status: statusOf(r.code), requestId: r.request_id });
  }

  // ---------------------------------------------------------------- buckets

  override async headBucket(bucket: string, _o: Signal = {}): Promise<void> {
    const r = await (await this.cos()).statFolder({ bucket, cosPath: '/' });
    if (r.code !== 0) {
      const e = (() => {
        try {
          this.ok(r, `bucket ${bucket}`);
        } catch (x) {
          return x as StratusError;
        }
      })()!;
      // A bucket that does not exist is refused as a path the account cannot reach.
      throw e.status === 403 || e.status === 404 ? new StratusError({ dialect: 'cos', code: e.code, message: `The specified bucket ${bucket} does not exist or is not yours (${e.message})`, status: 404 }) : e;
    }
  }

  override async getBucketLocation(bucket: string, o: Signal = {}): Promise<string> {
    await this.headBucket(bucket, o);
    return this.ctx.region;
  }

  // ---------------------------------------------------------------- objects

  override async putObject(bucket: string, key: string, input: BodyInput, o: WriteOptions = {}): Promise<PutResult> {
    if (o.signal?.aborted) throw abortError('cos', o.signal);
    const cos = await this.cos();
    if (key.endsWith('/')) {
      this.ok(await cos.createFolder({ bucket, cosPath: cosPath(key) }), `create folder ${key}`);
      return { etag: '' };
    }
    const body = await prepareBody('cos', input);
    const data = body.buffer ?? (await readAll(body.make() as Readable, Number.MAX_SAFE_INTEGER));
    let r = await cos.uploadFile({ bucket, cosPath: cosPath(key), data, insertOnly: 0 });
    if (r.code === PARENT_MISSING) {
      await this.ensureFolders(bucket, key);
      r = await cos.uploadFile({ bucket, cosPath: cosPath(key), data, insertOnly: 0 });
    }
    this.ok(r, `upload ${key}`);
    await this.applyAttributes(bucket, key, o);
    const h = await this.headObject(bucket, key);
    return { etag: h.etag, requestId: h.requestId };
  }

  /**
   * COS files live in folders that must exist; objects elsewhere have no
   * such rule, so the folders of a key are made as needed (an existing
   * folder is fine).
   */
  protected async ensureFolders(bucket: string, key: string): Promise<void> {
    const cos = await this.cos();
    const parts = key.split('/').slice(0, -1);
    for (let i = 1; i <= parts.length; i++) {
      const folder = parts.slice(0, i).join('/') + '/';
      const r = await cos.createFolder({ bucket, cosPath: cosPath(folder) });
      if (r.code !== 0 && !FOLDER_EXISTS.has(r.code)) this.ok(r, `create folder ${folder}`);
    }
  }

  /** Content headers, metadata and ACL of a write go in one update_file. */
  protected async applyAttributes(bucket: string, key: string, o: WriteOptions): Promise<void> {
    const custom: Record<string, unknown> = {};
    if (o.contentType) custom.contentType = o.contentType;
    if (o.cacheControl) custom.cacheControl = o.cacheControl;
    if (o.contentDisposition) custom.contentDisposition = o.contentDisposition;
    if (o.contentLanguage) custom.contentLanguage = o.contentLanguage;
    if (o.contentEncoding) custom.contentEncoding = o.contentEncoding;
    if (o.metadata && Object.keys(o.metadata).length) {
      custom.xCosMeta = Object.fromEntries(Object.entries(o.metadata).map(([k, v]) => [`x-cos-meta-${k.toLowerCase()}`, v]));
    }
    const authority = o.acl ? CANNED_TO_AUTHORITY[o.acl] : undefined;
    if (o.acl && !authority) throw clientError('cos', 'InvalidArgument', `COS files take the ACLs default, private and public-read, not ${o.acl}`);
    if (!Object.keys(custom).length && !authority) return;
    const cos = await this.cos();
    this.ok(await cos.updateFile({ bucket, cosPath: cosPath(key), customHeaders: Object.keys(custom).length ? custom : undefined, authority }), `update ${key}`);
  }

  protected downloadUrl(bucket: string, key: string, expiresSeconds: number, creds: Credentials): string {
    const p = cosPath(key);
    const sign = signDownload({ appid: this.cosOptions.appid, secretId: creds.accessKeyId, secretKey: creds.secretAccessKey }, bucket, p, Math.floor(Date.now() / 1000) + expiresSeconds);
    return `${this.endpoint}${this.cosOptions.downloadPath ?? '/cos-download'}/${bucket}-${this.cosOptions.appid}${cosEncodePath(p)}?sign=${encodeURIComponent(sign)}`;
  }

  protected async download(method: 'GET' | 'HEAD', bucket: string, key: string, o: GetOptions) {
    const creds = await this.ctx.credentials();
    const url = new URL(this.downloadUrl(bucket, key, 600, creds));
    const headers: Record<string, string> = { 'user-agent': 'stratus-sdk (cos)' };
    if (o.range) headers['range'] = `bytes=${o.range.start}-${o.range.end ?? ''}`;
    const res = await this.ctx.http.send(async () => ({ method, url, headers: { ...headers } }), { signal: o.signal });
    if (res.status >= 300) {
      const text = method === 'HEAD' ? '' : (await readAll(res.body, 1 << 20)).toString();
      if (method === 'HEAD') res.body.resume();
      let code = -res.status;
      let message = `${res.status} on download`;
      try {
        const j = JSON.parse(text) as CosResult;
        code = j.code;
        message = j.message;
      } catch {
        /* no body */
      }
      if (res.status === 404) throw new StratusError({ dialect: 'cos', code: 'NoSuchKey', message: `${key}: ${message}`, status: 404, details: { cosCode: String(code) } });
      throw new StratusError({ dialect: 'cos', code: String(code), message, status: res.status });
    }
    // The download address evaluates no conditions: check them here against what it answered.
    const etag = unquote(res.headers.etag as string | undefined);
    const fail = (status: number, code: string, message: string) => {
      res.body.destroy();
      return new StratusError({ dialect: 'cos', code, message, status });
    };
    if (o.ifMatch && unquote(o.ifMatch) !== etag) throw fail(412, 'PreconditionFailed', `${key} no longer has the ETag ${o.ifMatch}`);
    if (o.ifNoneMatch && (o.ifNoneMatch === '*' || unquote(o.ifNoneMatch) === etag)) throw fail(304, 'NotModified', 'Not Modified');
    const lm = res.headers['last-modified'] ? Date.parse(res.headers['last-modified'] as string) : undefined;
    if (o.ifModifiedSince && lm !== undefined && lm <= o.ifModifiedSince.getTime()) throw fail(304, 'NotModified', 'Not Modified');
    if (o.ifUnmodifiedSince && lm !== undefined && lm > o.ifUnmodifiedSince.getTime()) throw fail(412, 'PreconditionFailed', `${key} was modified since ${o.ifUnmodifiedSince.toUTCString()}`);
    return res;
  }

  protected info(key: string, h: IncomingHttpHeaders, size?: number): ObjectInfo {
    const metadata: Record<string, string> = {};
    for (const [k, v] of Object.entries(h)) if (k.startsWith('x-cos-meta-') && typeof v === 'string') metadata[k.slice(11)] = v;
    const lm = h['last-modified'] as string | undefined;
    return {
      key,
      size: size ?? Number(h['content-length'] ?? 0),
      etag: unquote(h.etag as string | undefined),
      lastModified: lm ? new Date(lm) : undefined,
      contentType: h['content-type'] as string | undefined,
      metadata,
      cacheControl: h['cache-control'] as string | undefined,
      contentDisposition: h['content-disposition'] as string | undefined,
      contentEncoding: h['content-encoding'] as string | undefined,
      contentLanguage: h['content-language'] as string | undefined,
      headers: { ...h },
    };
  }

  override async getObject(bucket: string, key: string, o: GetOptions = {}): Promise<GetResult> {
    if (o.versionId || o.partNumber) throw clientError('cos', 'NotSupported', 'COS v4 files have no versions or parts');
    const res = await this.download('GET', bucket, key, o);
    let range: GetResult['range'];
    const m = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(String(res.headers['content-range'] ?? ''));
    if (res.status === 206 && m) range = { start: Number(m[1]), end: Number(m[2]), total: Number(m[3]) };
    return { ...this.info(key, res.headers, range?.total), body: res.body as Readable, range };
  }

  override async headObject(bucket: string, key: string, o: GetOptions = {}): Promise<ObjectInfo> {
    const res = await this.download('HEAD', bucket, key, o);
    res.body.resume();
    const info = this.info(key, res.headers);
    // stat_file adds the SHA-1 of the whole file, which downloads are checked against.
    const st = await (await this.cos()).statFile({ bucket, cosPath: cosPath(key) });
    if (st.code === 0 && typeof st.data?.sha === 'string' && /^[0-9a-f]{40}$/i.test(st.data.sha)) info.sha1 = st.data.sha.toLowerCase();
    return info;
  }

  override async deleteObject(bucket: string, key: string, o: { versionId?: string } & Signal = {}): Promise<DeleteResult> {
    if (o.versionId) throw clientError('cos', 'NotSupported', 'COS v4 files have no versions');
    const cos = await this.cos();
    const r = key.endsWith('/') ? await cos.delFolder({ bucket, cosPath: cosPath(key) }) : await cos.delFile({ bucket, cosPath: cosPath(key) });
    // Deleting what is not there succeeds, as in the other dialects.
    if (r.code !== 0 && !NOT_FOUND.has(r.code)) this.ok(r, `delete ${key}`);
    return { requestId: r.request_id };
  }

  override async deleteObjects(bucket: string, objects: ObjectIdentifier[], o: { quiet?: boolean } & Signal = {}): Promise<BatchDeleteResult> {
    const out: BatchDeleteResult = { deleted: [], errors: [] };
    for (const x of objects) {
      try {
        await this.deleteObject(bucket, x.key, { versionId: x.versionId, signal: o.signal });
        if (!o.quiet) out.deleted.push({ key: x.key });
      } catch (e) {
        const err = e as StratusError;
        out.errors.push({ key: x.key, versionId: x.versionId, code: err.code, message: err.message });
      }
    }
    return out;
  }

  override async copyObject(srcBucket: string, srcKey: string, bucket: string, key: string, o: CopyOptions = {}): Promise<PutResult> {
    if (o.sourceVersionId) throw clientError('cos', 'NotSupported', 'COS v4 files have no versions');
    if (srcBucket !== bucket) throw clientError('cos', 'NotSupported', 'COS v4 copies within one bucket only (copy through a local file instead)');
    if (srcKey !== key) {
      const cos = await this.cos();
      let r = await cos.copyFile({ bucket, cosPath: cosPath(srcKey), destPath: cosPath(key), overwrite: true });
      if (r.code === PARENT_MISSING && key.includes('/')) {
        await this.ensureFolders(bucket, key);
        r = await cos.copyFile({ bucket, cosPath: cosPath(srcKey), destPath: cosPath(key), overwrite: true });
      }
      this.ok(r, `copy ${srcKey}`);
    }
    if (o.metadataDirective === 'REPLACE' || o.metadata || o.contentType || o.acl) await this.applyAttributes(bucket, key, o);
    const h = await this.headObject(bucket, key);
    return { etag: h.etag };
  }

  // ---------------------------------------------------------------- listing (a walk of folders)

  /** Objects under a prefix in key order; folders recursed into unless the delimiter is "/". */
  override async *listObjectsIter(bucket: string, o: ListObjectsOptions = {}): AsyncGenerator<ListEntry> {
    if (o.delimiter && o.delimiter !== '/') throw clientError('cos', 'NotSupported', 'COS v4 lists by folder: the only delimiter is "/"');
    const prefix = o.prefix ?? '';
    const slash = prefix.lastIndexOf('/');
    const folder = prefix.slice(0, slash + 1);
    const namePrefix = prefix.slice(slash + 1);
    for await (const e of this.walk(bucket, folder, namePrefix, !o.delimiter, o.signal)) {
      if (o.startAfter !== undefined && Buffer.compare(Buffer.from(e.key), Buffer.from(o.startAfter)) <= 0) continue;
      yield e;
    }
  }

  protected async *walk(bucket: string, folder: string, namePrefix: string, recursive: boolean, signal?: AbortSignal): AsyncGenerator<ListEntry> {
    const cos = await this.cos();
    let context = '';
    for (;;) {
      if (signal?.aborted) throw abortError('cos', signal);
      const r = await cos.listFolder({ bucket, cosPath: '/' + folder, prefix: namePrefix, context, num: 199 });
      if (NOT_FOUND.has(r.code)) return;
      const data = this.ok(r, `list ${folder || '/'}`);
      for (const info of (data.infos ?? []) as Array<Record<string, any>>) {
        if (typeof info.filesize === 'number') {
          const item: ListedObject = { key: folder + info.name, size: info.filesize, etag: String(info.sha ?? ''), lastModified: info.mtime ? new Date(Number(info.mtime) * 1000) : undefined };
          yield item;
        } else {
          const dir = folder + info.name + '/';
          if (recursive) yield* this.walk(bucket, dir, '', true, signal);
          else yield { key: dir, isPrefix: true };
        }
      }
      if (data.listover !== false || !data.context) return;
      context = data.context;
    }
  }

  // ---------------------------------------------------------------- ACL (authority)

  override async getObjectAcl(bucket: string, key: string, _o: Signal = {}): Promise<AccessControlPolicy> {
    const d = this.ok(await (await this.cos()).statFile({ bucket, cosPath: cosPath(key) }), `stat ${key}`);
    const a = String(d.authority ?? 'eInvalid');
    const canned = a === 'eWPrivateRPublic' ? 'public-read' : a === 'eWRPrivate' ? 'private' : 'default';
    return { grants: [], canned };
  }

  override async putObjectAcl(bucket: string, key: string, acl: CannedAcl | AccessControlPolicy, _o: Signal = {}): Promise<void> {
    if (typeof acl !== 'string') throw clientError('cos', 'NotSupported', 'COS files take a canned ACL only (default, private, public-read)');
    await this.applyAttributes(bucket, key, { acl });
  }

  // ---------------------------------------------------------------- URLs and transfers

  override async presignUrl(bucket: string | undefined, key: string | undefined, o: PresignOptions = {}): Promise<string> {
    if ((o.method ?? 'GET').toUpperCase() !== 'GET' || !bucket || key === undefined) {
      throw clientError('cos', 'NotSupported', 'COS v4 signs download URLs only (GET of a file)');
    }
    return this.downloadUrl(bucket, key, o.expiresSeconds ?? 3600, await this.ctx.credentials());
  }

  /**
   * Slice upload through the COS client. Resumption is the server's: an
   * interrupted upload leaves its session open, and the rerun's init is
   * answered -4019, the stored slices are listed and only the rest are sent.
   */
  override async uploadFile(bucket: string, key: string, file: string, o: UploadFileOptions = {}): Promise<UploadFileResult> {
    const abs = path.resolve(file);
    let size: number;
    try {
      const st = await fs.stat(abs);
      if (!st.isFile()) throw new Error('not a regular file');
      await (await fs.open(abs, 'r')).close();
      size = st.size;
    } catch (e) {
      throw clientError('cos', 'LocalIOError', `cannot read ${file}: ${(e as Error).message}`, e);
    }
    const cos = await this.cos();
    const threshold = o.multipartThreshold ?? 8 * MiB;
    if (size < threshold) {
      const r = await this.putObject(bucket, key, { file: abs }, o);
      new ProgressTracker(size, 1, o.onProgress, size, 1).emit(true);
      return { ...r, size, multipart: false, partsUploaded: 1, partsReused: 0, resumed: false };
    }
    if (key.includes('/')) await this.ensureFolders(bucket, key);
    const sliceSize = sliceSizeFor(o.partSize ?? 1 * MiB);
    const total = Math.ceil(size / sliceSize);
    const progress = new ProgressTracker(size, total, o.onProgress);
    let sent = 0;
    const r = await cos.uploadSliceFile({
      bucket,
      cosPath: cosPath(key),
      localPath: abs,
      sliceSize,
      maxCon: o.concurrency ?? 4,
      insertOnly: 0,
      onSlice: ({ datalen }) => {
        if (o.signal?.aborted) throw abortError('cos', o.signal);
        sent++;
        progress.add(datalen);
        progress.partDone();
      },
    });
    if (o.signal?.aborted) throw abortError('cos', o.signal);
    this.ok(r, `upload ${key}`);
    await this.applyAttributes(bucket, key, o);
    const h = await this.headObject(bucket, key);
    progress.emit(true);
    return { etag: h.etag, size, multipart: true, partsUploaded: sent, partsReused: total - sent, resumed: sent < total };
  }
}
