/**
 * Huawei OBS request signatures, server and client side. OBS signs like AWS
 * V2 (HMAC-SHA1 over the generic V2 string to sign of sigv2.ts) with its own
 * sub-resource list. The OBS SDKs speak two families:
 *
 * - 'obs': `Authorization: OBS ak:sig`, `x-obs-` canonical headers; temporary
 *   URLs carry `AccessKeyId`, `Expires`, `Signature`.
 * - 'v2' (the SDKs' AWS-compatible mode, and what they fall back to for
 *   path-style or IP endpoints): `Authorization: AWS ak:sig`, `x-amz-`
 *   headers, `AWSAccessKeyId` URLs, but still OBS's sub-resource list
 *   (storageinfo, quota, append, position... are signed).
 *
 * In a temporary URL, query parameters named with the family's header prefix
 * (`x-obs-security-token`) are signed as part of the resource, as the SDKs do.
 */
import { StorageError } from '../engine/errors.js';
import { checkSessionToken, type Credential, type CredentialLookup, type AuthRequestView } from './s3-verify.js';
import { canonicalStringToSign, signV2 } from './sigv2.js';
import { safeEqual, type HeaderBag, type V4Credentials } from './sigv4.js';
import { awsUriEncode, parseRawQuery, safeDecodeURIComponent, splitRawQuery } from './uri.js';

/**
 * Sub-resources OBS signs, compared case-insensitively (the SDKs send
 * `storagePolicy`, `uploadId`, `partNumber`...). From the SDKs' resource list.
 */
export const OBS_SUBRESOURCES: ReadonlySet<string> = new Set([
  'acl',
  'append',
  'apiversion',
  'attname',
  'backtosource',
  'bucketstatus',
  'cors',
  'customdomain',
  'delete',
  'deletebucket',
  'directcoldaccess',
  'encryption',
  'inventory',
  'length',
  'lifecycle',
  'location',
  'logging',
  'metadata',
  'mirrorbacktosource',
  'modify',
  'name',
  'notification',
  'object-lock',
  'obsalias',
  'obsbucketalias',
  'obscompresspolicy',
  'obsworkflowtriggerpolicy',
  'partnumber',
  'policy',
  'policystatus',
  'position',
  'publicaccessblock',
  'quota',
  'rename',
  'replication',
  'requestpayment',
  'response-cache-control',
  'response-content-disposition',
  'response-content-encoding',
  'response-content-language',
  'response-content-type',
  'response-expires',
  'restore',
  'retention',
  'storageclass',
  'storageinfo',
  'storagepolicy',
  'tagging',
  'torrent',
  'truncate',
  'uploadid',
  'uploads',
  'versionid',
  'versioning',
  'versions',
  'website',
  'x-image-process',
  'x-image-save-bucket',
  'x-image-save-object',
  'x-obs-security-token',
  'x-oss-process',
]);

export type ObsFamily = 'obs' | 'v2';

export const OBS_FAMILY = {
  obs: { prefix: 'x-obs-', scheme: 'OBS', akParam: 'AccessKeyId' },
  v2: { prefix: 'x-amz-', scheme: 'AWS', akParam: 'AWSAccessKeyId' },
} as const;

/** Which family a request's credentials belong to; undefined when it carries none. */
export function obsFamilyOf(authorization: string | undefined, query: Map<string, string> | Array<[string, string]>): ObsFamily | undefined {
  const a = authorization?.trim();
  if (a?.startsWith('OBS ')) return 'obs';
  if (a?.startsWith('AWS ')) return 'v2';
  const has = (k: string) => (query instanceof Map ? query.has(k) : query.some(([n]) => n === k));
  if (has('AWSAccessKeyId')) return 'v2';
  if (has('AccessKeyId')) return 'obs';
  return undefined;
}

function header(headers: HeaderBag, name: string): string | undefined {
  for (const [k, v] of Object.entries(headers)) {
    if (v !== undefined && k.toLowerCase() === name) return Array.isArray(v) ? v.join(',') : v;
  }
  return undefined;
}

export interface ObsStringToSignInput {
  method: string;
  headers: HeaderBag;
  /** `/bucket/key` as sent (still encoded); virtual-host requests put "/bucket" in front of the path. */
  resource: string;
  rawQuery?: string;
  family: ObsFamily;
  /** Temporary URL: the Expires epoch seconds take the Date slot. */
  expires?: string;
  /** The Date slot as given (default: the Date header, or '' when an `x-obs-date` / `x-amz-date` header is present). */
  date?: string;
}

