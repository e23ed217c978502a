/**
 * zlib-style crc32_combine for CRC-32 (ISO-HDLC / zlib) and CRC-32C
 * (Castagnoli), in pure TypeScript GF(2) arithmetic (reflected
 * representation: bit 31 <-> x^0). Intended for once-per-part use, e.g. S3
 * full-object multipart checksums; cost is O(log lenB) 32-step multiplies.
 */

/** Reflected polynomials. */
export const CRC32_POLY_REFLECTED = 0xedb88320;
export const CRC32C_POLY_REFLECTED = 0x82f63b78;

const TOP = 0x80000000;

function multmodp(poly: number, a: number, b: number): number {
  let m = TOP;
  let p = 0;
  for (;;) {
    if (a & m) {
      p ^= b;
      if ((a & (m - 1)) === 0) break;
    }
    m >>>= 1;
    b = b & 1 ? (b >>> 1) ^ poly : b >>> 1;
  }
  return p >>> 0;
}

const x2nCache = new Map<number, Uint32Array>();

function x2nTable(poly: number): Uint32Array {
  let t = x2nCache.get(poly);
  if (t) return t;
  t = new Uint32Array(128);
  let p = 1 << 30; // x^1
  t[0] = p;
  for (let k = 1; k < 128; k++) {
    p = multmodp(poly, p, p);
    t[k] = p;
  }
  x2nCache.set(poly, t);
  return t;
}

function toLen(lenB: number | bigint): bigint {
  if (typeof lenB === 'number') {
    if (!Number.isSafeInteger(lenB) || lenB < 0) throw new RangeError(`lenB must be a non-negative safe integer: ${lenB}`);
    return BigInt(lenB);
  }
  if (lenB < 0n || lenB >= 1n << 64n) throw new RangeError(`lenB out of range: ${lenB}`);
  return lenB;
}

function toU32(v: number, what: string): number {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new RangeError(`${what} must be a uint32: ${v}`);
  return v >>> 0;
}

/** Generic reflected 32-bit CRC combine for a polynomial with init === xorout. */
export function crc32CombineGeneric(poly: number, a: number, b: number, lenB: number | bigint): number {
  a = toU32(a, 'crcA');
  b = toU32(b, 'crcB');
  let n = toLen(lenB);
  if (n === 0n) return a;
  if (a === 0) return b;
  const t = x2nTable(poly);
  // x^(8 * n) mod P
  let p = TOP;
  let k = 3;
  while (n > 0n) {
    if (n & 1n) p = multmodp(poly, t[k & 127]!, p);
    n >>= 1n;
    k++;
  }
  return (multmodp(poly, p, a) ^ b) >>> 0;
}

/** CRC-32 (zlib) of A || B from crc(A), crc(B), len(B). */
export function crc32Combine(a: number, b: number, lenB: number | bigint): number {
  return crc32CombineGeneric(CRC32_POLY_REFLECTED, a, b, lenB);
}

/** CRC-32C (Castagnoli) of A || B from crc(A), crc(B), len(B). */
export function crc32cCombine(a: number, b: number, lenB: number | bigint): number {
  return crc32CombineGeneric(CRC32C_POLY_REFLECTED, a, b, lenB);
}
