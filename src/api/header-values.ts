import { StorageError } from '../engine/errors.js';
import { textOfHeaderBytes } from '../auth/header-text.js';

/**
 * Metadata values between the wire and the store. Values come from request
 * headers (bytes, which Node reads as latin1), from JSON (COS custom_headers)
 * or from form fields (browser POST): any text. A response header carries
 * only tab, printable ASCII and bytes 0x80-0xFF; anything else makes Node's
 * setHeader throw, which once turned a stored value into a 500 on every
 * later GET and HEAD. So: refuse at the door what no header can carry
 * (controls, CR/LF, names that are not tokens, oversized sets), and write
 * non-ASCII text the way each cloud documents on the way out.
 */

/** RFC 9110 token: what a header name may hold. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Controls other than tab (CR, LF and NUL among them), and DEL. */
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/;
const PRINTABLE_ASCII = /^[\t\x20-\x7e]*$/;
/** What Node writes into a header as is (each char one byte). */
const HEADER_SAFE = /^[\t\x20-\x7e\x80-\xff]*$/;

/** The content headers of one object (Content-Type, Content-Disposition...) together, in bytes: S3's whole request header limit. */
export const MAX_CONTENT_HEADER_BYTES = 8 * 1024;

export function isHeaderName(name: string): boolean {
  return TOKEN.test(name);
}

export function hasControl(value: string): boolean {
  return CONTROL.test(value);
}

/** Header bytes (read by Node as latin1) as the text the client meant: UTF-8 when they are valid UTF-8, as S3 reads them. */
export function fromHeaderBytes(value: string): string {
  return textOfHeaderBytes(value);
}

const invalid = (name: string, why: string) => new StorageError('InvalidArgument', `${name}: ${why}`, { ArgumentName: name });

/** A metadata value from the request: no controls, and (content headers from text sources) writable as a header. */
export function checkValue(name: string, value: string): void {
  if (hasControl(value)) throw invalid(name, 'the value holds a control character (CR, LF, NUL...)');
}

/** A user metadata name (after the prefix): a header token. */
export function checkMetaName(name: string): void {
  if (!isHeaderName(name)) throw invalid(name, 'the metadata name is not a valid header name');
}

/**
 * A content header's value from a text source (JSON, form) as it is stored:
 * Content-Disposition's non-ASCII parameters become RFC 6266 extended ones;
 * other non-ASCII content headers are refused, as no header can carry them.
 */
export function contentHeaderFromText(header: string, value: string): string {
  checkValue(header, value);
  if (PRINTABLE_ASCII.test(value)) return value;
  if (header === 'content-disposition') {
    const d = dispositionValue(value);
    if (d !== undefined) return d;
  }
  throw invalid(header, 'the value must be US-ASCII');
}

/** RFC 8187 value: UTF-8, percent-encoded but for attr-char. */
function extValue(v: string): string {
  return "UTF-8''" + encodeURIComponent(v).replace(/['()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

/** Splits at `;` outside quoted strings. */
function splitParams(v: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < v.length; i++) {
    const c = v[i];
    if (quoted && c === '\\' && i + 1 < v.length) {
      cur += c + v[++i];
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (c === ';' && !quoted) {
      out.push(cur);
      cur = '';
      continue;
    }
    cur += c;
  }
  out.push(cur);
  return out;
}

/**
 * Content-Disposition with its non-ASCII parameters written as RFC 6266
 * extended parameters (`attachment; filename*=UTF-8''%E4%B8%AD.txt`);
 * undefined when the value is no disposition (a non-token type, a broken
 * parameter) or holds controls.
 */
export function dispositionValue(value: string): string | undefined {
  if (hasControl(value)) return undefined;
  if (PRINTABLE_ASCII.test(value)) return value;
  const [type, ...params] = splitParams(value);
  if (!isHeaderName(type.trim())) return undefined;
  const out = [type.trim()];
  for (const p of params) {
    if (!p.trim()) continue;
    const m = /^\s*([^=\s]+)\s*=\s*(.*?)\s*$/s.exec(p);
    if (!m || !isHeaderName(m[1])) return undefined;
    const [, name, raw] = m;
    if (PRINTABLE_ASCII.test(raw)) {
      out.push(`${name}=${raw}`);
      continue;
    }
    if (name.endsWith('*')) return undefined; // an extended parameter is ASCII by construction
    const text = raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw;
    out.push(`${name}*=${extValue(text)}`);
  }
  return out.join('; ');
}

/** RFC 2047 encoded word: how S3 returns user metadata that is not printable ASCII. */
export function encodedWord(value: string): string {
  return PRINTABLE_ASCII.test(value) ? value : `=?UTF-8?B?${Buffer.from(value, 'utf8').toString('base64')}?=`;
}

/** Text as its UTF-8 bytes in a header (Node writes each char of a latin1 string as one byte). */
export function utf8Bytes(value: string): string {
  return PRINTABLE_ASCII.test(value) ? value : Buffer.from(value, 'utf8').toString('latin1');
}

/**
 * A stored user metadata value as a response header. S3 writes non-ASCII as
 * an RFC 2047 encoded word; OSS, OBS and COS return the UTF-8 bytes they
 * were given. A value no header can carry (stored before the door checked)
 * goes as an encoded word rather than failing the read.
 */
export function userMetaHeader(value: string, style: 'rfc2047' | 'utf8'): string {
  if (hasControl(value)) return encodedWord(value);
  return style === 'rfc2047' ? encodedWord(value) : utf8Bytes(value);
}

/**
 * A stored content header as a response header: as stored when a header can
 * carry it (bytes from a request header come back unchanged), else made
 * writable (a read never fails on what was stored).
 */
export function contentHeader(header: string, value: string): string {
  if (HEADER_SAFE.test(value)) return value;
  if (header === 'content-disposition') {
    const d = dispositionValue(value);
    if (d !== undefined) return d;
  }
  return encodedWord(value);
}

/** Stored headers by name (COS custom headers) as response headers: each made writable, names no header can have left out. */
export function wireCustomHeaders(headers: Record<string, string>, metaPrefix = 'x-cos-meta-'): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!isHeaderName(name)) continue;
    const lower = name.toLowerCase();
    out[name] = lower.startsWith(metaPrefix) ? userMetaHeader(value, 'utf8') : contentHeader(lower, value);
  }
  return out;
}