/** OBS's string to sign, for either family. */
export function obsStringToSign(input: ObsStringToSignInput): string {
  const prefix = OBS_FAMILY[input.family].prefix;
  // The generic canonicaliser matches names exactly; hand it the names as the client spelled them.
  const signed = new Set<string>();
  for (const item of splitRawQuery(input.rawQuery ?? '')) {
    const name = safeDecodeURIComponent(item.name);
    const lower = name.toLowerCase();
    if (OBS_SUBRESOURCES.has(lower) || (input.expires !== undefined && lower.startsWith(prefix))) signed.add(name);
  }
  let date: string;
  if (input.expires !== undefined) date = input.expires;
  else if (input.date !== undefined) date = input.date;
  else date = header(input.headers, prefix + 'date') !== undefined ? '' : (header(input.headers, 'date') ?? '').trim();
  return canonicalStringToSign({
    method: input.method,
    contentMd5: header(input.headers, 'content-md5')?.trim(),
    contentType: header(input.headers, 'content-type')?.trim(),
    dateOrExpires: date,
    headers: input.headers,
    headerPrefix: prefix,
    resource: input.resource === '' ? '/' : input.resource,
    rawQuery: input.rawQuery,
    subresources: signed,
    emptySubresourceForm: 'bare',
  });
}

// ---------------------------------------------------------------- server side

export interface ObsAuthResult {
  accessKeyId: string;
  credential: Credential;
  family: ObsFamily;
  scheme: 'header' | 'query';
}

export interface ObsVerifyOptions {
  now?: Date;
  /** Allowed clock difference for header-signed requests; default 15 minutes. */
  maxSkewMs?: number;
}

const DEFAULT_SKEW_MS = 15 * 60 * 1000;

function firstParam(query: Array<[string, string]>, name: string): string | undefined {
  for (const [k, v] of query) if (k === name) return v;
  return undefined;
}

function resourceOf(req: AuthRequestView): string {
  const path = req.rawPath === '' ? '/' : req.rawPath;
  return req.bucket ? '/' + req.bucket + path : path;
}

async function findCredential(lookup: CredentialLookup, accessKeyId: string): Promise<Credential> {
  const cred = await lookup(accessKeyId);
  if (!cred) throw new StorageError('InvalidAccessKeyId', 'The Access Key Id you provided does not exist in our records.', { AccessKeyId: accessKeyId });
  return cred;
}

/** `x-obs-security-token` / `x-amz-security-token` (and their query forms): see checkSessionToken. */
const checkToken = checkSessionToken;

/** Any candidate string to sign may match; the error reports the documented (first) one. */
function checkSignature(candidates: string[], secret: string, provided: string, accessKeyId: string): void {
  if (!candidates.some((s) => safeEqual(signV2(secret, s), provided)))
    throw new StorageError('SignatureDoesNotMatch', undefined, { AccessKeyId: accessKeyId, StringToSign: candidates[0], SignatureProvided: provided });
}

/**
 * Verifies an OBS-signed request (either family, header or temporary URL).
 * Returns undefined when it carries no credentials at all.
 */
export async function verifyObsRequest(req: AuthRequestView, lookup: CredentialLookup, opts: ObsVerifyOptions = {}): Promise<ObsAuthResult | undefined> {
  const now = opts.now ?? new Date();
  const query = parseRawQuery(req.rawQuery);
  const authorization = header(req.headers, 'authorization');
  const family = obsFamilyOf(authorization, query);
  if (family === undefined) {
    if (authorization !== undefined)
      throw new StorageError('InvalidArgument', 'Unsupported Authorization Type', { ArgumentName: 'Authorization', ArgumentValue: authorization.split(/\s/)[0] ?? '' });
    return undefined;
  }
  const { prefix, akParam } = OBS_FAMILY[family];

  if (authorization !== undefined) {
    if (query.some(([k]) => k === 'Signature'))
      throw new StorageError('InvalidArgument', 'Only one auth mechanism allowed; the Signature query parameter or the Authorization header should be specified', { ArgumentName: 'Authorization' });
    const m = /^(?:OBS|AWS) ([^:\s]+):(\S+)$/.exec(authorization.trim());
    if (!m) throw new StorageError('AccessDenied', 'The Authorization header is invalid: expected AccessKeyId:Signature');
    const [, accessKeyId, provided] = m as unknown as [string, string, string];
    const dateText = header(req.headers, prefix + 'date') ?? header(req.headers, 'date');
    const t = dateText === undefined ? NaN : Date.parse(dateText);
    if (Number.isNaN(t)) throw new StorageError('AccessDenied', 'Authentication requires a valid Date or ' + prefix + 'date header');
    const maxSkew = opts.maxSkewMs ?? DEFAULT_SKEW_MS;
    if (Math.abs(now.getTime() - t) > maxSkew)
      throw new StorageError('RequestTimeTooSkewed', undefined, { RequestTime: new Date(t).toISOString(), ServerTime: now.toISOString(), MaxAllowedSkewMilliseconds: String(maxSkew) });
    const cred = await findCredential(lookup, accessKeyId);
    checkToken(cred, header(req.headers, prefix + 'security-token'));
    const input = { method: req.method, headers: req.headers, resource: resourceOf(req), rawQuery: req.rawQuery, family };
    const candidates = [obsStringToSign(input)];
    // The guide leaves the Date slot empty when x-obs-date is sent; the SDKs sign the Date header regardless.
    const dateHeader = header(req.headers, 'date');
    if (header(req.headers, prefix + 'date') !== undefined && dateHeader !== undefined) candidates.push(obsStringToSign({ ...input, date: dateHeader.trim() }));
    checkSignature(candidates, cred.secretAccessKey, provided, accessKeyId);
    return { accessKeyId, credential: cred, family, scheme: 'header' };
  }

  const accessKeyId = firstParam(query, akParam);
  const signature = firstParam(query, 'Signature');
  const expires = firstParam(query, 'Expires');
  if (accessKeyId === undefined || signature === undefined || expires === undefined)
    throw new StorageError('AccessDenied', `Query-string authentication requires the Signature, Expires and ${akParam} parameters`);
  if (!/^\d{1,12}$/.test(expires)) throw new StorageError('AccessDenied', 'Invalid date (should be seconds since epoch): ' + expires);
  if (now.getTime() > Number(expires) * 1000)
    throw new StorageError('AccessDenied', 'Request has expired', { Expires: new Date(Number(expires) * 1000).toISOString(), ServerTime: now.toISOString() });
  const cred = await findCredential(lookup, accessKeyId);
  checkToken(cred, firstParam(query, prefix + 'security-token') ?? header(req.headers, prefix + 'security-token'));
  const sts = obsStringToSign({ method: req.method, headers: req.headers, resource: resourceOf(req), rawQuery: req.rawQuery, family, expires });
  checkSignature([sts], cred.secretAccessKey, signature, accessKeyId);
  return { accessKeyId, credential: cred, family, scheme: 'query' };
}

