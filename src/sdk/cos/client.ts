/**
 * A Tencent COS JSON API v4 client with the Python SDK v4's surface
 * (`qcloud_cos_v4`, spec §6) in TypeScript: the same operations, defaults,
 * local parameter checks and result shape (`{code, message, data}`; -1 for
 * a refused parameter, -2 for an HTTP status of 500 or more, -3 for a failed
 * connection), and the same wire forms: multipart fields in the order the
 * Python SDK sends them (`op` last), move's parameters in the query string.
 * Beyond it: resumable slice uploads (the -4019 / upload_slice_list flow of
 * the Java SDK), copy (the PHP SDK's), and list pattern / order.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import { Readable } from 'node:stream';
import { cosEncodePath, signDownload, signMore, signOnce, type CosCredentials } from '../../auth/cos-v4.js';
import { Sha1State } from '../../digest/sha1-state.js';
import { buildForm, type FormField } from './form.js';

export interface CosResult<T = Record<string, any>> {
  code: number;
  message: string;
  data?: T;
  request_id?: string;
}

export interface CosClientConfig {
  appid: number | string;
  secretId: string;
  secretKey: string;
  /** `http(s)://<hostname>`; requests go to `<endpoint>/files/v2/...`. */
  endpoint: string;
  /** Python's download_hostname: downloads at `http://<bucket>-<appid>.<downloadHostname><path>`. */
  downloadHostname?: string;
  /** Otherwise downloads at `<endpoint><downloadPath>/<bucket>-<appid><path>` (the server's default path form). */
  downloadPath?: string;
  /** Validity of multi-use and download signatures, seconds (default 300). */
  signExpired?: number;
  /** upload_file slices files of this size and more (the Python SDK: 8 MB). */
  sliceThreshold?: number;
  timeoutMs?: number;
}

/** Signature helpers of the SDK (`Auth`): sign_more, sign_once, sign_download. */
export class Auth {
  constructor(private readonly cred: CosCredentials) {}

  signMore(bucket: string, cosPath: string, expired: number): string {
    return signMore(this.cred, bucket, cosPath, expired);
  }

  signOnce(bucket: string, cosPath: string): string {
    return signOnce(this.cred, bucket, cosPath);
  }

  signDownload(bucket: string, cosPath: string, expired: number): string {
    return signDownload(this.cred, bucket, cosPath, expired);
  }
}

export interface UploadFileRequest {
  bucket: string;
  cosPath: string;
  /** A local file, or the bytes themselves (the SDK's *_from_buffer variants). */
  localPath?: string;
  data?: Buffer;
  bizAttr?: string;
  /** 1 (default): fail if the file exists; 0: overwrite. */
  insertOnly?: 0 | 1;
  /** Slice uploads: send the whole-file SHA-1 and per-slice states (lets slices go in parallel). Default true. */
  verifySha1?: boolean;
}

export interface UploadSliceFileRequest extends UploadFileRequest {
  sliceSize?: number;
  /** Slices in flight at once when the server allows it (default 1). */
  maxCon?: number;
  /** Called after each slice is stored; throwing interrupts the upload (which can be resumed). */
  onSlice?: (slice: { offset: number; datalen: number }) => void | Promise<void>;
}

export interface CustomHeaders {
  cacheControl?: string;
  contentType?: string;
  contentDisposition?: string;
  contentLanguage?: string;
  contentEncoding?: string;
  /** `x-cos-meta-*` headers, full names. */
  xCosMeta?: Record<string, string>;
}

export interface UpdateFileRequest {
  bucket: string;
  cosPath: string;
  bizAttr?: string;
  authority?: '' | 'eInvalid' | 'eWRPrivate' | 'eWPrivateRPublic';
  customHeaders?: CustomHeaders;
}

export interface ListFolderRequest {
  bucket: string;
  cosPath: string;
  num?: number;
  prefix?: string;
  context?: string;
  delimiter?: string;
  pattern?: 'eListBoth' | 'eListDirOnly' | 'eListFileOnly';
  order?: 0 | 1;
}

