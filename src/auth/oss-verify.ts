/**
 * Server-side check of an OSS request's signature: V1 (header and signed
 * URL) and V4 (header and query). One entry point, verifyOssRequest; every
 * failure is a StorageError carrying the fields OSS puts in its error body
 * (StringToSign, StringToSignBytes, OSSAccessKeyId, EC, ...).
 */
import { StorageError } from '../engine/errors.js';
import { checkSessionToken, type Credential, type CredentialLookup, type PayloadCheck } from './s3-verify.js';
import { lookupHeader, ossResource, signOssV1, stringToSignBytes, stringToSignOssV1 } from './oss-v1.js';
import {
  OSS4_ALGORITHM,
  OSS4_MAX_EXPIRES,
  OSS4_SERVICE,
  OSS4_TERMINATOR,
  OSS_UNSIGNED_PAYLOAD,
  canonicalRequestOssV4,
  lowerHeaders,
  normaliseAdditionalHeaders,
  parseAuthorizationOssV4,
  parseCredentialOssV4,
  scopeOssV4,
  signatureOssV4,
  signingKeyOssV4,
  stringToSignOssV4,
  type CredentialOssV4,
  type EmptyValueForm,
} from './oss-v4.js';
import { parseAuthorizationOssV2, signOssV2, stringToSignOssV2 } from './oss-v2.js';
import { parseAmzDate, safeEqual, type HeaderBag } from './sigv4.js';
import { parseRawQuery } from './uri.js';

export interface OssAuthRequest {
  method: string;
  /** Query as received, still percent-encoded, without the '?'. */
  rawQuery: string;
  headers: HeaderBag;
  bucket?: string;
  key?: string;
}

export interface OssVerifyOptions {
  now?: Date;
  /** Allowed clock difference; default 15 minutes. */
  maxSkewMs?: number;
  /** The region a V4 scope must name (region id, e.g. cn-hangzhou); unset: any. */
  region?: string;
}

export interface OssAuthResult {
  credential: Credential;
  scheme: 'v1-header' | 'v1-query' | 'v2-header' | 'v2-query' | 'v4-header' | 'v4-query';
  payload: PayloadCheck;
  /** The region a V4 signature names. */
  region?: string;
}

const DEFAULT_SKEW_MS = 15 * 60 * 1000;
const HEX64 = /^[0-9a-fA-F]{64}$/;

const invalidArgument = (message: string, detail: Record<string, string> = {}) => new StorageError('InvalidArgument', message, detail);
const accessDenied = (message: string, detail: Record<string, string> = {}) => new StorageError('AccessDenied', message, detail);

function param(query: Array<[string, string]>, name: string): string | undefined {
  for (const [k, v] of query) if (k === name) return v;
  return undefined;
}

async function findCredential(lookup: CredentialLookup, accessKeyId: string): Promise<Credential> {
  const cred = await lookup(accessKeyId);
  if (!cred) throw new StorageError('InvalidAccessKeyId', undefined, { OSSAccessKeyId: accessKeyId });
  return cred;
}

/** Security tokens (STS, `x-oss-security-token` / `security-token`): see checkSessionToken. */
const checkSecurityToken = checkSessionToken;

function checkSkew(requestTime: Date, now: Date, maxSkewMs: number): void {
  if (Math.abs(now.getTime() - requestTime.getTime()) > maxSkewMs) {
    throw new StorageError('RequestTimeTooSkewed', 'The difference between the request time and the current time is too large.', {
      RequestTime: requestTime.toUTCString(),
      ServerTime: now.toUTCString(),
      MaxAllowedSkewMilliseconds: String(maxSkewMs),
    });
  }
}

function mismatch(accessKeyId: string, provided: string, stringToSign: string, extra: Record<string, string> = {}): StorageError {
  return new StorageError('SignatureDoesNotMatch', undefined, {
    OSSAccessKeyId: accessKeyId,
    SignatureProvided: provided,
    StringToSign: stringToSign,
    StringToSignBytes: stringToSignBytes(stringToSign),
    ...extra,
  });
}