// ---------------------------------------------------------------- client side

function resourceFor(url: URL, bucket?: string): string {
  return (bucket ? '/' + bucket : '') + (url.pathname === '' ? '/' : url.pathname);
}

export interface SignObsRequestInput {
  method: string;
  /** The URL as sent; its pathname and query are signed as they appear. */
  url: URL;
  /** Mutable: date, the security token and authorization are set on it. */
  headers: Record<string, string>;
  credentials: V4Credentials;
  family?: ObsFamily;
  /** Set when the bucket is in the Host (virtual-hosted style). */
  virtualHostBucket?: string;
  date?: Date;
}

/** Signs in place with `Authorization: OBS ak:sig` (or `AWS ak:sig` for the v2 family) and a Date header. */
export function signObsRequest(input: SignObsRequestInput): { authorization: string; stringToSign: string } {
  const family = input.family ?? 'obs';
  const { prefix, scheme } = OBS_FAMILY[family];
  const h = input.headers;
  for (const k of Object.keys(h)) if (k.toLowerCase() === 'authorization' || k.toLowerCase() === 'date') delete h[k];
  h['date'] = (input.date ?? new Date()).toUTCString();
  if (input.credentials.sessionToken) h[prefix + 'security-token'] = input.credentials.sessionToken;
  const stringToSign = obsStringToSign({
    method: input.method.toUpperCase(),
    headers: h,
    resource: resourceFor(input.url, input.virtualHostBucket),
    rawQuery: input.url.search,
    family,
  });
  const authorization = `${scheme} ${input.credentials.accessKeyId}:${signV2(input.credentials.secretAccessKey, stringToSign)}`;
  h['authorization'] = authorization;
  return { authorization, stringToSign };
}

export interface PresignObsUrlInput {
  method: string;
  /** The URL with any sub-resource already in its query (e.g. `?acl`). */
  url: URL;
  credentials: V4Credentials;
  family?: ObsFamily;
  /** Seconds from `date` (default now); default 300, as the SDKs. Ignored when `expires` is given. */
  expiresSeconds?: number;
  /** Absolute expiry, epoch seconds. */
  expires?: number;
  date?: Date;
  virtualHostBucket?: string;
  /** Headers the URL's user will send (content-type, content-md5, x-obs-*): signed, not put in the URL. */
  headers?: Record<string, string>;
}

/** A temporary URL: `AccessKeyId` (or `AWSAccessKeyId`), `Expires`, `Signature`. */
export function presignObsUrl(input: PresignObsUrlInput): string {
  const family = input.family ?? 'obs';
  const { prefix, akParam } = OBS_FAMILY[family];
  const expires = input.expires ?? Math.floor((input.date ?? new Date()).getTime() / 1000) + (input.expiresSeconds ?? 300);
  let search = input.url.search.startsWith('?') ? input.url.search.slice(1) : input.url.search;
  if (input.credentials.sessionToken) search += (search ? '&' : '') + prefix + 'security-token=' + awsUriEncode(input.credentials.sessionToken, true);
  const stringToSign = obsStringToSign({
    method: input.method.toUpperCase(),
    headers: input.headers ?? {},
    resource: resourceFor(input.url, input.virtualHostBucket),
    rawQuery: search,
    family,
    expires: String(expires),
  });
  const signature = signV2(input.credentials.secretAccessKey, stringToSign);
  const auth = `${akParam}=${awsUriEncode(input.credentials.accessKeyId, true)}&Expires=${expires}&Signature=${awsUriEncode(signature, true)}`;
  return `${input.url.protocol}//${input.url.host}${input.url.pathname}?${search ? search + '&' : ''}${auth}`;
}
