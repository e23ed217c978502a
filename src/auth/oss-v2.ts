/**
 * Aliyun OSS Signature Version 2 (HMAC-SHA256), as oss2's AuthV2 signs:
 * `Authorization: OSS2 AccessKeyId:AK[,AdditionalHeaders:a;b],Signature:sig`
 * and signed URLs (x-oss-signature-version=OSS2, x-oss-expires,
 * x-oss-access-key-id[, x-oss-additional-headers], x-oss-signature).
 * The string to sign is V1's shape with V2's differences:
 *
 *   VERB \n Content-MD5 \n Content-Type \n Date-or-Expires \n
 *   canonical headers (every x-oss-* header and the additional headers
 *   present, lower-case names, sorted, `name:value\n`)
 *   additional header names, sorted, ';'-joined \n
 *   UriEncode('/bucket/key', slashes too) ['?' every query parameter but
 *   x-oss-signature, names and values encoded, sorted, empty values bare]
 *
 * and the signature is base64(HMAC-SHA256(secret, string to sign)).
 */
import { createHmac } from 'node:crypto';
import type { HeaderBag } from './sigv4.js';
import { lookupHeader } from './oss-v1.js';
import { lowerHeaders } from './oss-v4.js';
import { textOfHeaderBytes } from './header-text.js';
import { awsUriEncode, parseRawQuery } from './uri.js';

export const OSS2_PREFIX = 'OSS2';

export interface OssV2StringInput {
  method: string;
  headers: HeaderBag;
  bucket?: string;
  key?: string;
  /** Decoded query pairs, without x-oss-signature. */
  query: Array<[string, string]>;
  /** Lower-case names of the additional headers signed. */
  additionalHeaders: string[];
  /** The Date slot: the Date header, or a signed URL's x-oss-expires. */
  date: string;
}

export function stringToSignOssV2(input: OssV2StringInput): string {
  const headers = lowerHeaders(input.headers);
  const additional = [...new Set(input.additionalHeaders.map((h) => h.trim().toLowerCase()).filter(Boolean))].sort();
  const canonical = Object.keys(headers)
    .filter((n) => n.startsWith('x-oss-') || additional.includes(n))
    .sort()
    .map((n) => `${n}:${textOfHeaderBytes(headers[n]!)}\n`)
    .join('');
  const resource = awsUriEncode(input.bucket ? `/${input.bucket}/${input.key ?? ''}` : '/', true);
  const params = input.query.map(([k, v]) => [awsUriEncode(k, true), awsUriEncode(v, true)] as [string, string]);
  params.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const query = params.length ? '?' + params.map(([k, v]) => (v ? `${k}=${v}` : k)).join('&') : '';
  return [
    input.method.toUpperCase(),
    lookupHeader(input.headers, 'content-md5') ?? '',
    textOfHeaderBytes(lookupHeader(input.headers, 'content-type') ?? ''),
    input.date,
    canonical + additional.join(';'),
    resource + query,
  ].join('\n');
}

/** base64(HMAC-SHA256(secret, stringToSign)). */
export function signOssV2(secret: string, stringToSign: string): string {
  return createHmac('sha256', secret).update(stringToSign, 'utf8').digest('base64');
}

export interface AuthorizationOssV2 {
  accessKeyId: string;
  additionalHeaders: string[];
  signature: string;
}

/** `OSS2 AccessKeyId:AK,AdditionalHeaders:a;b,Signature:sig`; undefined when malformed. */
export function parseAuthorizationOssV2(value: string): AuthorizationOssV2 | undefined {
  if (!value.startsWith(OSS2_PREFIX + ' ')) return undefined;
  const fields = new Map<string, string>();
  for (const part of value.slice(OSS2_PREFIX.length + 1).split(',')) {
    const colon = part.indexOf(':');
    if (colon < 0) return undefined;
    fields.set(part.slice(0, colon).trim(), part.slice(colon + 1).trim());
  }
  const accessKeyId = fields.get('AccessKeyId');
  const signature = fields.get('Signature');
  if (!accessKeyId || !signature) return undefined;
  const additional = fields.get('AdditionalHeaders');
  return { accessKeyId, signature, additionalHeaders: additional ? additional.split(';') : [] };
}

// ---------------------------------------------------------------- client side (tests, and any caller wanting V2)

export interface SignRequestOssV2Input {
  method: string;
  bucket?: string;
  key?: string;
  rawQuery?: string;
  /** Mutable: date and authorization are set on it. */
  headers: Record<string, string>;
  credentials: { accessKeyId: string; secretAccessKey: string };
  additionalHeaders?: string[];
  date?: Date;
}

/** Signs in place with `Authorization: OSS2 ...` and a Date header, as oss2.AuthV2 does. */
export function signRequestOssV2(input: SignRequestOssV2Input): string {
  const h = input.headers;
  h['date'] = (input.date ?? new Date()).toUTCString();
  const additional = (input.additionalHeaders ?? []).map((a) => a.toLowerCase()).filter((a) => lookupHeader(h, a) !== undefined);
  const stringToSign = stringToSignOssV2({
    method: input.method,
    headers: h,
    bucket: input.bucket,
    key: input.key,
    query: parseRawQuery(input.rawQuery ?? ''),
    additionalHeaders: additional,
    date: h['date'],
  });
  const sig = signOssV2(input.credentials.secretAccessKey, stringToSign);
  h['authorization'] = `${OSS2_PREFIX} AccessKeyId:${input.credentials.accessKeyId},${additional.length ? `AdditionalHeaders:${additional.join(';')},` : ''}Signature:${sig}`;
  return stringToSign;
}