export interface DownloadRequest {
  bucket: string;
  cosPath: string;
  rangeStart?: number;
  rangeEnd?: number;
  headers?: Record<string, string>;
}

const MAX_SINGLE_FILE = 20 * 1024 * 1024;
const FORBIDDEN = /[?*:|\\<>"]/;

const paramError = (message: string): CosResult => ({ code: -1, message });

/** The SDK's local checks of a cos path (ParamCheck): null when acceptable. */
function checkPath(cosPath: string, kind: 'file' | 'folder', allowRoot = true): string | null {
  if (!cosPath.startsWith('/')) return 'cos path must start with /';
  if (kind === 'file' && cosPath.endsWith('/')) return 'file path must not end with /';
  if (kind === 'folder' && !cosPath.endsWith('/')) return 'folder path must end with /';
  if (FORBIDDEN.test(cosPath)) return 'cos path contains illegal letters ? * : | \\ < > "';
  if (/\/(\s*)\//.test(cosPath)) return 'cos path contains an empty or blank segment';
  if (!allowRoot && cosPath === '/') return 'bucket operation is not supported by sdk';
  return null;
}

class CosError extends Error {
  constructor(readonly result: CosResult) {
    super(result.message);
  }
}

export class CosClient {
  readonly auth: Auth;
  private readonly appid: string;
  private readonly signExpired: number;
  private readonly sliceThreshold: number;

  constructor(private readonly config: CosClientConfig) {
    this.appid = String(config.appid);
    this.auth = new Auth({ appid: this.appid, secretId: config.secretId, secretKey: config.secretKey });
    this.signExpired = config.signExpired ?? 300;
    this.sliceThreshold = config.sliceThreshold ?? 8 * 1024 * 1024;
  }

  private expiry(): number {
    return Math.floor(Date.now() / 1000) + this.signExpired;
  }

  /** `<endpoint>/files/v2/<appid>/<bucket><encoded path>` */
  url(bucket: string, cosPath: string): string {
    return `${this.config.endpoint.replace(/\/$/, '')}/files/v2/${this.appid}/${bucket}${cosEncodePath(cosPath)}`;
  }

  private async send(
    method: 'GET' | 'POST',
    bucket: string,
    cosPath: string,
    sign: string,
    opts: { query?: Record<string, string>; json?: unknown; form?: FormField[] } = {},
  ): Promise<CosResult> {
    let url = this.url(bucket, cosPath);
    if (opts.query) url += '?' + new URLSearchParams(opts.query).toString();
    const headers: Record<string, string> = { authorization: sign, 'user-agent': 'cos-typescript-sdk-v4' };
    let body: BodyInit | undefined;
    if (opts.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(opts.json);
    } else if (opts.form) {
      const f = buildForm(opts.form);
      headers['content-type'] = f.contentType;
      body = f.body as unknown as BodyInit;
    }
    try {
      const res = await fetch(url, { method, headers, body, signal: AbortSignal.timeout(this.config.timeoutMs ?? 300_000) });
      const text = await res.text();
      if (res.status >= 500) return { code: -2, message: `url:${url}, status_code:${res.status}` };
      return JSON.parse(text) as CosResult;
    } catch (e) {
      return { code: -3, message: `url:${url}, exception:${(e as Error).message}` };
    }
  }

  // ------------------------------------------------------------------ files

  /** Files below the slice threshold go up in one request, larger ones in slices. */
  async uploadFile(req: UploadFileRequest & Pick<UploadSliceFileRequest, 'sliceSize' | 'maxCon' | 'onSlice'>): Promise<CosResult> {
    const size = req.data ? req.data.length : req.localPath ? (await fs.stat(req.localPath).catch(() => undefined))?.size : undefined;
    if (size === undefined) return paramError('local file does not exist');
    if (size < this.sliceThreshold) return this.uploadSingleFile(req);
    return this.uploadSliceFile({ ...req, enableSha1: req.verifySha1 ?? true });
  }

  async uploadSingleFile(req: UploadFileRequest): Promise<CosResult> {
    const bad = checkPath(req.cosPath, 'file');
    if (bad) return paramError(bad);
    let content: Buffer;
    try {
      content = req.data ?? (await fs.readFile(req.localPath!));
    } catch {
      return paramError('local file does not exist');
    }
    if (content.length > MAX_SINGLE_FILE) return { code: -2, message: 'file is too big, please use upload_file interface' };
    const sha = createHash('sha1').update(content).digest('hex');
    // The Python SDK's order on the wire (a Python 2 dict): op comes last.
    return this.send('POST', req.bucket, req.cosPath, this.auth.signMore(req.bucket, req.cosPath, this.expiry()), {
      form: [
        { name: 'insertOnly', value: String(req.insertOnly ?? 1), filename: 'insertOnly' },
        { name: 'sha', value: sha, filename: 'sha' },
        { name: 'biz_attr', value: req.bizAttr ?? '', filename: 'biz_attr' },
        { name: 'filecontent', value: content, filename: 'filecontent' },
        { name: 'op', value: 'upload', filename: 'op' },
      ],
    });
  }

  /**
   * init → slices → finish. When the server reports an unfinished upload of
   * the same file (-4019), its stored slices are listed and only the missing
   * ones are sent. With enableSha1 (default) the whole-file SHA-1 and each
   * slice's SHA-1 state are declared at init, so slices may go in parallel.
   */
  async uploadSliceFile(req: UploadSliceFileRequest & { enableSha1?: boolean }): Promise<CosResult> {
    const bad = checkPath(req.cosPath, 'file');
    if (bad) return paramError(bad);
    let sliceSize = req.sliceSize ?? 1024 * 1024;
    if (sliceSize < 64 * 1024 || sliceSize > 3 * 1024 * 1024) return paramError('slice_size is invalid, only accept [64KB, 3MB]');
    const enableSha1 = req.enableSha1 ?? req.verifySha1 ?? true;
    let fh: fs.FileHandle | undefined;
    try {
      let size: number;
      let read: (offset: number, length: number) => Promise<Buffer>;
      if (req.data) {
        const data = req.data;
        size = data.length;
        read = async (offset, length) => data.subarray(offset, offset + length);
      } else {
        try {
          fh = await fs.open(req.localPath!, 'r');
        } catch {
          return paramError('local file does not exist');
        }
        const handle = fh;
        size = (await handle.stat()).size;
        read = async (offset, length) => {
          const buf = Buffer.alloc(length);
          const { bytesRead } = await handle.read(buf, 0, length, offset);
          return buf.subarray(0, bytesRead);
        };
      }
      const parts = enableSha1 ? await sliceStates(size, sliceSize, read) : undefined;
      const sha = parts?.[parts.length - 1]?.datasha;
      const path = req.cosPath;
      const sign = () => this.auth.signMore(req.bucket, path, this.expiry());

      const init = await this.send('POST', req.bucket, path, sign(), {
        form: [
          { name: 'op', value: 'upload_slice_init' },
          { name: 'filesize', value: String(size) },
          { name: 'slice_size', value: String(sliceSize) },
          { name: 'biz_attr', value: req.bizAttr ?? '' },
          { name: 'insertOnly', value: String(req.insertOnly ?? 1) },
          ...(parts ? [{ name: 'sha', value: sha! }, { name: 'uploadparts', value: JSON.stringify(parts) }] : []),
        ],
      });
      let session: string;
      let serial: boolean;
      const done = new Set<number>();
      if (init.code === 0) {
        if (init.data?.access_url) return init; // instant upload: the same file is there
        session = init.data!.session;
        sliceSize = init.data!.slice_size ?? sliceSize;
        serial = init.data!.serial_upload === 1;
      } else if (init.code === -4019) {
        const list = await this.uploadSliceList(req.bucket, path);
        if (list.code !== 0) return list;
        if (list.data?.access_url) return list;
        session = list.data!.session;
        sliceSize = list.data!.slice_size ?? sliceSize;
        serial = list.data!.serial_upload === 1;
        for (const p of (list.data!.listparts ?? []) as { offset: number; datalen: number }[]) {
          if (p.datalen === Math.min(sliceSize, size - p.offset)) done.add(p.offset);
        }
      } else return init;

      const offsets: number[] = [];
      for (let off = 0; off < size || (off === 0 && size === 0); off += sliceSize) {
        if (!done.has(off)) offsets.push(off);
        if (size === 0) break;
      }
      const sendSlice = async (offset: number) => {
        const data = await read(offset, Math.min(sliceSize, size - offset));
        let r: CosResult = { code: -3, message: 'not sent' };
        for (let attempt = 0; attempt < 3; attempt++) {
          // The Python SDK's order: sha, offset, session, filecontent, op.
          r = await this.send('POST', req.bucket, path, sign(), {
            form: [
              ...(sha ? [{ name: 'sha', value: sha, filename: 'sha' }] : []),
              { name: 'offset', value: String(offset), filename: 'offset' },
              { name: 'session', value: session, filename: 'session' },
              { name: 'filecontent', value: data, filename: 'filecontent' },
              { name: 'op', value: 'upload_slice_data', filename: 'op' },
            ],
          });
          if (r.code === 0 || r.code > -2 || r.code < -3) break; // retry network failures only
        }
        if (r.code !== 0) throw new CosError(r);
        await req.onSlice?.({ offset, datalen: data.length });
      };
      try {
        const width = serial ? 1 : Math.max(1, req.maxCon ?? 1);
        let next = 0;
        await Promise.all(
          Array.from({ length: Math.min(width, offsets.length) }, async () => {
            while (next < offsets.length) await sendSlice(offsets[next++]!);
          }),
        );
      } catch (e) {
        if (e instanceof CosError) return e.result;
        throw e;
      }
      return this.send('POST', req.bucket, path, sign(), {
        form: [
          { name: 'op', value: 'upload_slice_finish' },
          { name: 'session', value: session },
          { name: 'filesize', value: String(size) },
          ...(sha ? [{ name: 'sha', value: sha }] : []),
        ],
      });
    } finally {
      await fh?.close();
    }
  }

  /** The open session of a path and its stored slices, or the file's addresses once it is complete. */
  async uploadSliceList(bucket: string, cosPath: string): Promise<CosResult> {
    return this.send('POST', bucket, cosPath, this.auth.signMore(bucket, cosPath, this.expiry()), { form: [{ name: 'op', value: 'upload_slice_list' }] });
  }

  async statFile(req: { bucket: string; cosPath: string }): Promise<CosResult> {
    const bad = checkPath(req.cosPath, 'file');
    if (bad) return paramError(bad);
    return this.send('GET', req.bucket, req.cosPath, this.auth.signMore(req.bucket, req.cosPath, this.expiry()), { query: { op: 'stat' } });
  }

  async updateFile(req: UpdateFileRequest): Promise<CosResult> {
    const bad = checkPath(req.cosPath, 'file');
    if (bad) return paramError(bad);
    if (req.authority !== undefined && !['', 'eInvalid', 'eWRPrivate', 'eWPrivateRPublic'].includes(req.authority)) return paramError('authority is invalid');
    const body: Record<string, unknown> = { op: 'update' };
    if (req.bizAttr !== undefined) body.biz_attr = req.bizAttr;
    if (req.authority !== undefined) body.authority = req.authority;
    if (req.customHeaders) {
      const h = req.customHeaders;
      const headers: Record<string, string> = {};
      if (h.cacheControl !== undefined) headers['Cache-Control'] = h.cacheControl;
      if (h.contentType !== undefined) headers['Content-Type'] = h.contentType;
      if (h.contentDisposition !== undefined) headers['Content-Disposition'] = h.contentDisposition;
      if (h.contentLanguage !== undefined) headers['Content-Language'] = h.contentLanguage;
      if (h.contentEncoding !== undefined) headers['Content-Encoding'] = h.contentEncoding;
      for (const [k, v] of Object.entries(h.xCosMeta ?? {})) {
        if (!k.startsWith('x-cos-meta-') || k.length <= 'x-cos-meta-'.length || !v) return paramError(`x-cos-meta header ${k} is invalid`);
        headers[k] = v;
      }
      if (Object.keys(headers).length) body.custom_headers = headers;
    }
    return this.send('POST', req.bucket, req.cosPath, this.auth.signOnce(req.bucket, req.cosPath), { json: body });
  }

  async delFile(req: { bucket: string; cosPath: string }): Promise<CosResult> {
    const bad = checkPath(req.cosPath, 'file');
    if (bad) return paramError(bad);
    return this.send('POST', req.bucket, req.cosPath, this.auth.signOnce(req.bucket, req.cosPath), { json: { op: 'delete' } });
  }

  /** Move / rename; `destPath` from the bucket root, or a name in the same folder. Parameters in the query string, as the Python SDK. */
  async moveFile(req: { bucket: string; cosPath: string; destPath: string; overwrite?: boolean }): Promise<CosResult> {
    const bad = checkPath(req.cosPath, 'file');
    if (bad) return paramError(bad);
    return this.send('POST', req.bucket, req.cosPath, this.auth.signOnce(req.bucket, req.cosPath), {
      query: { op: 'move', dest_fileid: req.destPath, to_over_write: req.overwrite ? '1' : '0' },
    });
  }

  /** Copy (not in the Python SDK; the PHP SDK's form fields). */
  async copyFile(req: { bucket: string; cosPath: string; destPath: string; overwrite?: boolean }): Promise<CosResult> {
    const bad = checkPath(req.cosPath, 'file');
    if (bad) return paramError(bad);
    return this.send('POST', req.bucket, req.cosPath, this.auth.signOnce(req.bucket, req.cosPath), {
      form: [
        { name: 'op', value: 'copy' },
        { name: 'dest_fileid', value: req.destPath },
        { name: 'to_over_write', value: req.overwrite ? '1' : '0' },
      ],
    });
  }

  /** Where a file downloads from, signed with sign_download. */
  downloadUrl(bucket: string, cosPath: string): string {
    const path = cosEncodePath(cosPath);
    const sign = this.auth.signDownload(bucket, cosPath, this.expiry());
    const base = this.config.downloadHostname
      ? `http://${bucket}-${this.appid}.${this.config.downloadHostname}`
      : `${this.config.endpoint.replace(/\/$/, '')}${this.config.downloadPath ?? '/cos-download'}/${bucket}-${this.appid}`;
    return `${base}${path}?sign=${encodeURIComponent(sign)}`;
  }

  /** The file's bytes as a stream (download_object); throws unless the answer is 200 or 206. */
  async downloadObject(req: DownloadRequest): Promise<Readable> {
    const headers: Record<string, string> = { ...(req.headers ?? {}) };
    if (req.rangeStart !== undefined || req.rangeEnd !== undefined) headers.range = `bytes=${req.rangeStart ?? ''}-${req.rangeEnd ?? ''}`;
    const res = await fetch(this.downloadUrl(req.bucket, req.cosPath), { headers, signal: AbortSignal.timeout(this.config.timeoutMs ?? 300_000) });
    if (res.status !== 200 && res.status !== 206) {
      await res.body?.cancel();
      throw new Error(`download failed, status ${res.status}`);
    }
    return res.body ? Readable.fromWeb(res.body as any) : Readable.from([]);
  }

  /** Downloads into a local file, checking the byte count against Content-Length. */
  async downloadFile(req: DownloadRequest & { localFilename: string }): Promise<CosResult> {
    try {
      const headers: Record<string, string> = { ...(req.headers ?? {}) };
      if (req.rangeStart !== undefined || req.rangeEnd !== undefined) headers.range = `bytes=${req.rangeStart ?? ''}-${req.rangeEnd ?? ''}`;
      const res = await fetch(this.downloadUrl(req.bucket, req.cosPath), { headers, signal: AbortSignal.timeout(this.config.timeoutMs ?? 300_000) });
      if (res.status !== 200 && res.status !== 206) throw new Error(`status ${res.status}`);
      const data = Buffer.from(await res.arrayBuffer());
      const declared = res.headers.get('content-length');
      if (declared === null || Number(declared) !== data.length) throw new Error('downloaded size does not match Content-Length');
      await fs.writeFile(req.localFilename, data);
      return { code: 0, message: 'download successfully' };
    } catch (e) {
      return { code: 1, message: `download failed, exception: ${(e as Error).message}` };
    }
  }

  // ---------------------------------------------------------------- folders

  async createFolder(req: { bucket: string; cosPath: string; bizAttr?: string }): Promise<CosResult> {
    const bad = checkPath(req.cosPath, 'folder', false);
    if (bad) return paramError(bad);
    return this.send('POST', req.bucket, req.cosPath, this.auth.signMore(req.bucket, req.cosPath, this.expiry()), { json: { op: 'create', biz_attr: req.bizAttr ?? '' } });
  }

  async statFolder(req: { bucket: string; cosPath: string }): Promise<CosResult> {
    const bad = checkPath(req.cosPath, 'folder');
    if (bad) return paramError(bad);
    return this.send('GET', req.bucket, req.cosPath, this.auth.signMore(req.bucket, req.cosPath, this.expiry()), { query: { op: 'stat' } });
  }

  async updateFolder(req: { bucket: string; cosPath: string; bizAttr?: string }): Promise<CosResult> {
    const bad = checkPath(req.cosPath, 'folder', false);
    if (bad) return paramError(bad);
    return this.send('POST', req.bucket, req.cosPath, this.auth.signOnce(req.bucket, req.cosPath), { json: { op: 'update', biz_attr: req.bizAttr ?? '' } });
  }

  /** One page of a folder (num ≤ 199); page on with the returned context until listover. */
  async listFolder(req: ListFolderRequest): Promise<CosResult> {
    const bad = checkPath(req.cosPath, 'folder');
    if (bad) return paramError(bad);
    const num = req.num ?? 199;
    if (num < 1 || num > 199) return paramError('num must be between 1 and 199');
    const path = req.cosPath + (req.prefix ?? '');
    const query: Record<string, string> = { op: 'list', num: String(num), context: req.context ?? '' };
    if (req.delimiter) query.delimiter = req.delimiter;
    if (req.pattern) query.pattern = req.pattern;
    if (req.order !== undefined) query.order = String(req.order);
    return this.send('GET', req.bucket, path, this.auth.signMore(req.bucket, path, this.expiry()), { query });
  }

  async delFolder(req: { bucket: string; cosPath: string }): Promise<CosResult> {
    const bad = checkPath(req.cosPath, 'folder', false);
    if (bad) return paramError(bad);
    return this.send('POST', req.bucket, req.cosPath, this.auth.signOnce(req.bucket, req.cosPath), { json: { op: 'delete' } });
  }
}

/** `uploadparts` (spec §4.8): each slice's SHA-1 state, the last the file's SHA-1; one pass over the data. */
async function sliceStates(size: number, sliceSize: number, read: (offset: number, length: number) => Promise<Buffer>) {
  const state = Sha1State.initial();
  const out: { offset: number; datalen: number; datasha: string }[] = [];
  for (let offset = 0; ; offset += sliceSize) {
    const len = Math.min(sliceSize, size - offset);
    state.update(await read(offset, len));
    const last = offset + len >= size;
    out.push({ offset, datalen: len, datasha: last ? state.digest().toString('hex') : state.exportHex() });
    if (last) return out;
  }
}
