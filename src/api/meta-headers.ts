import { httpDate } from './dates.js';
import { StorageError } from '../engine/errors.js';
import { checkMetaName, checkValue, contentHeader, contentHeaderFromText, dispositionValue, fromHeaderBytes, hasControl, isHeaderName, userMetaHeader } from './header-values.js';
import type { ObjectMeta, ObjectRecord } from '../meta/types.js';
import type { HttpContext } from '../http/context.js';
import { wireStorageClass, type Vocabulary } from './vocabulary.js';

const CONTENT_HEADERS: [keyof Omit<ObjectMeta, 'user'>, string][] = [
  ['contentType', 'content-type'],
  ['contentEncoding', 'content-encoding'],
  ['contentDisposition', 'content-disposition'],
  ['contentLanguage', 'content-language'],
  ['cacheControl', 'cache-control'],
  ['expires', 'expires'],
];

/**
 * Object metadata from request headers: the standard content headers and
 * `<prefix>meta-*`. `text`: the "headers" are form fields (a browser POST),
 * text rather than header bytes, so anything a header cannot carry is
 * refused or encoded here, never stored to break a later read.
 */
export function metaFromRequest(http: HttpContext, v: Vocabulary, opts: { text?: boolean } = {}): ObjectMeta {
  const meta: ObjectMeta = { user: {} };
  for (const [field, header] of CONTENT_HEADERS) {
    let value = http.header(header);
    if (field === 'contentEncoding' && value) {
      // aws-chunked is transfer framing, not a property of the object. Without it the value is kept
      // as sent ("deflate, gzip" comes back so); with it the rest is listed as HTTP writes lists.
      const codings = value.split(',').map((s) => s.trim());
      if (codings.some((s) => s.toLowerCase() === 'aws-chunked'))
        value = codings.filter((s) => s && s.toLowerCase() !== 'aws-chunked').join(', ');
    }
    if (!value) continue;
    if (opts.text) value = contentHeaderFromText(header, value);
    else checkValue(header, value);
    meta[field] = value;
  }
  let bytes = 0;
  for (const [name, raw] of Object.entries(http.req.headers)) {
    if (!name.startsWith(v.metaPrefix)) continue;
    const key = name.slice(v.metaPrefix.length);
    checkMetaName(key);
    const joined = Array.isArray(raw) ? raw.join(',') : (raw ?? '');
    const value = opts.text ? joined : fromHeaderBytes(joined);
    checkValue(name, value);
    meta.user[key] = value;
    bytes += Buffer.byteLength(key) + Buffer.byteLength(value);
  }
  if (bytes > v.maxMetaBytes)
    throw new StorageError('MetadataTooLarge', undefined, { Size: String(bytes), MaxSizeAllowed: String(v.maxMetaBytes) });
  return meta;
}

/**
 * Response headers describing an object version. `versioned`: the bucket's
 * versioning has been configured, so a `null` version is announced as such
 * (S3 leaves the header out only in buckets that never had versioning).
 */
export function objectHeaders(o: ObjectRecord, v: Vocabulary, versioned = false): Record<string, string> {
  const headers: Record<string, string> = {
    etag: `"${o.etag}"`,
    'last-modified': httpDate(o.lastModified),
    'accept-ranges': 'bytes',
    'content-type': v.defaultContentType ?? 'binary/octet-stream',
  };
  for (const [field, header] of CONTENT_HEADERS) {
    const value = o.meta[field];
    if (value) headers[header] = contentHeader(header, value);
  }
  const style = v.dialect === 's3' ? 'rfc2047' : 'utf8';
  for (const [k, value] of Object.entries(o.meta.user)) {
    // A name stored before names were checked cannot be sent: leave it out rather than fail the read.
    if (isHeaderName(k)) headers[v.metaPrefix + k] = userMetaHeader(value, style);
  }
  if (o.versionId !== 'null' || versioned) headers[v.prefix + 'version-id'] = o.versionId;
  if (o.storageClass !== 'STANDARD') headers[v.prefix + 'storage-class'] = wireStorageClass(v, o.storageClass);
  if (o.tags && Object.keys(o.tags).length) headers[v.prefix + 'tagging-count'] = String(Object.keys(o.tags).length);
  if (typeof o.extra.websiteRedirect === 'string') headers[v.prefix + 'website-redirect-location'] = o.extra.websiteRedirect;
  if (v.objectHeaders) Object.assign(headers, v.objectHeaders(o));
  return headers;
}

/** `response-*` query parameters that override response headers on GET. */
export const RESPONSE_OVERRIDES: [string, string][] = [
  ['response-content-type', 'content-type'],
  ['response-content-language', 'content-language'],
  ['response-expires', 'expires'],
  ['response-cache-control', 'cache-control'],
  ['response-content-disposition', 'content-disposition'],
  ['response-content-encoding', 'content-encoding'],
];

/**
 * The response header overrides a GET asks for, checked: a control
 * character is InvalidArgument; a disposition's non-ASCII file name goes as
 * RFC 6266 `filename*=UTF-8''...`; other non-ASCII values are refused, as no
 * header can carry them.
 */
export function responseOverrides(get: (param: string) => string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [param, header] of RESPONSE_OVERRIDES) {
    const value = get(param);
    if (value === undefined) continue;
    if (hasControl(value)) throw new StorageError('InvalidArgument', `${param} holds a control character`, { ArgumentName: param });
    const wire = header === 'content-disposition' ? dispositionValue(value) : /^[\t\x20-\x7e]*$/.test(value) ? value : undefined;
    if (wire === undefined) throw new StorageError('InvalidArgument', `${param} must be US-ASCII (a disposition may name a file in any script)`, { ArgumentName: param });
    out[header] = wire;
  }
  return out;
}