// ---------------------------------------------------------------- V1

async function verifyV1Header(req: OssAuthRequest, authorization: string, lookup: CredentialLookup, now: Date, maxSkewMs: number): Promise<OssAuthResult> {
  const m = /^OSS ([^:\s]+):(\S+)$/.exec(authorization.trim());
  if (!m) throw invalidArgument('Authorization header is invalid.', { Authorization: authorization });
  const accessKeyId = m[1]!;
  const provided = m[2]!;
  const dateHeader = lookupHeader(req.headers, 'date')?.trim();
  const ossDate = lookupHeader(req.headers, 'x-oss-date')?.trim();
  const when = Date.parse(ossDate ?? dateHeader ?? '');
  if (Number.isNaN(when)) throw accessDenied('OSS authentication requires a valid Date.');
  checkSkew(new Date(when), now, maxSkewMs);
  const cred = await findCredential(lookup, accessKeyId);
  checkSecurityToken(cred, lookupHeader(req.headers, 'x-oss-security-token'));
  // The Date slot holds the Date header (oss2, the Go and Java SDKs) or, without one, x-oss-date (ali-oss).
  const slots = [...new Set([dateHeader, ossDate].filter((d): d is string => d !== undefined))];
  const candidates = slots.map((date) =>
    stringToSignOssV1({ method: req.method, headers: req.headers, resource: ossResource(req.bucket, req.key), rawQuery: req.rawQuery, date }),
  );
  if (!candidates.some((s) => safeEqual(signOssV1(cred.secretAccessKey, s), provided))) throw mismatch(accessKeyId, provided, candidates[0]!);
  return { credential: cred, scheme: 'v1-header', payload: { kind: 'unsigned' } };
}

/** A signed URL's expiry parameter `name`: epoch seconds, not yet past. */
function checkUrlExpiry(name: string, expires: string, now: Date): void {
  if (!/^\d{1,12}$/.test(expires)) throw invalidArgument(`${name} should be the number of seconds since the epoch.`, { ArgumentName: name, ArgumentValue: expires });
  if (now.getTime() > Number(expires) * 1000) {
    throw accessDenied('Request has expired.', { Expires: new Date(Number(expires) * 1000).toISOString(), ServerTime: now.toISOString() });
  }
}

async function verifyV1Query(req: OssAuthRequest, query: Array<[string, string]>, lookup: CredentialLookup, now: Date): Promise<OssAuthResult> {
  const accessKeyId = param(query, 'OSSAccessKeyId');
  const signature = param(query, 'Signature');
  const expires = param(query, 'Expires');
  if (accessKeyId === undefined || signature === undefined || expires === undefined) {
    throw accessDenied('Query-string authentication requires the OSSAccessKeyId, Expires and Signature parameters.');
  }
  checkUrlExpiry('Expires', expires, now);
  const cred = await findCredential(lookup, accessKeyId);
  checkSecurityToken(cred, param(query, 'security-token') ?? lookupHeader(req.headers, 'x-oss-security-token'));
  const stringToSign = stringToSignOssV1({ method: req.method, headers: req.headers, resource: ossResource(req.bucket, req.key), rawQuery: req.rawQuery, date: expires });
  if (!safeEqual(signOssV1(cred.secretAccessKey, stringToSign), signature)) throw mismatch(accessKeyId, signature, stringToSign);
  return { credential: cred, scheme: 'v1-query', payload: { kind: 'unsigned' } };
}

// ---------------------------------------------------------------- V2

