/**
 * Tencent COS JSON API v4 signatures (spec §2), for both the server (verify)
 * and the SDK (sign).
 *
 *   Original = a=<appid>&k=<secretId>&e=<expired>&t=<now>&r=<rand>&f=<fileid>&b=<bucket>
 *   Sign     = Base64( HMAC-SHA1(secretKey, Original) ‖ Original )
 *
 * The plaintext travels inside the signature and the HMAC covers exactly its
 * bytes, so the verifier parses fields by name and never depends on their
 * order: the documentation writes a,b,k,e,t,r,f, the SDKs and every wire
 * example a,k,e,t,r,f,b (spec §8.1). A multi-use signature has `e` in the
 * future (at most 90 days after `t`) and may bind a fileid, matched as a
 * prefix; a single-use one has `e = 0`, binds exactly one fileid and is
 * usable once (the caller records it, see onceToken).
 */
import type { Principal } from '../authz/principal.js';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { StorageError, type ErrorCode } from '../engine/errors.js';
import { awsUriEncode } from './uri.js';

/** Longest validity of a multi-use signature: three months (§2.1). */
export const COS_MAX_VALIDITY_S = 7_776_000;

export interface CosCredentials {
  appid: string;
  secretId: string;
  secretKey: string;
}

/** The path encoding of fileids and request URLs: UTF-8, unreserved and `/` kept, upper-case hex (§2.4). */
export function cosEncodePath(cosPath: string): string {
  return awsUriEncode(cosPath, false);
}

/** `/<appid>/<bucket><encoded cos path>`: what sign_more and sign_once bind. */
export function cosFileid(appid: string, bucket: string, cosPath: string): string {
  return `/${appid}/${bucket}${cosEncodePath(cosPath)}`;
}

export interface CosPlain {
  appid: string;
  bucket: string;
  secretId: string;
  /** Expiry (epoch seconds), or 0 for a single-use signature. */
  expired: number;
  /** Signing time (epoch seconds). */
  now: number;
  rand: number;
  /** Bound fileid, already encoded; '' for none. */
  fileid: string;
  /** 'sdk' (a,k,e,t,r,f,b: the SDKs and wire examples) or 'documented' (a,b,k,e,t,r,f). */
  order?: 'sdk' | 'documented';
}

export function cosPlaintext(p: CosPlain): string {
  return p.order === 'documented'
    ? `a=${p.appid}&b=${p.bucket}&k=${p.secretId}&e=${p.expired}&t=${p.now}&r=${p.rand}&f=${p.fileid}`
    : `a=${p.appid}&k=${p.secretId}&e=${p.expired}&t=${p.now}&r=${p.rand}&f=${p.fileid}&b=${p.bucket}`;
}

function hmac(secretKey: string, plaintext: string): Buffer {
  return createHmac('sha1', secretKey).update(plaintext, 'utf8').digest();
}

/** Base64 of the raw HMAC-SHA1 digest followed by the plaintext (standard alphabet, padded). */
export function cosSign(secretKey: string, plaintext: string): string {
  return Buffer.concat([hmac(secretKey, plaintext), Buffer.from(plaintext, 'utf8')]).toString('base64');
}

export interface SignOptions {
  /** Signing time in epoch seconds (default: now). */
  now?: number;
  rand?: number;
  order?: 'sdk' | 'documented';
}

const nowSeconds = () => Math.floor(Date.now() / 1000);
const randomR = () => Math.floor(Math.random() * 1_000_000_000);

/**
 * As the Python SDK's app_sign: a non-zero `expired` smaller than now is a
 * duration, so `300` means five minutes from now.
 */
function sign(cred: CosCredentials, bucket: string, fileid: string, expired: number, o: SignOptions): string {
  const now = o.now ?? nowSeconds();
  const e = expired !== 0 && expired < now ? now + expired : expired;
  return cosSign(cred.secretKey, cosPlaintext({ appid: cred.appid, bucket, secretId: cred.secretId, expired: e, now, rand: o.rand ?? randomR(), fileid, order: o.order }));
}

/** Multi-use signature bound to the cos path (upload, stat, create, list). */
export function signMore(cred: CosCredentials, bucket: string, cosPath: string, expired: number, o: SignOptions = {}): string {
  return sign(cred, bucket, cosFileid(cred.appid, bucket, cosPath), expired, o);
}

