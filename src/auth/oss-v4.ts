/**
 * Aliyun OSS Signature Version 4 (OSS4-HMAC-SHA256), header and query
 * forms. Shaped like AWS SigV4 with OSS's differences:
 * - canonical URI is `/bucket/key` (bucket always included, whatever the
 *   addressing style), percent-encoded with '/' kept;
 * - every query parameter is signed; one with an empty value is written as
 *   its bare name (no '=');
 * - canonical headers are Content-Type, Content-MD5, every `x-oss-*` header
 *   and the listed "additional headers", which alone appear on the
 *   additional-headers line (there is no SignedHeaders list);
 * - the payload hash is `x-oss-content-sha256` (UNSIGNED-PAYLOAD for URLs);
 * - scope `date/region/oss/aliyun_v4_request`, key chain starting from
 *   "aliyun_v4" + secret.
 */
import { createHash, createHmac } from 'node:crypto';
import { textOfHeaderBytes } from './header-text.js';
import { awsUriEncode, parseRawQuery } from './uri.js';
import { toAmzDate, type HeaderBag, type HeaderValue, type V4Credentials } from './sigv4.js';

export const OSS4_ALGORITHM = 'OSS4-HMAC-SHA256';
export const OSS4_TERMINATOR = 'aliyun_v4_request';
export const OSS4_SERVICE = 'oss';
export const OSS_UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
/** Longest validity of a V4 signed URL (7 days), in seconds. */
export const OSS4_MAX_EXPIRES = 604800;

export const sha256Hex = (s: string | Uint8Array) => createHash('sha256').update(s).digest('hex');
const hmac = (key: string | Uint8Array, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

/** How a query parameter with an empty value is written: 'bare' (`acl`, OSS's rule) or 'equals' (`acl=`). */
export type EmptyValueForm = 'bare' | 'equals';

/** `/bucket/key` percent-encoded ('/' kept); `/bucket/` for a bucket, `/` for the service. */
export function canonicalUriOssV4(bucket?: string, key?: string): string {
  if (!bucket) return '/';
  return awsUriEncode(`/${bucket}/${key ?? ''}`, false);
}

/** Every parameter, names and values encoded, sorted by encoded name then value. */
export function canonicalQueryOssV4(query: Array<[string, string]>, empty: EmptyValueForm = 'bare'): string {
  const enc = query.map(([k, v]) => [awsUriEncode(k, true), awsUriEncode(v, true)] as [string, string]);
  enc.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return enc.map(([k, v]) => (v === '' && empty === 'bare' ? k : k + '=' + v)).join('&');
}

function headerText(v: HeaderValue): string {
  if (v === undefined) return '';
  return Array.isArray(v) ? v.join(',') : v;
}

/** Lower-cases header names (node:http already does; client code may not). */
export function lowerHeaders(headers: HeaderBag): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) out[k.toLowerCase()] = headerText(v);
  return out;
}

/** Additional headers as signed: lower-cased, de-duplicated, sorted, without the always-signed ones. */
export function normaliseAdditionalHeaders(names: Iterable<string>): string[] {
  const out = new Set<string>();
  for (const n of names) {
    const l = n.trim().toLowerCase();
    if (l && l !== 'content-type' && l !== 'content-md5' && !l.startsWith('x-oss-')) out.add(l);
  }
  return [...out].sort();
}

/** The canonical headers block (each line ends with '\n'). Additional headers missing from the request are skipped. */
export function canonicalHeadersOssV4(headers: Record<string, string>, additional: string[]): string {
  const names = new Set<string>();
  for (const n of Object.keys(headers)) if (n === 'content-type' || n === 'content-md5' || n.startsWith('x-oss-')) names.add(n);
  for (const n of additional) if (headers[n] !== undefined) names.add(n);
  return [...names]
    .sort()
    .map((n) => `${n}:${textOfHeaderBytes(headers[n]!).trim()}\n`)
    .join('');
}

