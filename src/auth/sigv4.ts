/**
 * AWS Signature Version 4: the canonical forms, the signing key, and the
 * client-side signer / presigner. The server-side check lives in
 * s3-verify.ts and uses the same functions, so a signature made here is
 * by construction one the server accepts.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { StorageError } from '../engine/errors.js';
import { textOfHeaderBytes } from './header-text.js';
import { awsUriEncode, parseRawQuery, safeDecodeURIComponent } from './uri.js';

export const V4_ALGORITHM = 'AWS4-HMAC-SHA256';
export const V4_TERMINATOR = 'aws4_request';
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
export const STREAMING_SIGNED_PAYLOAD = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD';
export const STREAMING_SIGNED_PAYLOAD_TRAILER = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER';
export const STREAMING_UNSIGNED_PAYLOAD_TRAILER = 'STREAMING-UNSIGNED-PAYLOAD-TRAILER';
/** sha256 of the empty string, hex. */
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
/** Longest validity of a presigned URL (7 days), in seconds. */
export const MAX_PRESIGN_EXPIRES = 604800;

export type HeaderValue = string | string[] | undefined;
export type HeaderBag = Record<string, HeaderValue>;

export interface V4Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

// ---------------------------------------------------------------- primitives

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export function hmacSha256(key: string | Uint8Array, data: string | Uint8Array): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

/** Constant-time string comparison (false when lengths differ). */
export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  if (ab.length !== bb.length) return false;
  return timingSafeEqual(ab, bb);
}

/** `YYYYMMDDTHHMMSSZ` for a Date. */
export function toAmzDate(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

const AMZ_DATE_RE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

let lastAmzDate: { text: string; ms: number | undefined } = { text: '', ms: undefined };

/** Parses `YYYYMMDDTHHMMSSZ`; undefined when malformed or not a real instant. The last one is kept (a second's requests share it). */
export function parseAmzDate(s: string): Date | undefined {
  if (s === lastAmzDate.text) return lastAmzDate.ms === undefined ? undefined : new Date(lastAmzDate.ms);
  const d = parseAmzDateOnce(s);
  lastAmzDate = { text: s, ms: d?.getTime() };
  return d;
}

function parseAmzDateOnce(s: string): Date | undefined {
  const m = AMZ_DATE_RE.exec(s);
  if (!m) return undefined;
  const [y, mo, d, h, mi, se] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const t = Date.UTC(y, mo - 1, d, h, mi, se);
  const date = new Date(t);
  // Reject overflowed fields such as month 13 or 25:00.
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d || date.getUTCHours() !== h ||
      date.getUTCMinutes() !== mi || date.getUTCSeconds() !== se) return undefined;
  return date;
}

// ---------------------------------------------------------------- signing key

const KEY_CACHE_MAX = 256;
const keyCache = new Map<string, Buffer>();

/**
 * kSigning = HMAC(HMAC(HMAC(HMAC("AWS4"+secret, date), region), service), "aws4_request"); cached (small LRU).
 * Keyed by the secret itself: it is in this process's memory anyway, and hashing it cost a SHA-256 per request.
 */
export function signingKeyV4(secret: string, date8: string, region: string, service: string): Buffer {
  const cacheKey = secret + '\0' + date8 + '\0' + region + '\0' + service;
  const hit = keyCache.get(cacheKey);
  if (hit) {
    keyCache.delete(cacheKey);
    keyCache.set(cacheKey, hit);
    return hit;
  }
  const kDate = hmacSha256('AWS4' + secret, date8);
  const kRegion = hmacSha256(kDate, region);
  const kService = hmacSha256(kRegion, service);
  const kSigning = hmacSha256(kService, V4_TERMINATOR);
  keyCache.set(cacheKey, kSigning);
  if (keyCache.size > KEY_CACHE_MAX) {
    const oldest = keyCache.keys().next().value;
    if (oldest !== undefined) keyCache.delete(oldest);
  }
  return kSigning;
}