/** Multi-use signature bound to nothing (`f=`), as the API reference's examples send. */
export function signMoreUnbound(cred: CosCredentials, bucket: string, expired: number, o: SignOptions = {}): string {
  return sign(cred, bucket, '', expired, o);
}

/** Single-use signature bound to the cos path (delete, update, move, copy). */
export function signOnce(cred: CosCredentials, bucket: string, cosPath: string, o: SignOptions = {}): string {
  return sign(cred, bucket, cosFileid(cred.appid, bucket, cosPath), 0, o);
}

/** Download signature: multi-use, `f` is the encoded cos path without `/appid/bucket`. */
export function signDownload(cred: CosCredentials, bucket: string, cosPath: string, expired: number, o: SignOptions = {}): string {
  return sign(cred, bucket, cosEncodePath(cosPath), expired, o);
}

// ---------------------------------------------------------------- verification

/**
 * Why a signature was refused. Carried in StorageError.detail.reason so the
 * COS front end can answer with COS's own code for each case (spec §2.7).
 */
export type CosAuthReason =
  | 'sign-empty'
  | 'sign-malformed'
  | 'appid-mismatch'
  | 'appid-unknown'
  | 'bucket-mismatch'
  | 'secretid-unknown'
  | 'secretid-appid'
  | 'auth-failed'
  | 'once-expired-not-empty'
  | 'once-no-fileid'
  | 'fileid-mismatch'
  | 'replayed'
  | 'multi-expired-empty'
  | 'expired'
  | 'validity-too-long';

const NEUTRAL: Record<CosAuthReason, ErrorCode> = {
  'sign-empty': 'AccessDenied',
  'sign-malformed': 'AuthorizationHeaderMalformed',
  'appid-mismatch': 'AccessDenied',
  'appid-unknown': 'AccessDenied',
  'bucket-mismatch': 'AccessDenied',
  'secretid-unknown': 'InvalidAccessKeyId',
  'secretid-appid': 'InvalidAccessKeyId',
  'auth-failed': 'SignatureDoesNotMatch',
  'once-expired-not-empty': 'AccessDenied',
  'once-no-fileid': 'AccessDenied',
  'fileid-mismatch': 'AccessDenied',
  replayed: 'AccessDenied',
  'multi-expired-empty': 'AccessDenied',
  expired: 'AccessDenied',
  'validity-too-long': 'AccessDenied',
};

export function cosAuthError(reason: CosAuthReason, message?: string): StorageError {
  return new StorageError(NEUTRAL[reason], message, { reason });
}

export interface ParsedCosSignature {
  digest: Buffer;
  plaintext: string;
  appid: string;
  bucket: string;
  secretId: string;
  expired: number;
  now: number;
  rand: string;
  /** The bound fileid as signed (percent-encoded); '' when unbound. */
  fileid: string;
}

const B64 = /^[A-Za-z0-9+/]+={0,2}$/;
const DIGITS = /^\d{1,20}$/;

/** Splits a signature into digest and plaintext and reads the fields by name. */
export function parseCosSignature(sign: string | undefined): ParsedCosSignature {
  const s = (sign ?? '').trim();
  if (!s) throw cosAuthError('sign-empty', 'The Authorization header is empty');
  if (!B64.test(s) || s.length % 4 !== 0) throw cosAuthError('sign-malformed', 'The signature is not Base64');
  const raw = Buffer.from(s, 'base64');
  if (raw.length <= 20) throw cosAuthError('sign-malformed', 'The signature is too short');
  const plaintext = raw.subarray(20).toString('utf8');
  const fields = new Map<string, string>();
  for (const part of plaintext.split('&')) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw cosAuthError('sign-malformed', 'The signature plaintext is not a list of key=value pairs');
    const k = part.slice(0, eq);
    if (fields.has(k)) throw cosAuthError('sign-malformed', `The signature plaintext repeats "${k}"`);
    fields.set(k, part.slice(eq + 1));
  }
  for (const k of ['a', 'b', 'k', 'e', 't']) {
    if (!fields.get(k)) throw cosAuthError('sign-malformed', `The signature plaintext lacks "${k}"`);
  }
  const e = fields.get('e')!;
  const t = fields.get('t')!;
  if (!DIGITS.test(e) || !DIGITS.test(t)) throw cosAuthError('sign-malformed', 'The signature times must be decimal seconds');
  return {
    digest: raw.subarray(0, 20),
    plaintext,
    appid: fields.get('a')!,
    bucket: fields.get('b')!,
    secretId: fields.get('k')!,
    expired: Number(e),
    now: Number(t),
    rand: fields.get('r') ?? '',
    fileid: fields.get('f') ?? '',
  };
}

