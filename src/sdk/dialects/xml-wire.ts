/**
 * The wire layer the S3-family dialects (S3, OSS, OBS) share: addressing
 * (path or virtual-hosted style), query strings, signing through the
 * dialect's profile, error documents, and response headers read into the
 * neutral ObjectInfo. A profile says what differs: header prefix, signer,
 * request-id header, where a HEAD answer puts its error.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { awsUriEncode } from '../../auth/uri.js';
import type { Credentials } from '../credentials.js';
import { StratusError, type DialectName } from '../errors.js';
import { readAll, type HttpResponse } from '../http.js';
import type { PreparedBody } from '../body.js';
import type { ObjectInfo, PostPolicy, PostPolicyOptions } from '../types.js';
import { parseXml, text } from '../xml.js';
import type { DialectContext } from './dialect.js';

export interface SignInput {
  method: string;
  url: URL;
  /** Mutable: the signer adds its headers. */
  headers: Record<string, string>;
  bucket?: string;
  key?: string;
  virtualHostBucket?: string;
  /** Hex sha256 of the body when known. */
  payloadHash?: string;
  credentials: Credentials;
  region: string;
}

export interface PresignInput {
  method: string;
  url: URL;
  bucket?: string;
  key?: string;
  virtualHostBucket?: string;
  credentials: Credentials;
  region: string;
  expiresSeconds: number;
  headers?: Record<string, string>;
}

export interface PostPolicyInput extends PostPolicyOptions {
  bucket: string;
  url: URL;
  credentials: Credentials;
  region: string;
  expiration: Date;
}

export interface XmlProfile {
  name: DialectName;
  /** x-amz-, x-oss-, x-obs-. */
  prefix: string;
  metaPrefix: string;
  requestIdHeader: string;
  userAgent: string;
  sign(i: SignInput): void;
  presign(i: PresignInput): string;
  postPolicy(i: PostPolicyInput): PostPolicy;
  /** A second prefix some headers come with (OBS answers x-obs-object-type in its AWS-compatible mode too). */
  altPrefix?: string;
  /** An error a bodiless answer (HEAD) carries in headers. */
  headerError?(h: IncomingHttpHeaders): { code: string; message?: string; details?: Record<string, string> } | undefined;
}

export type QueryPairs = Array<[string, string | undefined]>;

export interface WireRequest {
  method: string;
  bucket?: string;
  key?: string;
  /** In order; an undefined value is written bare ("?uploads"). */
  query?: QueryPairs;
  headers?: Record<string, string>;
  body?: PreparedBody;
  signal?: AbortSignal;
  /** Statuses that are not errors besides 2xx. */
  okStatuses?: number[];
}

function header(h: IncomingHttpHeaders, name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v.join(',') : v;
}

