/**
 * How COS file attributes live on engine objects, so the other front ends
 * see the same file: `custom_headers` are the object's content headers and
 * user metadata (x-cos-meta-* ↔ x-amz-meta-* ...), the SHA-1 is the stored
 * `sha1` checksum, `biz_attr` and the COS times are in the object's settings
 * document, and `authority` is its ACL in the engine's neutral model
 * (enforced once access control lands: eWRPrivate = private,
 * eWPrivateRPublic = public-read, eInvalid = no ACL of its own, the bucket's).
 */
import { cannedAcl, objectAcl, objectAclExtra, publicAccess } from '../../engine/acl.js';
import type { ObjectMeta, ObjectRecord } from '../../meta/types.js';
import { checkMetaName, checkValue, contentHeaderFromText, MAX_CONTENT_HEADER_BYTES } from '../../api/header-values.js';
import { isStorageError } from '../../engine/errors.js';
import { CosError } from './errors.js';

export const seconds = (ms: number) => Math.floor(ms / 1000);

export function bizAttrOf(o: ObjectRecord | undefined): string {
  const v = o?.extra.bizAttr;
  return typeof v === 'string' ? v : '';
}

/** COS times: creation and last change (attribute updates change mtime, not the data's Last-Modified). */
export function timesOf(o: ObjectRecord): { ctime: number; mtime: number } {
  const c = typeof o.extra.cosCtime === 'number' ? o.extra.cosCtime : o.lastModified;
  const m = typeof o.extra.cosMtime === 'number' ? o.extra.cosMtime : o.lastModified;
  return { ctime: seconds(c), mtime: seconds(m) };
}

/** The settings document of an object whose attributes change now: mtime moves, ctime stays. */
export function touched(o: ObjectRecord): Record<string, unknown> {
  return { ...o.extra, cosCtime: typeof o.extra.cosCtime === 'number' ? o.extra.cosCtime : o.lastModified, cosMtime: Date.now() };
}

/** The SHA-1 (lowercase hex) stored for the data, or '' for objects written without one (e.g. through S3). */
export function shaOf(o: ObjectRecord): string {
  const b64 = o.checksums.sha1;
  return b64 ? Buffer.from(b64, 'base64').toString('hex') : '';
}

const AUTHORITY_TO_ACL: Record<string, 'private' | 'public-read' | undefined> = { eInvalid: undefined, eWRPrivate: 'private', eWPrivateRPublic: 'public-read' };

/** An object's authority: whether its own ACL, whoever set it, lets everyone read. */
export function authorityOf(o: ObjectRecord): string {
  const acl = objectAcl(o);
  if (!acl) return 'eInvalid';
  return publicAccess(acl) === 'private' ? 'eWRPrivate' : 'eWPrivateRPublic';
}

/** The settings document of object `o` with `authority` applied ('' and eInvalid: no ACL of its own, the bucket's). */
export function withAuthority(o: ObjectRecord, extra: Record<string, unknown>, authority: string): Record<string, unknown> {
  if (authority !== '' && !(authority in AUTHORITY_TO_ACL)) throw new CosError('ERROR_CGI_PARAM', `unknown authority "${authority}"`);
  const canned = AUTHORITY_TO_ACL[authority];
  return { ...extra, ...objectAclExtra(canned && cannedAcl(canned, o.ownerId)) };
}

const HEADER_FIELDS: [string, keyof Omit<ObjectMeta, 'user' | 'expires'>][] = [
  ['Cache-Control', 'cacheControl'],
  ['Content-Type', 'contentType'],
  ['Content-Disposition', 'contentDisposition'],
  ['Content-Language', 'contentLanguage'],
  ['Content-Encoding', 'contentEncoding'],
];
const META_PREFIX = 'x-cos-meta-';

export function customHeadersOf(meta: ObjectMeta): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, field] of HEADER_FIELDS) if (meta[field]) out[name] = meta[field]!;
  for (const [k, v] of Object.entries(meta.user)) out[META_PREFIX + k] = v;
  return out;
}

/**
 * The metadata after an update's `custom_headers`, which replace the whole
 * set (the SDK documentation: unset headers are cleared); only the spec's
 * whitelist is accepted.
 */
export function metaFromCustomHeaders(current: ObjectMeta, headers: unknown): ObjectMeta {
  let doc = headers;
  if (typeof doc === 'string') {
    try {
      doc = JSON.parse(doc);
    } catch {
      throw new CosError('ERROR_CGI_JSON_PARSE_ERROR', 'custom_headers is not JSON');
    }
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new CosError('ERROR_CGI_PARAM', 'custom_headers must be an object');
  const meta: ObjectMeta = { user: {}, ...(current.expires ? { expires: current.expires } : {}) };
  let bytes = 0;
  for (const [name, value] of Object.entries(doc)) {
    if (typeof value !== 'string') throw new CosError('ERROR_CGI_PARAM', `custom header ${name} must be a string`);
    bytes += Buffer.byteLength(name) + Buffer.byteLength(value);
    if (bytes > MAX_CONTENT_HEADER_BYTES) throw new CosError('ERROR_CGI_PARAM', `custom_headers are larger than ${MAX_CONTENT_HEADER_BYTES} bytes`);
    const lower = name.toLowerCase();
    const known = HEADER_FIELDS.find(([h]) => h.toLowerCase() === lower);
    // Stored values become response headers on every read: what no header can carry is refused here (api/header-values.ts).
    try {
      if (known) {
        if (value) meta[known[1]] = contentHeaderFromText(lower, value);
      } else if (lower.startsWith(META_PREFIX) && lower.length > META_PREFIX.length) {
        const key = lower.slice(META_PREFIX.length);
        checkMetaName(key);
        checkValue(name, value);
        meta.user[key] = value;
      } else {
        throw new CosError('ERROR_CGI_PARAM', `custom header ${name} is not allowed`);
      }
    } catch (e) {
      throw isStorageError(e) ? new CosError('ERROR_CGI_PARAM', e.message) : e;
    }
  }
  return meta;
}