async function verifyV2Header(req: OssAuthRequest, authorization: string, query: Array<[string, string]>, lookup: CredentialLookup, now: Date, maxSkewMs: number): Promise<OssAuthResult> {
  const auth = parseAuthorizationOssV2(authorization.trim());
  if (!auth) throw invalidArgument('Authorization header is invalid.', { Authorization: authorization });
  const date = lookupHeader(req.headers, 'date')?.trim();
  const when = Date.parse(date ?? '');
  if (date === undefined || Number.isNaN(when)) throw accessDenied('OSS authentication requires a valid Date.');
  checkSkew(new Date(when), now, maxSkewMs);
  const cred = await findCredential(lookup, auth.accessKeyId);
  checkSecurityToken(cred, lookupHeader(req.headers, 'x-oss-security-token'));
  const stringToSign = stringToSignOssV2({ method: req.method, headers: req.headers, bucket: req.bucket, key: req.key, query, additionalHeaders: auth.additionalHeaders, date });
  if (!safeEqual(signOssV2(cred.secretAccessKey, stringToSign), auth.signature)) throw mismatch(auth.accessKeyId, auth.signature, stringToSign);
  return { credential: cred, scheme: 'v2-header', payload: { kind: 'unsigned' } };
}

async function verifyV2Query(req: OssAuthRequest, query: Array<[string, string]>, lookup: CredentialLookup, now: Date): Promise<OssAuthResult> {
  const accessKeyId = param(query, 'x-oss-access-key-id');
  const expires = param(query, 'x-oss-expires');
  const signature = param(query, 'x-oss-signature');
  if (accessKeyId === undefined || expires === undefined || signature === undefined) {
    throw accessDenied('Signature version 2 URLs require the x-oss-access-key-id, x-oss-expires and x-oss-signature parameters.');
  }
  checkUrlExpiry('x-oss-expires', expires, now);
  const cred = await findCredential(lookup, accessKeyId);
  checkSecurityToken(cred, param(query, 'security-token') ?? lookupHeader(req.headers, 'x-oss-security-token'));
  const additional = (param(query, 'x-oss-additional-headers') ?? '').split(';').filter(Boolean);
  const signed = query.filter(([k]) => k !== 'x-oss-signature');
  const stringToSign = stringToSignOssV2({ method: req.method, headers: req.headers, bucket: req.bucket, key: req.key, query: signed, additionalHeaders: additional, date: expires });
  if (!safeEqual(signOssV2(cred.secretAccessKey, stringToSign), signature)) throw mismatch(accessKeyId, signature, stringToSign);
  return { credential: cred, scheme: 'v2-query', payload: { kind: 'unsigned' } };
}

// ---------------------------------------------------------------- V4

function checkScope(c: CredentialOssV4 | undefined, raw: string, opts: OssVerifyOptions, where: string): CredentialOssV4 {
  if (!c || c.terminator !== OSS4_TERMINATOR || c.product !== OSS4_SERVICE || !/^\d{8}$/.test(c.date)) {
    throw invalidArgument(`Invalid credential in ${where}.`, { Credential: raw, EC: '0002-00000213' });
  }
  if (opts.region !== undefined && c.region !== opts.region) {
    throw invalidArgument(`Invalid signing region in ${where}.`, { Credential: raw, EC: '0002-00000226' });
  }
  return c;
}

/** Query forms to try: OSS's own (an empty value signed as the bare name), then as sent ("name="). */
function emptyForms(rawQuery: string): EmptyValueForm[] {
  return /(^|&)[^&=]+=(&|$)/.test(rawQuery) ? ['bare', 'equals'] : ['bare'];
}