/** `date/region/service/aws4_request`. */
export function credentialScopeV4(date8: string, region: string, service: string): string {
  return `${date8}/${region}/${service}/${V4_TERMINATOR}`;
}

// ---------------------------------------------------------------- canonical forms

/**
 * Canonical URI for S3 from the raw on-the-wire path: each '/'-separated
 * segment is decoded and re-encoded with awsUriEncode. S3 neither
 * normalises ("." / ".." / "//" stay) nor double-encodes. Decoding per
 * segment keeps an encoded slash (%2F) inside a segment as %2F.
 */
export function canonicalUriFromRawPath(rawPath: string): string {
  if (rawPath === '') return '/';
  return rawPath
    .split('/')
    .map((seg) => awsUriEncode(safeDecodeURIComponent(seg), true))
    .join('/');
}

/** Canonical query string: names and values awsUriEncode'd, sorted by name then value. */
export function canonicalQueryStringV4(query: Array<[string, string]>): string {
  const enc = query.map(([k, v]) => [awsUriEncode(k, true), awsUriEncode(v, true)] as [string, string]);
  enc.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return enc.map(([k, v]) => k + '=' + v).join('&');
}

function trimAll(v: string): string {
  return textOfHeaderBytes(v).trim().replace(/\s+/g, ' ');
}

/** Header value in canonical form: the text its bytes spell, trimmed, inner runs of whitespace collapsed; arrays joined with ','. */
export function canonicalHeaderValue(v: HeaderValue): string {
  if (v === undefined) return '';
  if (Array.isArray(v)) return v.map(trimAll).join(',');
  return trimAll(v);
}

export interface CanonicalRequestV4Input {
  method: string;
  canonicalUri: string;
  query: Array<[string, string]>;
  /** Lower-case names, as node:http gives them. */
  headers: HeaderBag;
  /** Lower-case names, in the order they are signed. */
  signedHeaders: string[];
  payloadHash: string;
}

export function canonicalRequestV4(input: CanonicalRequestV4Input): string {
  const headerLines = input.signedHeaders.map((name) => name + ':' + canonicalHeaderValue(input.headers[name]) + '\n').join('');
  return [
    input.method,
    input.canonicalUri,
    canonicalQueryStringV4(input.query),
    headerLines,
    input.signedHeaders.join(';'),
    input.payloadHash,
  ].join('\n');
}

/** String to sign; the third argument is the hex sha256 of the canonical request. */
export function stringToSignV4(amzDate: string, scope: string, canonicalRequestHex: string): string {
  return `${V4_ALGORITHM}\n${amzDate}\n${scope}\n${canonicalRequestHex}`;
}

/** Hex HMAC-SHA256 of the string to sign. */
export function signatureV4(signingKey: Buffer, stringToSign: string): string {
  return createHmac('sha256', signingKey).update(stringToSign).digest('hex');
}

// ---------------------------------------------------------------- Authorization header

export interface CredentialV4 {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  terminator: string;
  /** `date/region/service/terminator` as given. */
  scope: string;
}

/**
 * Splits `AK/20130524/us-east-1/s3/aws4_request`. The last four parts are
 * the scope; anything before them is the access key. Undefined when there
 * are not five parts, or one is empty but the region: botocore clients made
 * with `region_name=''` (ceph/s3-tests' IAM-account clients) sign an empty
 * one, which passes where no region is configured (it names none).
 */
export function parseCredentialV4(value: string): CredentialV4 | undefined {
  const parts = value.split('/');
  if (parts.length < 5) return undefined;
  const tail = parts.slice(-4);
  const accessKeyId = parts.slice(0, -4).join('/');
  if (accessKeyId === '' || tail.some((p, i) => p === '' && i !== 1)) return undefined;
  const [date, region, service, terminator] = tail as [string, string, string, string];
  return { accessKeyId, date, region, service, terminator, scope: tail.join('/') };
}

export interface AuthorizationV4 {
  algorithm: string;
  credential: CredentialV4;
  signedHeaders: string[];
  signature: string;
}