export function unquote(etag: string | undefined): string {
  if (!etag) return '';
  return etag.replace(/^W\//, '').replace(/^"(.*)"$/, '$1');
}

export function quote(etag: string): string {
  return etag.startsWith('"') ? etag : `"${etag}"`;
}

function isIpOrLocalhost(host: string): boolean {
  return /^\d+\.\d+\.\d+\.\d+$/.test(host) || host.startsWith('[') || host === 'localhost';
}

/** Path style is the default for IP addresses and localhost (as the vendors' SDKs do). */
export function defaultPathStyle(endpoint: URL): boolean {
  return isIpOrLocalhost(endpoint.hostname);
}

export class XmlWire {
  constructor(
    readonly ctx: DialectContext,
    readonly profile: XmlProfile,
  ) {}

  get name(): DialectName {
    return this.ctx.name;
  }

  /** The URL of a bucket / object, with the query written as given. */
  url(bucket?: string, key?: string, query?: QueryPairs): { url: URL; virtualHostBucket?: string } {
    const ep = this.ctx.endpoint;
    const base = ep.pathname.replace(/\/+$/, '');
    const qs = (query ?? []).map(([k, v]) => (v === undefined ? awsUriEncode(k, true) : `${awsUriEncode(k, true)}=${awsUriEncode(v, true)}`)).join('&');
    const keyPath = key === undefined ? '' : '/' + awsUriEncode(key, false);
    let host = ep.host;
    let path: string;
    let virtualHostBucket: string | undefined;
    if (bucket === undefined) path = base + '/';
    else if (this.ctx.pathStyle) path = `${base}/${bucket}${key === undefined ? '/' : keyPath}`;
    else {
      host = `${bucket}.${ep.host}`;
      virtualHostBucket = bucket;
      path = base + (key === undefined ? '/' : keyPath);
    }
    return { url: new URL(`${ep.protocol}//${host}${path}${qs ? '?' + qs : ''}`), virtualHostBucket };
  }

  /** Sends one operation; resolves with a 2xx (or okStatuses) response, else throws the parsed error. */
  async send(r: WireRequest): Promise<HttpResponse> {
    const { url, virtualHostBucket } = this.url(r.bucket, r.key, r.query);
    const body = r.body;
    const res = await this.ctx.http.send(
      async () => {
        const credentials = await this.ctx.credentials();
        const headers: Record<string, string> = { ...(r.headers ?? {}) };
        if (body) {
          if (body.length !== undefined) headers['content-length'] = String(body.length);
          else headers['transfer-encoding'] = 'chunked';
        }
        if (!headers['user-agent']) headers['user-agent'] = this.profile.userAgent;
        this.profile.sign({
          method: r.method,
          url,
          headers,
          bucket: r.bucket,
          key: r.key,
          virtualHostBucket,
          credentials,
          region: this.ctx.region,
        });
        return { method: r.method, url, headers, body: body?.make() };
      },
      { signal: r.signal, replayable: body ? body.replayable : true },
    );
    if ((res.status >= 200 && res.status < 300) || r.okStatuses?.includes(res.status)) return res;
    throw await this.error(res, r.method);
  }

  /** Sends and reads the whole (small) answer. */
  async sendForBody(r: WireRequest): Promise<{ res: HttpResponse; body: Buffer }> {
    const res = await this.send(r);
    return { res, body: await readAll(res.body) };
  }

  /** Sends and discards the answer's body. */
  async sendAndDrain(r: WireRequest): Promise<HttpResponse> {
    const res = await this.send(r);
    await readAll(res.body);
    return res;
  }

  requestId(h: IncomingHttpHeaders): string | undefined {
    return header(h, this.profile.requestIdHeader);
  }

  /** The error an answer describes (XML document, or headers for a HEAD). */
  async error(res: HttpResponse, method: string): Promise<StratusError> {
    let body: Buffer = Buffer.alloc(0);
    try {
      body = method === 'HEAD' ? Buffer.alloc(0) : await readAll(res.body, 1024 * 1024);
    } catch {
      /* a cut-off error body: go by status */
    }
    if (method === 'HEAD') res.body.resume();
    const doc = parseXml(body, 'Error');
    const details: Record<string, string> = {};
    let code: string | undefined;
    let message: string | undefined;
    let requestId = this.requestId(res.headers);
    let hostId: string | undefined;
    if (doc) {
      for (const [k, v] of Object.entries(doc)) {
        const t = text(v);
        if (t === undefined) continue;
        if (k === 'Code') code = t;
        else if (k === 'Message') message = t;
        else if (k === 'RequestId') requestId ??= t;
        else if (k === 'HostId') hostId = t;
        else details[k] = t;
      }
    } else {
      const fromHeaders = this.profile.headerError?.(res.headers);
      if (fromHeaders) {
        code = fromHeaders.code;
        message = fromHeaders.message;
        Object.assign(details, fromHeaders.details ?? {});
      }
    }
    code ??= statusCode(res.status);
    message ??= `${res.status} ${statusText(res.status)}`;
    return new StratusError({ dialect: this.name, code, message, status: res.status, requestId, hostId, details, headers: res.headers });
  }

  /** Response headers as ObjectInfo. */
  objectInfo(key: string, h: IncomingHttpHeaders, sizeOverride?: number): ObjectInfo {
    const p = this.profile.prefix;
    const alt = this.profile.altPrefix;
    const vendor = (name: string) => header(h, p + name) ?? (alt ? header(h, alt + name) : undefined);
    const metadata: Record<string, string> = {};
    for (const [k, v] of Object.entries(h)) {
      if (k.startsWith(this.profile.metaPrefix) && v !== undefined) metadata[k.slice(this.profile.metaPrefix.length)] = Array.isArray(v) ? v.join(',') : v;
    }
    const lm = header(h, 'last-modified');
    const nap = vendor('next-append-position');
    const tags = vendor('tagging-count');
    return {
      key,
      size: sizeOverride ?? Number(header(h, 'content-length') ?? 0),
      etag: unquote(header(h, 'etag')),
      lastModified: lm ? new Date(lm) : undefined,
      contentType: header(h, 'content-type'),
      metadata,
      versionId: vendor('version-id'),
      deleteMarker: vendor('delete-marker') === 'true' ? true : undefined,
      crc64: vendor('hash-crc64ecma'),
      crc64nvme: fullObjectCrc64Nvme(h),
      objectType: vendor('object-type'),
      storageClass: vendor('storage-class'),
      nextAppendPosition: nap !== undefined ? Number(nap) : undefined,
      tagCount: tags !== undefined ? Number(tags) : undefined,
      cacheControl: header(h, 'cache-control'),
      contentDisposition: header(h, 'content-disposition'),
      contentEncoding: header(h, 'content-encoding'),
      contentLanguage: header(h, 'content-language'),
      expires: header(h, 'expires'),
      headers: { ...h },
      requestId: this.requestId(h),
    };
  }
}

function statusCode(status: number): string {
  switch (status) {
    case 304:
      return 'NotModified';
    case 400:
      return 'BadRequest';
    case 403:
      return 'AccessDenied';
    case 404:
      return 'NotFound';
    case 405:
      return 'MethodNotAllowed';
    case 409:
      return 'Conflict';
    case 412:
      return 'PreconditionFailed';
    case 416:
      return 'InvalidRange';
    case 501:
      return 'NotImplemented';
    case 503:
      return 'ServiceUnavailable';
    default:
      return `Http${status}`;
  }
}

function statusText(status: number): string {
  return (
    {
      304: 'Not Modified',
      400: 'Bad Request',
      403: 'Forbidden',
      404: 'Not Found',
      405: 'Method Not Allowed',
      409: 'Conflict',
      412: 'Precondition Failed',
      416: 'Range Not Satisfiable',
      500: 'Internal Server Error',
      501: 'Not Implemented',
      503: 'Service Unavailable',
    } as Record<number, string>
  )[status] ?? 'error';
}

/** S3's CRC-64/NVME of the whole object, as a decimal string; none for a composite (per-part) checksum or a malformed one. */
function fullObjectCrc64Nvme(h: Record<string, string | string[] | undefined>): string | undefined {
  const v = h['x-amz-checksum-crc64nvme'];
  const type = h['x-amz-checksum-type'];
  if (typeof v !== 'string' || (typeof type === 'string' && type !== 'FULL_OBJECT')) return undefined;
  const bytes = Buffer.from(v, 'base64');
  return bytes.length === 8 && bytes.toString('base64') === v ? bytes.readBigUInt64BE(0).toString() : undefined;
}