/** Constant-time comparison of the signature's digest with the HMAC of its plaintext. */
export function cosDigestMatches(p: ParsedCosSignature, secretKey: string): boolean {
  const expected = hmac(secretKey, p.plaintext);
  return expected.length === p.digest.length && timingSafeEqual(expected, p.digest);
}

export interface CosKeyInfo {
  secretKey: string;
  /** Appid of the account the SecretID belongs to. */
  appid: string | undefined;
  accountId: string;
  /** Who the SecretID acts as (its account's root when absent). */
  principal?: Principal;
}

export interface CosAuthenticated extends ParsedCosSignature {
  accountId: string;
  principal: Principal;
  once: boolean;
}

/**
 * Steps 1-6 of §2.7: the signature is well formed, names the request's appid
 * and bucket, its SecretID belongs to that appid, and the HMAC matches.
 * What the signature may be used for is checked by checkCosUse once the
 * operation is known.
 */
export async function authenticateCos(
  sign: string | undefined,
  target: { appid: string; bucket: string; appidExists: () => Promise<boolean> },
  lookupKey: (secretId: string) => Promise<CosKeyInfo | undefined>,
): Promise<CosAuthenticated> {
  const p = parseCosSignature(sign);
  if (p.appid !== target.appid) throw cosAuthError('appid-mismatch', 'The appid does not match the signature');
  if (!(await target.appidExists())) throw cosAuthError('appid-unknown', 'No such appid');
  if (p.bucket !== target.bucket) throw cosAuthError('bucket-mismatch', 'The bucket does not match the signature');
  const key = await lookupKey(p.secretId);
  if (!key) throw cosAuthError('secretid-unknown', 'The SecretID does not exist');
  if (key.appid !== p.appid) throw cosAuthError('secretid-appid', 'The SecretID does not belong to this appid');
  if (!cosDigestMatches(p, key.secretKey)) throw cosAuthError('auth-failed', 'The signature does not match');
  return { ...p, accountId: key.accountId, principal: key.principal ?? { kind: 'root', accountId: key.accountId }, once: p.expired === 0 };
}

export type CosSignKind = 'multi' | 'once' | 'download';

function decodeLoose(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * Steps 7-8 of §2.7 for an operation needing `kind`, against the decoded
 * target fileid `/<appid>/<bucket><path>` (for downloads also the bare path,
 * which sign_download binds). `nowS` is the server time in seconds, `skewS`
 * the clock difference tolerated for a single-use signature's `t`.
 */
export function checkCosUse(a: ParsedCosSignature, kind: CosSignKind, target: { fileid: string; path: string }, nowS: number, skewS: number): void {
  const bound = decodeLoose(a.fileid);
  if (kind === 'once') {
    if (a.expired !== 0) throw cosAuthError('once-expired-not-empty', 'This operation needs a single-use signature (e=0)');
    if (!bound) throw cosAuthError('once-no-fileid', 'A single-use signature must bind the fileid');
    if (bound !== target.fileid) throw cosAuthError('fileid-mismatch', 'The fileid does not match the signature');
    // A single-use signature has no expiry of its own: it must be used near its
    // signing time, which also bounds how long its replay record is kept.
    if (Math.abs(nowS - a.now) > skewS) throw cosAuthError('expired', 'The single-use signature is too old');
    return;
  }
  if (a.expired === 0) throw cosAuthError('multi-expired-empty', 'This operation needs a multi-use signature (e>0)');
  if (a.expired < nowS) throw cosAuthError('expired', 'The signature has expired');
  if (a.expired - a.now > COS_MAX_VALIDITY_S || a.now > nowS + skewS) throw cosAuthError('validity-too-long', 'A signature may be valid for at most 90 days');
  if (!bound) return;
  // Prefix matching (§2.1): a signature bound to a folder covers what is under it.
  if (target.fileid.startsWith(bound)) return;
  if (kind === 'download' && target.path.startsWith(bound)) return;
  throw cosAuthError('fileid-mismatch', 'The fileid does not match the signature');
}

/** The replay record of a single-use signature: its digest, kept until it could no longer be accepted anyway. */
export function onceToken(a: ParsedCosSignature, skewS: number): { token: string; expiresAt: number } {
  return { token: a.digest.toString('hex'), expiresAt: (a.now + skewS + 60) * 1000 };
}
