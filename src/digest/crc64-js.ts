/**
 * Pure TypeScript CRC-64 (reflected, init = xorout = all ones), used only when
 * the native addon (native/crc64) cannot be loaded.
 *
 * The 64-bit register is kept as two uint32 halves and the data is consumed
 * 8 bytes at a time with slicing-by-8 tables, so no BigInt arithmetic happens
 * per byte. BigInt only appears at the API boundary and in combine().
 */

export type Crc64Kind = 'ecma182' | 'nvme';

/** Reflected polynomials. */
export const CRC64_POLY_REFLECTED: Readonly<Record<Crc64Kind, bigint>> = {
  /** CRC-64/XZ ("ECMA-182" in Aliyun OSS / Tencent COS); normal form 0x42F0E1EBA9EA3693. */
  ecma182: 0xc96c5795d7870f42n,
  /** CRC-64/NVME (AWS S3 CRC64NVME); normal form 0xAD93D23594C93659. */
  nvme: 0x9a6c9329ac4bc9b5n,
};

/** Check values (CRC of ASCII "123456789"). */
export const CRC64_CHECK: Readonly<Record<Crc64Kind, bigint>> = {
  ecma182: 0x995dc9bbdf1939fan,
  nvme: 0xae8b14860a799888n,
};

const MASK64 = 0xffffffffffffffffn;

interface Tables {
  lo: Uint32Array; // 8 * 256 entries, table k at offset k * 256
  hi: Uint32Array;
}

const tableCache = new Map<Crc64Kind, Tables>();

function tablesFor(kind: Crc64Kind): Tables {
  let t = tableCache.get(kind);
  if (t) return t;
  const poly = CRC64_POLY_REFLECTED[kind];
  if (poly === undefined) throw new RangeError(`unknown CRC-64 kind: ${String(kind)}`);
  const pLo = Number(poly & 0xffffffffn) >>> 0;
  const pHi = Number(poly >> 32n) >>> 0;
  const lo = new Uint32Array(8 * 256);
  const hi = new Uint32Array(8 * 256);
  for (let i = 0; i < 256; i++) {
    let l = i;
    let h = 0;
    for (let j = 0; j < 8; j++) {
      const bit = l & 1;
      l = ((l >>> 1) | ((h & 1) << 31)) >>> 0;
      h = h >>> 1;
      if (bit) {
        l = (l ^ pLo) >>> 0;
        h = (h ^ pHi) >>> 0;
      }
    }
    lo[i] = l;
    hi[i] = h;
  }
  for (let k = 1; k < 8; k++) {
    for (let i = 0; i < 256; i++) {
      const pl = lo[(k - 1) * 256 + i]!;
      const ph = hi[(k - 1) * 256 + i]!;
      const idx = pl & 0xff;
      lo[k * 256 + i] = (lo[idx]! ^ ((pl >>> 8) | (ph << 24))) >>> 0;
      hi[k * 256 + i] = (hi[idx]! ^ (ph >>> 8)) >>> 0;
    }
  }
  t = { lo, hi };
  tableCache.set(kind, t);
  return t;
}

function asBytes(data: ArrayBufferView | ArrayBuffer): Uint8Array {
  if (data instanceof Uint8Array) return data;
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return new Uint8Array(data);
}

/**
 * Incremental CRC-64 over uint32 halves. `state` values are finalised CRCs
 * (zlib convention): a fresh instance has digest() === 0n.
 */
export class Crc64Js {
  readonly kind: Crc64Kind;
  readonly #tlo: Uint32Array;
  readonly #thi: Uint32Array;
  // raw (inverted) register
  #lo = 0xffffffff;
  #hi = 0xffffffff;

  constructor(kind: Crc64Kind, initial: bigint = 0n) {
    this.kind = kind;
    const t = tablesFor(kind);
    this.#tlo = t.lo;
    this.#thi = t.hi;
    this.setState(initial);
  }

  setState(crc: bigint): this {
    const raw = ~crc & MASK64;
    this.#lo = Number(raw & 0xffffffffn) >>> 0;
    this.#hi = Number(raw >> 32n) >>> 0;
    return this;
  }

  reset(): this {
    this.#lo = 0xffffffff;
    this.#hi = 0xffffffff;
    return this;
  }