async function verifyV4(
  req: OssAuthRequest,
  scheme: 'v4-header' | 'v4-query',
  parts: { credentialRaw: string; signature: string; additional: string[]; timestamp: string; payloadHash: string; query: Array<[string, string]> },
  lookup: CredentialLookup,
  opts: OssVerifyOptions,
  where: string,
): Promise<OssAuthResult> {
  const c = checkScope(parseCredentialOssV4(parts.credentialRaw), parts.credentialRaw, opts, where);
  if (c.date !== parts.timestamp.slice(0, 8)) throw invalidArgument(`Invalid signing date in ${where}.`, { Credential: parts.credentialRaw });
  const cred = await findCredential(lookup, c.accessKeyId);
  const token = scheme === 'v4-query' ? (param(parts.query, 'x-oss-security-token') ?? lookupHeader(req.headers, 'x-oss-security-token')) : lookupHeader(req.headers, 'x-oss-security-token');
  checkSecurityToken(cred, token);
  const headers = lowerHeaders(req.headers);
  const additional = normaliseAdditionalHeaders(parts.additional);
  const scope = scopeOssV4(c.date, c.region, c.product);
  const signingKey = signingKeyOssV4(cred.secretAccessKey, c.date, c.region, c.product);
  let first: { canonicalRequest: string; stringToSign: string } | undefined;
  for (const form of emptyForms(req.rawQuery)) {
    const canonicalRequest = canonicalRequestOssV4({
      method: req.method,
      bucket: req.bucket,
      key: req.key,
      query: parts.query,
      headers,
      additionalHeaders: additional,
      payloadHash: parts.payloadHash,
      emptyValueForm: form,
    });
    const stringToSign = stringToSignOssV4(parts.timestamp, scope, canonicalRequest);
    first ??= { canonicalRequest, stringToSign };
    if (safeEqual(signatureOssV4(signingKey, stringToSign), parts.signature.toLowerCase())) {
      const payload: PayloadCheck = HEX64.test(parts.payloadHash) ? { kind: 'sha256', expected: parts.payloadHash.toLowerCase() } : { kind: 'unsigned' };
      return { credential: cred, scheme, payload, region: c.region };
    }
  }
  throw mismatch(c.accessKeyId, parts.signature, first!.stringToSign, { CanonicalRequest: first!.canonicalRequest });
}

async function verifyV4Header(req: OssAuthRequest, authorization: string, query: Array<[string, string]>, lookup: CredentialLookup, opts: OssVerifyOptions, now: Date, maxSkewMs: number) {
  const auth = parseAuthorizationOssV4(authorization.trim());
  if (!auth) throw invalidArgument('Authorization header is invalid.', { Authorization: authorization });
  const ossDate = lookupHeader(req.headers, 'x-oss-date')?.trim();
  let timestamp: string | undefined;
  let requestTime: Date | undefined;
  if (ossDate !== undefined) {
    requestTime = parseAmzDate(ossDate);
    timestamp = ossDate;
  } else {
    const t = Date.parse(lookupHeader(req.headers, 'date') ?? '');
    if (!Number.isNaN(t)) {
      requestTime = new Date(t);
      timestamp = requestTime.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
    }
  }
  if (!requestTime || !timestamp) throw accessDenied('OSS V4 authentication requires a valid x-oss-date (yyyyMMddTHHmmssZ) or Date header.');
  checkSkew(requestTime, now, maxSkewMs);
  const payloadHash = lookupHeader(req.headers, 'x-oss-content-sha256')?.trim();
  if (payloadHash === undefined) throw invalidArgument('Missing required header for this request: x-oss-content-sha256.', { ArgumentName: 'x-oss-content-sha256' });
  if (payloadHash !== OSS_UNSIGNED_PAYLOAD && !HEX64.test(payloadHash)) {
    throw invalidArgument('x-oss-content-sha256 must be UNSIGNED-PAYLOAD or the hex sha256 of the body.', { ArgumentName: 'x-oss-content-sha256', ArgumentValue: payloadHash });
  }
  return verifyV4(req, 'v4-header', { credentialRaw: auth.credential, signature: auth.signature, additional: auth.additionalHeaders, timestamp, payloadHash, query }, lookup, opts, 'Authorization header');
}

