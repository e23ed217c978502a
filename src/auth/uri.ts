/**
 * URI encoding helpers shared by every signature scheme.
 *
 * AWS's canonical forms use RFC 3986 "strict" encoding: every byte of the
 * UTF-8 form except the unreserved set A-Z a-z 0-9 - . _ ~ becomes %XX with
 * upper-case hex. Query strings are decoded %XX-only: a '+' stays a literal
 * '+' (the AWS SDKs send a space as %20 and a plus as %2B).
 */
import { StorageError } from '../engine/errors.js';

const UNRESERVED = /^[A-Za-z0-9\-._~]*$/;
const UNRESERVED_OR_SLASH = /^[A-Za-z0-9\-._~/]*$/;

const HEX = '0123456789ABCDEF';

function isUnreservedByte(b: number): boolean {
  return (
    (b >= 0x41 && b <= 0x5a) || // A-Z
    (b >= 0x61 && b <= 0x7a) || // a-z
    (b >= 0x30 && b <= 0x39) || // 0-9
    b === 0x2d || // -
    b === 0x2e || // .
    b === 0x5f || // _
    b === 0x7e // ~
  );
}

/**
 * Percent-encodes `s` the way AWS SigV4 canonicalisation does. With
 * `encodeSlash` false a '/' is kept as is (object key paths).
 */
export function awsUriEncode(s: string, encodeSlash: boolean): string {
  if ((encodeSlash ? UNRESERVED : UNRESERVED_OR_SLASH).test(s)) return s;
  const bytes = Buffer.from(s, 'utf8');
  let out = '';
  for (const b of bytes) {
    if (isUnreservedByte(b) || (!encodeSlash && b === 0x2f)) {
      out += String.fromCharCode(b);
    } else {
      out += '%' + HEX[b >> 4] + HEX[b & 0x0f];
    }
  }
  return out;
}

/**
 * decodeURIComponent that throws StorageError('InvalidArgument') instead of
 * URIError on a malformed escape or an escape that is not valid UTF-8.
 */
export function safeDecodeURIComponent(s: string): string {
  if (s.indexOf('%') === -1) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    throw new StorageError('InvalidArgument', 'Invalid URI encoding: the request contains a malformed percent-escape.', {
      ArgumentName: 'uri',
      ArgumentValue: s.length > 256 ? s.slice(0, 256) : s,
    });
  }
}

/**
 * Splits a raw (still encoded) query string into decoded [name, value]
 * pairs, in order. Decodes %XX only; '+' stays '+'. A name with no '='
 * gets the value ''. Empty segments ("a=1&&b=2") are skipped. A leading '?'
 * is tolerated.
 */
export function parseRawQuery(rawQuery: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const item of splitRawQuery(rawQuery)) {
    out.push([safeDecodeURIComponent(item.name), safeDecodeURIComponent(item.value)]);
  }
  return out;
}

/** One still-encoded query item; `hasEquals` tells "acl" from "acl=". */
export interface RawQueryItem {
  name: string;
  value: string;
  hasEquals: boolean;
}

/** Splits a raw query string without decoding it. */
export function splitRawQuery(rawQuery: string): RawQueryItem[] {
  let q = rawQuery;
  if (q.startsWith('?')) q = q.slice(1);
  const out: RawQueryItem[] = [];
  if (q === '') return out;
  for (const part of q.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    if (eq === -1) out.push({ name: part, value: '', hasEquals: false });
    else out.push({ name: part.slice(0, eq), value: part.slice(eq + 1), hasEquals: true });
  }
  return out;
}

/** Builds a query string from pairs with awsUriEncode (names and values, slash encoded), keeping the order given. */
export function encodeQueryPairs(pairs: Array<[string, string]>): string {
  return pairs.map(([k, v]) => awsUriEncode(k, true) + '=' + awsUriEncode(v, true)).join('&');
}