export interface CanonicalRequestOssV4Input {
  method: string;
  bucket?: string;
  key?: string;
  /** Decoded query pairs (without x-oss-signature). */
  query: Array<[string, string]>;
  /** Lower-case names. */
  headers: Record<string, string>;
  additionalHeaders: string[];
  payloadHash: string;
  emptyValueForm?: EmptyValueForm;
}

export function canonicalRequestOssV4(input: CanonicalRequestOssV4Input): string {
  return [
    input.method.toUpperCase(),
    canonicalUriOssV4(input.bucket, input.key),
    canonicalQueryOssV4(input.query, input.emptyValueForm),
    canonicalHeadersOssV4(input.headers, input.additionalHeaders),
    input.additionalHeaders.join(';'),
    input.payloadHash,
  ].join('\n');
}

export function scopeOssV4(date8: string, region: string, product = OSS4_SERVICE): string {
  return `${date8}/${region}/${product}/${OSS4_TERMINATOR}`;
}

export function stringToSignOssV4(timestamp: string, scope: string, canonicalRequest: string): string {
  return `${OSS4_ALGORITHM}\n${timestamp}\n${scope}\n${sha256Hex(canonicalRequest)}`;
}

export function signingKeyOssV4(secret: string, date8: string, region: string, product = OSS4_SERVICE): Buffer {
  return hmac(hmac(hmac(hmac('aliyun_v4' + secret, date8), region), product), OSS4_TERMINATOR);
}

export function signatureOssV4(signingKey: Buffer, stringToSign: string): string {
  return createHmac('sha256', signingKey).update(stringToSign, 'utf8').digest('hex');
}

export interface CredentialOssV4 {
  accessKeyId: string;
  date: string;
  region: string;
  product: string;
  terminator: string;
}

/** `AK/yyyymmdd/region/oss/aliyun_v4_request`; undefined when it has not five parts. */
export function parseCredentialOssV4(value: string): CredentialOssV4 | undefined {
  const parts = value.split('/');
  if (parts.length !== 5 || parts.some((p) => p === '')) return undefined;
  const [accessKeyId, date, region, product, terminator] = parts as [string, string, string, string, string];
  return { accessKeyId, date, region, product, terminator };
}

export interface AuthorizationOssV4 {
  credential: string;
  additionalHeaders: string[];
  signature: string;
}

