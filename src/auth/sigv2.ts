/**
 * AWS Signature Version 2 (HMAC-SHA1) in the generic shape S3, OSS and OBS
 * share: a positional part (verb, Content-MD5, Content-Type, Date or
 * Expires), the canonicalised vendor headers (`x-amz-`, `x-oss-`,
 * `x-obs-`) and the canonicalised resource (path plus the signed
 * sub-resources). The S3 wrappers fix the prefix and the sub-resource list.
 */
import { createHmac } from 'node:crypto';
import { textOfHeaderBytes } from './header-text.js';
import { safeDecodeURIComponent, splitRawQuery, awsUriEncode } from './uri.js';
import type { HeaderBag, HeaderValue, V4Credentials } from './sigv4.js';

/**
 * Query parameters S3 includes in the V2 canonical resource: the documented
 * list, the response-* overrides, and what botocore's HmacV1Auth signs.
 */
export const S3_V2_SUBRESOURCES: ReadonlySet<string> = new Set([
  'accelerate',
  'acl',
  'analytics',
  'cors',
  'defaultObjectAcl',
  'delete',
  'inventory',
  'lifecycle',
  'location',
  'logging',
  'metrics',
  'notification',
  'object-lock',
  'partNumber',
  'policy',
  'replication',
  'requestPayment',
  'response-cache-control',
  'response-content-disposition',
  'response-content-encoding',
  'response-content-language',
  'response-content-type',
  'response-expires',
  'restore',
  'select',
  'select-type',
  'storageClass',
  'tagging',
  'torrent',
  'uploadId',
  'uploads',
  'versionId',
  'versioning',
  'versions',
  'website',
]);

/**
 * How a sub-resource given with an empty value ("?acl=") is written:
 * 'bare' writes "acl" (AWS's documented form, minio-go, the MinIO server);
 * 'literal' writes what the client sent, "acl" or "acl=" (botocore).
 */
export type EmptySubresourceForm = 'bare' | 'literal';

function headerText(v: HeaderValue): string | undefined {
  if (v === undefined) return undefined;
  return Array.isArray(v) ? v.join(',') : v;
}

function lookupHeader(headers: HeaderBag, name: string): string | undefined {
  const direct = headers[name];
  if (direct !== undefined) return headerText(direct);
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() === name) return headerText(v);
  }
  return undefined;
}

function unfold(v: string): string {
  return textOfHeaderBytes(v).replace(/\s*\r?\n\s*/g, ' ').trim();
}

/**
 * Canonicalised vendor headers: names starting with `prefix` (case
 * insensitive), lower-cased, sorted; values read as the text their bytes
 * spell (textOfHeaderBytes), trimmed and unfolded; repeated
 * headers joined with ','. Each line ends with '\n'.
 */
export function canonicalVendorHeaders(headers: HeaderBag, prefix: string): string {
  const p = prefix.toLowerCase();
  const map = new Map<string, string[]>();
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) continue;
    const name = k.toLowerCase();
    if (!name.startsWith(p)) continue;
    const list = map.get(name) ?? [];
    for (const one of Array.isArray(v) ? v : [v]) list.push(unfold(one));
    map.set(name, list);
  }
  const names = [...map.keys()].sort();
  return names.map((n) => `${n}:${map.get(n)!.join(',')}\n`).join('');
}

/**
 * Canonicalised resource: `resource` (the path exactly as the client sent
 * it, with "/bucket" in front for virtual-host requests) plus the signed
 * sub-resources from `rawQuery`, sorted by name, values URL-decoded.
 */
export function canonicalResourceV2(
  resource: string,
  rawQuery: string,
  subresources: ReadonlySet<string>,
  emptyForm: EmptySubresourceForm = 'bare',
): string {
  const items: Array<[string, string]> = [];
  for (const item of splitRawQuery(rawQuery)) {
    const name = safeDecodeURIComponent(item.name);
    if (!subresources.has(name)) continue;
    const value = safeDecodeURIComponent(item.value);
    if (value === '') items.push([name, emptyForm === 'literal' && item.hasEquals ? name + '=' : name]);
    else items.push([name, name + '=' + value]);
  }
  if (items.length === 0) return resource;
  items.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return resource + '?' + items.map((i) => i[1]).join('&');
}

export interface CanonicalStringToSignInput {
  method: string;
  contentMd5?: string;
  contentType?: string;
  /** The Date slot: the Date header value, '' or the Expires epoch seconds (presigned). */
  dateOrExpires: string;
  headers: HeaderBag;
  /** `x-amz-`, `x-oss-`, `x-obs-`... */
  headerPrefix: string;
  /** Path part of the canonical resource (with the bucket for virtual-host requests). */
  resource: string;
  rawQuery?: string;
  subresources: ReadonlySet<string>;
  emptySubresourceForm?: EmptySubresourceForm;
}

/** The generic V2-shaped string to sign. */
export function canonicalStringToSign(input: CanonicalStringToSignInput): string {
  const contentType = textOfHeaderBytes(input.contentType ?? '');
  return (
    `${input.method}\n${input.contentMd5 ?? ''}\n${contentType}\n${input.dateOrExpires}\n` +
    canonicalVendorHeaders(input.headers, input.headerPrefix) +
    canonicalResourceV2(input.resource, input.rawQuery ?? '', input.subresources, input.emptySubresourceForm)
  );
}