  update(data: ArrayBufferView | ArrayBuffer): this {
    const buf = asBytes(data);
    const tlo = this.#tlo;
    const thi = this.#thi;
    let lo = this.#lo;
    let hi = this.#hi;
    let i = 0;
    const n = buf.length;
    const end8 = n - (n & 7);
    while (i < end8) {
      const a = lo ^ (buf[i]! | (buf[i + 1]! << 8) | (buf[i + 2]! << 16) | (buf[i + 3]! << 24));
      const b = hi ^ (buf[i + 4]! | (buf[i + 5]! << 8) | (buf[i + 6]! << 16) | (buf[i + 7]! << 24));
      const i7 = 1792 + (a & 0xff);
      const i6 = 1536 + ((a >>> 8) & 0xff);
      const i5 = 1280 + ((a >>> 16) & 0xff);
      const i4 = 1024 + (a >>> 24);
      const i3 = 768 + (b & 0xff);
      const i2 = 512 + ((b >>> 8) & 0xff);
      const i1 = 256 + ((b >>> 16) & 0xff);
      const i0 = b >>> 24;
      lo = tlo[i7]! ^ tlo[i6]! ^ tlo[i5]! ^ tlo[i4]! ^ tlo[i3]! ^ tlo[i2]! ^ tlo[i1]! ^ tlo[i0]!;
      hi = thi[i7]! ^ thi[i6]! ^ thi[i5]! ^ thi[i4]! ^ thi[i3]! ^ thi[i2]! ^ thi[i1]! ^ thi[i0]!;
      i += 8;
    }
    while (i < n) {
      const idx = (lo ^ buf[i]!) & 0xff;
      lo = tlo[idx]! ^ ((lo >>> 8) | (hi << 24));
      hi = thi[idx]! ^ (hi >>> 8);
      i++;
    }
    this.#lo = lo >>> 0;
    this.#hi = hi >>> 0;
    return this;
  }

  digest(): bigint {
    return ((BigInt(~this.#hi >>> 0) << 32n) | BigInt(~this.#lo >>> 0)) & MASK64;
  }
}

/** crc64 over `data` continuing from the finalised CRC `crc` (0n to start). */
export function crc64UpdateJs(kind: Crc64Kind, crc: bigint, data: ArrayBufferView | ArrayBuffer): bigint {
  return new Crc64Js(kind, crc).update(data).digest();
}

// ---- combine: GF(2)[x] / P arithmetic in the reflected representation ----
// (bit 63 <-> x^0, bit 0 <-> x^63), as in zlib's multmodp/x2nmodp.

const X2N_CACHE = new Map<Crc64Kind, bigint[]>();
const TOP = 1n << 63n;

function multmodp(poly: bigint, a: bigint, b: bigint): bigint {
  let m = TOP;
  let p = 0n;
  for (;;) {
    if (a & m) {
      p ^= b;
      if ((a & (m - 1n)) === 0n) break;
    }
    m >>= 1n;
    b = b & 1n ? (b >> 1n) ^ poly : b >> 1n;
  }
  return p;
}

function x2nTable(kind: Crc64Kind): bigint[] {
  let t = X2N_CACHE.get(kind);
  if (t) return t;
  const poly = CRC64_POLY_REFLECTED[kind];
  t = new Array<bigint>(128);
  let p = 1n << 62n; // x^1
  t[0] = p;
  for (let k = 1; k < 128; k++) {
    p = multmodp(poly, p, p);
    t[k] = p;
  }
  X2N_CACHE.set(kind, t);
  return t;
}

/** x^(n * 2^k) mod P, reflected. */
function x2nmodp(kind: Crc64Kind, n: bigint, k: number): bigint {
  const poly = CRC64_POLY_REFLECTED[kind];
  const t = x2nTable(kind);
  let p = TOP;
  while (n > 0n) {
    if (n & 1n) p = multmodp(poly, t[k & 127]!, p);
    n >>= 1n;
    k++;
  }
  return p;
}

function toU64(v: bigint | number, what: string): bigint {
  const b = typeof v === 'bigint' ? v : BigInt(v);
  if (b < 0n || b > MASK64) throw new RangeError(`${what} out of range for uint64: ${String(v)}`);
  return b;
}

/**
 * crc(A || B) given crcA = crc(A), crcB = crc(B) and lenB = byte length of B
 * (zlib crc32_combine, for 64-bit CRCs). Pure BigInt; intended for once-per-part use.
 */
export function crc64CombineJs(kind: Crc64Kind, crcA: bigint, crcB: bigint, lenB: number | bigint): bigint {
  const a = toU64(crcA, 'crcA');
  const b = toU64(crcB, 'crcB');
  const n = toU64(lenB, 'lenB');
  if (CRC64_POLY_REFLECTED[kind] === undefined) throw new RangeError(`unknown CRC-64 kind: ${String(kind)}`);
  if (n === 0n) return a;
  if (a === 0n) return b;
  return multmodp(CRC64_POLY_REFLECTED[kind], x2nmodp(kind, n, 3), a) ^ b;
}
