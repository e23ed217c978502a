/**
 * Aliyun OSS Signature Version 1 (HMAC-SHA1): `Authorization: OSS
 * AccessKeyId:Signature` and signed URLs (OSSAccessKeyId, Expires,
 * Signature). The string to sign has the V2 shape shared with S3 and OBS
 * (see sigv2.ts): verb, Content-MD5, Content-Type, Date (or Expires), the
 * canonicalised `x-oss-` headers, then the canonicalised resource, which
 * for OSS is `/bucket/key` with the key NOT percent-encoded, `/bucket/` for
 * a bucket and `/` for the service, plus OSS's signed sub-resources.
 */
import { canonicalStringToSign, signV2 } from './sigv2.js';
import type { HeaderBag, HeaderValue, V4Credentials } from './sigv4.js';

/** Query parameters OSS signs in the V1 canonical resource (the SDKs' list). */
export const OSS_V1_SUBRESOURCES: ReadonlySet<string> = new Set([
  'acl', 'uploads', 'location', 'cors', 'logging', 'website', 'referer', 'lifecycle', 'delete', 'append', 'tagging',
  'objectMeta', 'uploadId', 'partNumber', 'security-token', 'position', 'img', 'style', 'styleName', 'replication',
  'replicationProgress', 'replicationLocation', 'cname', 'bucketInfo', 'comp', 'qos', 'live', 'status', 'vod',
  'startTime', 'endTime', 'symlink', 'x-oss-process', 'response-content-type', 'x-oss-traffic-limit',
  'response-content-language', 'response-expires', 'response-cache-control', 'response-content-disposition',
  'response-content-encoding', 'udf', 'udfName', 'udfImage', 'udfId', 'udfImageDesc', 'udfApplication',
  'udfApplicationLog', 'restore', 'callback', 'callback-var', 'qosInfo', 'policy', 'stat', 'encryption', 'versions',
  'versioning', 'versionId', 'requestPayment', 'x-oss-request-payer', 'sequential', 'inventory', 'inventoryId',
  'continuation-token', 'asyncFetch', 'worm', 'wormId', 'wormExtend', 'withHashContext', 'x-oss-enable-md5',
  'x-oss-enable-sha1', 'x-oss-enable-sha256', 'x-oss-hash-ctx', 'x-oss-md5-ctx', 'transferAcceleration',
  'regionList', 'cloudboxes', 'x-oss-ac-source-ip', 'x-oss-ac-subnet-mask', 'x-oss-ac-vpc-id',
  'x-oss-ac-forward-allow', 'metaQuery', 'resourceGroup', 'rtc', 'x-oss-async-process', 'responseHeader',
]);

export const OSS_V1_PREFIX = 'OSS';

function headerText(v: HeaderValue): string | undefined {
  if (v === undefined) return undefined;
  return Array.isArray(v) ? v.join(',') : v;
}

export function lookupHeader(headers: HeaderBag, name: string): string | undefined {
  const direct = headers[name];
  if (direct !== undefined) return headerText(direct);
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === name) return headerText(v);
  return undefined;
}

/** The canonical resource path: `/`, `/bucket/` or `/bucket/key` (key as is, not encoded). */
export function ossResource(bucket?: string, key?: string): string {
  if (!bucket) return '/';
  return `/${bucket}/${key ?? ''}`;
}

export interface OssV1StringInput {
  method: string;
  headers: HeaderBag;
  /** ossResource(bucket, key). */
  resource: string;
  /** The raw query (or URL search); only OSS's sub-resources are signed. */
  rawQuery?: string;
  /** The Date slot: the request's date, or the Expires epoch seconds of a signed URL. */
  date: string;
}

/** OSS's V1 string to sign. */
export function stringToSignOssV1(input: OssV1StringInput): string {
  return canonicalStringToSign({
    method: input.method.toUpperCase(),
    contentMd5: lookupHeader(input.headers, 'content-md5')?.trim(),
    contentType: lookupHeader(input.headers, 'content-type')?.trim(),
    dateOrExpires: input.date,
    headers: input.headers,
    headerPrefix: 'x-oss-',
    resource: input.resource,
    rawQuery: input.rawQuery,
    subresources: OSS_V1_SUBRESOURCES,
    emptySubresourceForm: 'bare',
  });
}