function malformedHeader(message: string): StorageError {
  return new StorageError('AuthorizationHeaderMalformed', `The authorization header is malformed; ${message}`);
}

/**
 * Parses `AWS4-HMAC-SHA256 Credential=..., SignedHeaders=a;b, Signature=hex`.
 * Fields are found by name; spaces after commas are optional.
 */
export function parseAuthorizationHeaderV4(value: string): AuthorizationV4 {
  const v = value.trim();
  const sp = v.search(/\s/);
  const algorithm = sp === -1 ? v : v.slice(0, sp);
  if (algorithm !== V4_ALGORITHM) throw malformedHeader(`the authorization mechanism must be ${V4_ALGORITHM}.`);
  const rest = sp === -1 ? '' : v.slice(sp + 1);
  const fields = new Map<string, string>();
  for (const raw of rest.split(',')) {
    const item = raw.trim();
    if (item === '') continue;
    const eq = item.indexOf('=');
    if (eq === -1) throw malformedHeader(`the authorization component "${item}" is malformed.`);
    const name = item.slice(0, eq).trim();
    if (fields.has(name)) throw malformedHeader(`the authorization component "${name}" is repeated.`);
    fields.set(name, item.slice(eq + 1).trim());
  }
  const credentialRaw = fields.get('Credential');
  const signedRaw = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (credentialRaw === undefined) throw malformedHeader('missing Credential.');
  if (signedRaw === undefined) throw malformedHeader('missing SignedHeaders.');
  if (signature === undefined) throw malformedHeader('missing Signature.');
  const credential = parseCredentialV4(credentialRaw);
  if (!credential) {
    throw malformedHeader(`the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".`);
  }
  const signedHeaders = signedRaw.split(';');
  if (signedHeaders.some((h) => h === '' || h !== h.toLowerCase())) {
    throw malformedHeader('SignedHeaders must be a semicolon-separated list of lower-case header names.');
  }
  if (!/^[0-9a-fA-F]{64}$/.test(signature)) throw malformedHeader('the Signature must be 64 hexadecimal characters.');
  return { algorithm, credential, signedHeaders, signature: signature.toLowerCase() };
}

// ---------------------------------------------------------------- client side

export interface SignRequestV4Input {
  method: string;
  /** The URL as it is sent: build the path with awsUriEncode(key, false). */
  url: URL;
  /** Mutable: host, x-amz-date, x-amz-content-sha256, x-amz-security-token and authorization are set on it. */
  headers: Record<string, string>;
  /** Hex sha256 of the body, 'UNSIGNED-PAYLOAD' (default) or a STREAMING-* value. */
  payloadHash?: string;
  credentials: V4Credentials;
  region: string;
  service?: string;
  date?: Date;
}

export interface SignedV4 {
  authorization: string;
  signature: string;
  signingKey: Buffer;
  amzDate: string;
  scope: string;
  signedHeaders: string[];
  canonicalRequest: string;
  stringToSign: string;
}

/** Sets `name` (lower-case) on a record, removing any other-case spelling of it. */
function setHeader(headers: Record<string, string>, name: string, value: string): void {
  for (const k of Object.keys(headers)) {
    if (k !== name && k.toLowerCase() === name) delete headers[k];
  }
  headers[name] = value;
}

/**
 * Signs a request in place: adds host, x-amz-date, x-amz-content-sha256,
 * x-amz-security-token (with a session token) and authorization. Every
 * header given is signed, plus host.
 */