export interface StringToSignV2Input {
  method: string;
  headers: HeaderBag;
  /** `/bucket/key` as sent (for virtual-host requests, "/bucket" + path). */
  resource: string;
  rawQuery?: string;
  /** Defaults to the content-md5 header. */
  contentMd5?: string;
  /** Defaults to the content-type header. */
  contentType?: string;
  /** Defaults to the Date header, or '' when x-amz-date is present. */
  date?: string;
  /** Presigned: the Expires epoch seconds replace the date. */
  expires?: string;
  subresources?: ReadonlySet<string>;
  emptySubresourceForm?: EmptySubresourceForm;
}

/** S3's V2 string to sign. */
export function stringToSignV2(input: StringToSignV2Input): string {
  let date: string;
  if (input.expires !== undefined) date = input.expires;
  else if (input.date !== undefined) date = input.date;
  else date = lookupHeader(input.headers, 'x-amz-date') !== undefined ? '' : (lookupHeader(input.headers, 'date') ?? '').trim();
  return canonicalStringToSign({
    method: input.method,
    contentMd5: input.contentMd5 ?? lookupHeader(input.headers, 'content-md5')?.trim(),
    contentType: input.contentType ?? lookupHeader(input.headers, 'content-type')?.trim(),
    dateOrExpires: date,
    headers: input.headers,
    headerPrefix: 'x-amz-',
    resource: input.resource,
    rawQuery: input.rawQuery,
    subresources: input.subresources ?? S3_V2_SUBRESOURCES,
    emptySubresourceForm: input.emptySubresourceForm,
  });
}

/** base64(HMAC-SHA1(secret, stringToSign)). */
export function signV2(secret: string, stringToSign: string): string {
  return createHmac('sha1', secret).update(stringToSign, 'utf8').digest('base64');
}

// ---------------------------------------------------------------- client side

export interface SignRequestV2Input {
  method: string;
  /** The URL as sent; its pathname is signed literally. */
  url: URL;
  /** Mutable: date, x-amz-security-token and authorization are set on it. */
  headers: Record<string, string>;
  credentials: V4Credentials;
  /** Set when the bucket is in the Host (virtual-host style): the resource becomes "/bucket" + path. */
  virtualHostBucket?: string;
  date?: Date;
}

export interface SignedV2 {
  authorization: string;
  signature: string;
  stringToSign: string;
}

function resourceFor(url: URL, bucket?: string): string {
  return (bucket ? '/' + bucket : '') + (url.pathname === '' ? '/' : url.pathname);
}

/** Signs in place with `Authorization: AWS AK:signature` and a Date header. */
export function signRequestV2(input: SignRequestV2Input): SignedV2 {
  const h = input.headers;
  for (const k of Object.keys(h)) {
    const l = k.toLowerCase();
    if (l === 'authorization' || l === 'date' || (l === 'x-amz-security-token' && k !== l)) delete h[k];
  }
  h['date'] = (input.date ?? new Date()).toUTCString();
  if (input.credentials.sessionToken) h['x-amz-security-token'] = input.credentials.sessionToken;
  const stringToSign = stringToSignV2({
    method: input.method.toUpperCase(),
    headers: h,
    resource: resourceFor(input.url, input.virtualHostBucket),
    rawQuery: input.url.search,
  });
  const signature = signV2(input.credentials.secretAccessKey, stringToSign);
  const authorization = `AWS ${input.credentials.accessKeyId}:${signature}`;
  h['authorization'] = authorization;
  return { authorization, signature, stringToSign };
}

export interface PresignUrlV2Input {
  method: string;
  url: URL;
  credentials: V4Credentials;
  /** Seconds from `date` (default now); default 3600. Ignored when `expires` is given. */
  expiresSeconds?: number;
  /** Absolute expiry, epoch seconds. */
  expires?: number;
  date?: Date;
  virtualHostBucket?: string;
  /** Headers the URL's user will send (content-type, content-md5, x-amz-*); signed, not added to the URL. */
  headers?: Record<string, string>;
}

/** Query-string signed URL: AWSAccessKeyId, Expires, Signature (and x-amz-security-token with a session token). */
export function presignUrlV2(input: PresignUrlV2Input): string {
  const expires =
    input.expires ?? Math.floor((input.date ?? new Date()).getTime() / 1000) + (input.expiresSeconds ?? 3600);
  const headers: Record<string, string> = { ...(input.headers ?? {}) };
  let search = input.url.search.startsWith('?') ? input.url.search.slice(1) : input.url.search;
  if (input.credentials.sessionToken) {
    // Query x-amz-* parameters count as x-amz-* headers in the string to sign.
    headers['x-amz-security-token'] = input.credentials.sessionToken;
    search += (search ? '&' : '') + 'x-amz-security-token=' + awsUriEncode(input.credentials.sessionToken, true);
  }
  const stringToSign = stringToSignV2({
    method: input.method.toUpperCase(),
    headers,
    resource: resourceFor(input.url, input.virtualHostBucket),
    rawQuery: search,
    expires: String(expires),
  });
  const signature = signV2(input.credentials.secretAccessKey, stringToSign);
  const auth =
    `AWSAccessKeyId=${awsUriEncode(input.credentials.accessKeyId, true)}&Expires=${expires}` +
    `&Signature=${awsUriEncode(signature, true)}`;
  return `${input.url.protocol}//${input.url.host}${input.url.pathname}?${search ? search + '&' : ''}${auth}`;
}