/** `OSS4-HMAC-SHA256 Credential=...,AdditionalHeaders=a;b,Signature=...`; undefined when malformed. */
export function parseAuthorizationOssV4(value: string): AuthorizationOssV4 | undefined {
  if (!value.startsWith(OSS4_ALGORITHM + ' ')) return undefined;
  const fields = new Map<string, string>();
  for (const part of value.slice(OSS4_ALGORITHM.length + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) return undefined;
    fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const credential = fields.get('Credential');
  const signature = fields.get('Signature');
  if (!credential || !signature) return undefined;
  const additional = fields.get('AdditionalHeaders');
  return { credential, signature, additionalHeaders: additional ? additional.split(';') : [] };
}

// ---------------------------------------------------------------- client side

export interface SignRequestOssV4Input {
  method: string;
  bucket?: string;
  key?: string;
  /** The query the request is sent with (all of it is signed). */
  rawQuery?: string;
  /** Mutable: x-oss-date, x-oss-content-sha256, x-oss-security-token and authorization are set on it. */
  headers: Record<string, string>;
  credentials: V4Credentials;
  /** Region id as signed, e.g. cn-hangzhou (no "oss-" prefix). */
  region: string;
  /** Hex sha256 of the body, or UNSIGNED-PAYLOAD (default). */
  payloadHash?: string;
  /** Other header names to sign (e.g. host). */
  additionalHeaders?: string[];
  date?: Date;
}

export interface SignedOssV4 {
  authorization: string;
  signature: string;
  canonicalRequest: string;
  stringToSign: string;
}

/** Signs a request in place with the V4 Authorization header. */
export function signRequestOssV4(input: SignRequestOssV4Input): SignedOssV4 {
  const timestamp = toAmzDate(input.date ?? new Date());
  const date8 = timestamp.slice(0, 8);
  const h = input.headers;
  for (const k of Object.keys(h)) if (k.toLowerCase() === 'authorization') delete h[k];
  h['x-oss-date'] = timestamp;
  h['x-oss-content-sha256'] = input.payloadHash ?? OSS_UNSIGNED_PAYLOAD;
  if (input.credentials.sessionToken) h['x-oss-security-token'] = input.credentials.sessionToken;
  const additional = normaliseAdditionalHeaders(input.additionalHeaders ?? []);
  const canonicalRequest = canonicalRequestOssV4({
    method: input.method,
    bucket: input.bucket,
    key: input.key,
    query: parseRawQuery(input.rawQuery ?? ''),
    headers: lowerHeaders(h),
    additionalHeaders: additional,
    payloadHash: h['x-oss-content-sha256'],
  });
  const scope = scopeOssV4(date8, input.region);
  const stringToSign = stringToSignOssV4(timestamp, scope, canonicalRequest);
  const signature = signatureOssV4(signingKeyOssV4(input.credentials.secretAccessKey, date8, input.region), stringToSign);
  const authorization =
    `${OSS4_ALGORITHM} Credential=${input.credentials.accessKeyId}/${scope},` +
    (additional.length ? `AdditionalHeaders=${additional.join(';')},` : '') +
    `Signature=${signature}`;
  h['authorization'] = authorization;
  return { authorization, signature, canonicalRequest, stringToSign };
}

export interface PresignUrlOssV4Input {
  method: string;
  /** The URL to sign (its existing query is kept and signed). */
  url: URL;
  bucket: string;
  key?: string;
  credentials: V4Credentials;
  region: string;
  /** 1..604800 seconds; default 3600. */
  expiresSeconds?: number;
  date?: Date;
  /** Headers the URL's user will send that are signed (content-type, x-oss-*, additional). */
  headers?: Record<string, string>;
  additionalHeaders?: string[];
}

/** A V4 signed URL: x-oss-signature-version, x-oss-credential, x-oss-date, x-oss-expires, [x-oss-additional-headers], x-oss-signature. */
export function presignUrlOssV4(input: PresignUrlOssV4Input): string {
  const timestamp = toAmzDate(input.date ?? new Date());
  const date8 = timestamp.slice(0, 8);
  const scope = scopeOssV4(date8, input.region);
  const additional = normaliseAdditionalHeaders(input.additionalHeaders ?? []);
  const query = parseRawQuery(input.url.search).filter(([k]) => k !== 'x-oss-signature');
  query.push(
    ['x-oss-signature-version', OSS4_ALGORITHM],
    ['x-oss-credential', `${input.credentials.accessKeyId}/${scope}`],
    ['x-oss-date', timestamp],
    ['x-oss-expires', String(input.expiresSeconds ?? 3600)],
  );
  if (additional.length) query.push(['x-oss-additional-headers', additional.join(';')]);
  if (input.credentials.sessionToken) query.push(['x-oss-security-token', input.credentials.sessionToken]);
  const canonicalRequest = canonicalRequestOssV4({
    method: input.method,
    bucket: input.bucket,
    key: input.key,
    query,
    headers: lowerHeaders(input.headers ?? {}),
    additionalHeaders: additional,
    payloadHash: OSS_UNSIGNED_PAYLOAD,
  });
  const signature = signatureOssV4(signingKeyOssV4(input.credentials.secretAccessKey, date8, input.region), stringToSignOssV4(timestamp, scope, canonicalRequest));
  const qs = canonicalQueryOssV4(query, 'equals') + '&x-oss-signature=' + signature;
  return `${input.url.protocol}//${input.url.host}${input.url.pathname}?${qs}`;
}