export function signRequestV4(input: SignRequestV4Input): SignedV4 {
  const service = input.service ?? 's3';
  const date = input.date ?? new Date();
  const amzDate = toAmzDate(date);
  const date8 = amzDate.slice(0, 8);
  const payloadHash = input.payloadHash ?? UNSIGNED_PAYLOAD;
  const h = input.headers;
  for (const k of Object.keys(h)) {
    if (k.toLowerCase() === 'authorization') delete h[k];
  }
  setHeader(h, 'host', input.url.host);
  setHeader(h, 'x-amz-date', amzDate);
  setHeader(h, 'x-amz-content-sha256', payloadHash);
  if (input.credentials.sessionToken) setHeader(h, 'x-amz-security-token', input.credentials.sessionToken);

  const lower: HeaderBag = {};
  for (const [k, v] of Object.entries(h)) lower[k.toLowerCase()] = v;
  const signedHeaders = Object.keys(lower).sort();
  const canonicalRequest = canonicalRequestV4({
    method: input.method.toUpperCase(),
    canonicalUri: canonicalUriFromRawPath(input.url.pathname),
    query: parseRawQuery(input.url.search),
    headers: lower,
    signedHeaders,
    payloadHash,
  });
  const scope = credentialScopeV4(date8, input.region, service);
  const stringToSign = stringToSignV4(amzDate, scope, sha256Hex(canonicalRequest));
  const signingKey = signingKeyV4(input.credentials.secretAccessKey, date8, input.region, service);
  const signature = signatureV4(signingKey, stringToSign);
  const authorization =
    `${V4_ALGORITHM} Credential=${input.credentials.accessKeyId}/${scope}, ` +
    `SignedHeaders=${signedHeaders.join(';')}, Signature=${signature}`;
  h['authorization'] = authorization;
  return { authorization, signature, signingKey, amzDate, scope, signedHeaders, canonicalRequest, stringToSign };
}

export interface PresignUrlV4Input {
  method: string;
  /** The URL as it will be requested (path built with awsUriEncode(key, false)); existing query parameters are kept and signed. */
  url: URL;
  credentials: V4Credentials;
  region: string;
  /** 1..604800; default 3600. */
  expiresSeconds?: number;
  date?: Date;
  service?: string;
}

/**
 * Query-string signed URL (X-Amz-Algorithm, X-Amz-Credential, X-Amz-Date,
 * X-Amz-Expires, X-Amz-SignedHeaders=host, [X-Amz-Security-Token],
 * X-Amz-Signature), payload 'UNSIGNED-PAYLOAD'. The query of the result is
 * written in canonical (awsUriEncode'd) form.
 */
export function presignUrlV4(input: PresignUrlV4Input): string {
  const service = input.service ?? 's3';
  const date = input.date ?? new Date();
  const expires = input.expiresSeconds ?? 3600;
  if (!Number.isInteger(expires) || expires < 1 || expires > MAX_PRESIGN_EXPIRES) {
    throw new StorageError('AuthorizationQueryParametersError', `X-Amz-Expires must be an integer between 1 and ${MAX_PRESIGN_EXPIRES}`);
  }
  const amzDate = toAmzDate(date);
  const date8 = amzDate.slice(0, 8);
  const scope = credentialScopeV4(date8, input.region, service);
  const query = parseRawQuery(input.url.search).filter(([k]) => k !== 'X-Amz-Signature');
  query.push(
    ['X-Amz-Algorithm', V4_ALGORITHM],
    ['X-Amz-Credential', `${input.credentials.accessKeyId}/${scope}`],
    ['X-Amz-Date', amzDate],
    ['X-Amz-Expires', String(expires)],
    ['X-Amz-SignedHeaders', 'host'],
  );
  if (input.credentials.sessionToken) query.push(['X-Amz-Security-Token', input.credentials.sessionToken]);
  const canonicalUri = canonicalUriFromRawPath(input.url.pathname);
  const canonicalRequest = canonicalRequestV4({
    method: input.method.toUpperCase(),
    canonicalUri,
    query,
    headers: { host: input.url.host },
    signedHeaders: ['host'],
    payloadHash: UNSIGNED_PAYLOAD,
  });
  const stringToSign = stringToSignV4(amzDate, scope, sha256Hex(canonicalRequest));
  const signature = signatureV4(signingKeyV4(input.credentials.secretAccessKey, date8, input.region, service), stringToSign);
  const qs = canonicalQueryStringV4(query) + '&X-Amz-Signature=' + signature;
  return `${input.url.protocol}//${input.url.host}${input.url.pathname}?${qs}`;
}