async function verifyV4Query(req: OssAuthRequest, query: Array<[string, string]>, lookup: CredentialLookup, opts: OssVerifyOptions, now: Date, maxSkewMs: number) {
  const version = param(query, 'x-oss-signature-version');
  const credentialRaw = param(query, 'x-oss-credential');
  const timestamp = param(query, 'x-oss-date');
  const expiresRaw = param(query, 'x-oss-expires');
  const signature = param(query, 'x-oss-signature');
  if (version !== OSS4_ALGORITHM) {
    throw invalidArgument('The x-oss-signature-version parameter is invalid.', { ArgumentName: 'x-oss-signature-version', ArgumentValue: version ?? '', EC: '0002-00000066' });
  }
  if (credentialRaw === undefined || timestamp === undefined || expiresRaw === undefined || signature === undefined) {
    throw invalidArgument('V4 signed URLs require x-oss-credential, x-oss-date, x-oss-expires and x-oss-signature.');
  }
  const requestTime = parseAmzDate(timestamp);
  if (!requestTime) throw invalidArgument('x-oss-date must be in the form yyyyMMddTHHmmssZ.', { ArgumentName: 'x-oss-date', ArgumentValue: timestamp });
  if (!/^\d{1,7}$/.test(expiresRaw) || Number(expiresRaw) < 1 || Number(expiresRaw) > OSS4_MAX_EXPIRES) {
    throw invalidArgument(`x-oss-expires must be between 1 and ${OSS4_MAX_EXPIRES} seconds.`, { ArgumentName: 'x-oss-expires', ArgumentValue: expiresRaw });
  }
  if (requestTime.getTime() - now.getTime() > maxSkewMs) throw accessDenied('Request is not valid yet.', { 'x-oss-date': timestamp, ServerTime: now.toISOString() });
  const expiry = requestTime.getTime() + Number(expiresRaw) * 1000;
  if (now.getTime() > expiry) throw accessDenied('Request has expired.', { Expires: new Date(expiry).toISOString(), ServerTime: now.toISOString() });
  const additional = (param(query, 'x-oss-additional-headers') ?? '').split(';').filter(Boolean);
  return verifyV4(
    req,
    'v4-query',
    { credentialRaw, signature, additional, timestamp, payloadHash: OSS_UNSIGNED_PAYLOAD, query: query.filter(([k]) => k !== 'x-oss-signature') },
    lookup,
    opts,
    'x-oss-credential',
  );
}

// ---------------------------------------------------------------- entry point

/** Verifies an OSS request; undefined when it carries no credentials at all. */
export async function verifyOssRequest(req: OssAuthRequest, lookup: CredentialLookup, opts: OssVerifyOptions): Promise<OssAuthResult | undefined> {
  const now = opts.now ?? new Date();
  const maxSkewMs = opts.maxSkewMs ?? DEFAULT_SKEW_MS;
  const query = parseRawQuery(req.rawQuery);
  const authorization = lookupHeader(req.headers, 'authorization');
  const version = param(query, 'x-oss-signature-version');
  const v2Query = version === 'OSS2' || (version === undefined && query.some(([k]) => k === 'x-oss-access-key-id'));
  const v4Query = !v2Query && query.some(([k]) => k === 'x-oss-signature-version' || k === 'x-oss-credential' || k === 'x-oss-signature');
  const v1Query = query.some(([k]) => k === 'OSSAccessKeyId' || k === 'Signature');
  if ((authorization !== undefined ? 1 : 0) + (v4Query || v2Query ? 1 : 0) + (v1Query ? 1 : 0) > 1) {
    throw invalidArgument('Only one authentication mechanism is allowed: the Authorization header, or the signature query parameters.');
  }
  if (authorization !== undefined) {
    const a = authorization.trim();
    if (a.startsWith('OSS ')) return verifyV1Header(req, a, lookup, now, maxSkewMs);
    if (a.startsWith(OSS4_ALGORITHM + ' ')) return verifyV4Header(req, a, query, lookup, opts, now, maxSkewMs);
    if (a.startsWith('OSS2 ')) return verifyV2Header(req, a, query, lookup, now, maxSkewMs);
    throw invalidArgument('Authorization header is invalid.', { Authorization: a.split(/\s/)[0] ?? '' });
  }
  if (v2Query) return verifyV2Query(req, query, lookup, now);
  if (v4Query) return verifyV4Query(req, query, lookup, opts, now, maxSkewMs);
  if (v1Query) return verifyV1Query(req, query, lookup, now);
  return undefined;
}