/** base64(HMAC-SHA1(secret, stringToSign)). */
export function signOssV1(secret: string, stringToSign: string): string {
  return signV2(secret, stringToSign);
}

/** The bytes of a string to sign as OSS shows them in errors: upper-case hex pairs separated by spaces. */
export function stringToSignBytes(s: string): string {
  return Array.from(Buffer.from(s, 'utf8'), (b) => b.toString(16).toUpperCase().padStart(2, '0')).join(' ');
}

// ---------------------------------------------------------------- client side

export interface SignRequestOssV1Input {
  method: string;
  bucket?: string;
  key?: string;
  /** The query the request is sent with (sub-resources are signed). */
  rawQuery?: string;
  /** Mutable: date, x-oss-security-token and authorization are set on it. */
  headers: Record<string, string>;
  credentials: V4Credentials;
  date?: Date;
}

export interface SignedOssV1 {
  authorization: string;
  signature: string;
  stringToSign: string;
}

/** Signs in place with `Authorization: OSS AK:signature` and a Date header. */
export function signRequestOssV1(input: SignRequestOssV1Input): SignedOssV1 {
  const h = input.headers;
  for (const k of Object.keys(h)) {
    const l = k.toLowerCase();
    if (l === 'authorization' || l === 'date' || (l === 'x-oss-security-token' && k !== l)) delete h[k];
  }
  h['date'] = (input.date ?? new Date()).toUTCString();
  if (input.credentials.sessionToken) h['x-oss-security-token'] = input.credentials.sessionToken;
  const stringToSign = stringToSignOssV1({
    method: input.method,
    headers: h,
    resource: ossResource(input.bucket, input.key),
    rawQuery: input.rawQuery,
    date: lookupHeader(h, 'x-oss-date') ?? h['date'],
  });
  const signature = signOssV1(input.credentials.secretAccessKey, stringToSign);
  const authorization = `${OSS_V1_PREFIX} ${input.credentials.accessKeyId}:${signature}`;
  h['authorization'] = authorization;
  return { authorization, signature, stringToSign };
}

export interface PresignUrlOssV1Input {
  method: string;
  /** The URL the signed URL is built on (its query, e.g. response-* overrides, is kept and signed). */
  url: URL;
  bucket: string;
  key: string;
  credentials: V4Credentials;
  /** Absolute expiry, epoch seconds; default now + expiresSeconds (3600). */
  expires?: number;
  expiresSeconds?: number;
  date?: Date;
  /** Headers the URL's user will send (content-type, content-md5, x-oss-*): signed, not added to the URL. */
  headers?: Record<string, string>;
}

/** A V1 signed URL: the URL's query plus OSSAccessKeyId, Expires, Signature (and security-token). */
export function presignUrlOssV1(input: PresignUrlOssV1Input): string {
  const expires = input.expires ?? Math.floor((input.date ?? new Date()).getTime() / 1000) + (input.expiresSeconds ?? 3600);
  let search = input.url.search.startsWith('?') ? input.url.search.slice(1) : input.url.search;
  if (input.credentials.sessionToken) search += (search ? '&' : '') + 'security-token=' + encodeURIComponent(input.credentials.sessionToken);
  const stringToSign = stringToSignOssV1({
    method: input.method,
    headers: input.headers ?? {},
    resource: ossResource(input.bucket, input.key),
    rawQuery: search,
    date: String(expires),
  });
  const signature = signOssV1(input.credentials.secretAccessKey, stringToSign);
  const auth = `OSSAccessKeyId=${encodeURIComponent(input.credentials.accessKeyId)}&Expires=${expires}&Signature=${encodeURIComponent(signature)}`;
  return `${input.url.protocol}//${input.url.host}${input.url.pathname}?${search ? search + '&' : ''}${auth}`;
}
