/**
 * DigestSet: every upload streams through one of these exactly once. MD5 is
 * always computed (ETag / Content-MD5); any of CRC32, CRC32C, CRC-64/ECMA-182
 * (OSS/COS), CRC-64/NVME (S3), SHA-1 and SHA-256 are computed on demand in the
 * same pass (each chunk is fed to every requested algorithm while it is hot in
 * cache).
 */
import { createHash, type Hash } from 'node:crypto';
import { crc32, crc32c } from '@node-rs/crc32';
import { Crc64, crc64Combine, crc64ToBase64 } from './crc64.js';
import { crc32Combine, crc32cCombine } from './crc32-combine.js';

export { crc32Combine, crc32cCombine } from './crc32-combine.js';
export { crc64Combine } from './crc64.js';

export type DigestName = 'md5' | 'crc32' | 'crc32c' | 'crc64ecma' | 'crc64nvme' | 'sha1' | 'sha256';

export const DIGEST_NAMES: readonly DigestName[] = Object.freeze([
  'md5',
  'crc32',
  'crc32c',
  'crc64ecma',
  'crc64nvme',
  'sha1',
  'sha256',
]);

export function isDigestName(v: unknown): v is DigestName {
  return typeof v === 'string' && (DIGEST_NAMES as readonly string[]).includes(v);
}

export interface DigestValues {
  md5: Buffer;
  crc32?: number;
  crc32c?: number;
  crc64ecma?: bigint;
  crc64nvme?: bigint;
  sha1?: Buffer;
  sha256?: Buffer;
}

/** Low-level single-algorithm digester (what DigestSet runs per algorithm). */
export interface Digester {
  readonly name: DigestName;
  update(chunk: Uint8Array): void;
  finishInto(out: Partial<DigestValues>): void;
}

class HashDigester implements Digester {
  readonly #h: Hash;
  constructor(
    readonly name: 'md5' | 'sha1' | 'sha256',
  ) {
    this.#h = createHash(name);
  }
  update(chunk: Uint8Array): void {
    this.#h.update(chunk);
  }
  finishInto(out: Partial<DigestValues>): void {
    out[this.name] = this.#h.digest();
  }
}

class Crc32Digester implements Digester {
  #crc = 0;
  readonly #fn: (input: Uint8Array, initialState?: number | null) => number;
  constructor(readonly name: 'crc32' | 'crc32c') {
    this.#fn = name === 'crc32' ? crc32 : crc32c;
  }
  update(chunk: Uint8Array): void {
    if (chunk.length) this.#crc = this.#fn(chunk, this.#crc);
  }
  finishInto(out: Partial<DigestValues>): void {
    out[this.name] = this.#crc >>> 0;
  }
}

class Crc64Digester implements Digester {
  readonly #c: Crc64;
  constructor(readonly name: 'crc64ecma' | 'crc64nvme') {
    this.#c = new Crc64(name === 'crc64ecma' ? 'ecma182' : 'nvme');
  }
  update(chunk: Uint8Array): void {
    this.#c.update(chunk);
  }
  finishInto(out: Partial<DigestValues>): void {
    out[this.name] = this.#c.digest();
  }
}

export function createDigester(name: DigestName): Digester {
  switch (name) {
    case 'md5':
    case 'sha1':
    case 'sha256':
      return new HashDigester(name);
    case 'crc32':
    case 'crc32c':
      return new Crc32Digester(name);
    case 'crc64ecma':
    case 'crc64nvme':
      return new Crc64Digester(name);
    default:
      throw new RangeError(`unknown digest: ${String(name)}`);
  }
}

export class DigestSet {
  /** The algorithms computed (always includes 'md5'), in canonical order. */
  readonly names: readonly DigestName[];
  readonly #digesters: Digester[];
  #bytes = 0;
  #result: DigestValues | null = null;

  constructor(names: Iterable<DigestName>) {
    const wanted = new Set<DigestName>(['md5']);
    for (const n of names) {
      if (!isDigestName(n)) throw new RangeError(`unknown digest: ${String(n)}`);
      wanted.add(n);
    }
    this.names = Object.freeze(DIGEST_NAMES.filter((n) => wanted.has(n)));
    this.#digesters = this.names.map(createDigester);
  }

  has(name: DigestName): boolean {
    return this.names.includes(name);
  }

  /** Total bytes fed so far. */
  get bytes(): number {
    return this.#bytes;
  }

  update(chunk: Uint8Array): void {
    if (this.#result) throw new Error('DigestSet.update() after finish()');
    const ds = this.#digesters;
    for (let i = 0; i < ds.length; i++) ds[i]!.update(chunk);
    this.#bytes += chunk.length;
  }

  /** Finalise; later calls return the same values. */
  finish(): DigestValues {
    if (!this.#result) {
      const out: Partial<DigestValues> = {};
      for (const d of this.#digesters) d.finishInto(out);
      this.#result = out as DigestValues;
    }
    return this.#result;
  }
}

export interface EncodeOptions {
  /** 'hex' (ETag, the default) or 'base64' (Content-MD5). */
  md5?: 'hex' | 'base64';
}

function u32be(v: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE(v >>> 0);
  return b;
}

function missing(name: DigestName): never {
  throw new Error(`digest ${name} was not computed`);
}

/**
 * The wire form of a computed checksum:
 *   md5        lowercase hex (ETag body, unquoted) or base64 (Content-MD5), see opts.md5
 *   crc32      base64 of 4 big-endian bytes      (x-amz-checksum-crc32)
 *   crc32c     base64 of 4 big-endian bytes      (x-amz-checksum-crc32c)
 *   crc64nvme  base64 of 8 big-endian bytes      (x-amz-checksum-crc64nvme)
 *   crc64ecma  unsigned decimal string           (x-oss-hash-crc64ecma, x-cos-hash-crc64ecma)
 *   sha1       base64 of the 20-byte digest      (x-amz-checksum-sha1)
 *   sha256     base64 of the 32-byte digest      (x-amz-checksum-sha256)
 */
export function encodeChecksum(name: DigestName, values: DigestValues, opts: EncodeOptions = {}): string {
  switch (name) {
    case 'md5': {
      const v = values.md5 ?? missing(name);
      return v.toString(opts.md5 === 'base64' ? 'base64' : 'hex');
    }
    case 'crc32':
    case 'crc32c': {
      const v = values[name];
      if (v === undefined) missing(name);
      return u32be(v).toString('base64');
    }
    case 'crc64nvme': {
      const v = values.crc64nvme;
      if (v === undefined) missing(name);
      return crc64ToBase64(v);
    }
    case 'crc64ecma': {
      const v = values.crc64ecma;
      if (v === undefined) missing(name);
      return BigInt.asUintN(64, v).toString(10);
    }
    case 'sha1':
    case 'sha256': {
      const v = values[name] ?? missing(name);
      return v.toString('base64');
    }
    default:
      throw new RangeError(`unknown digest: ${String(name)}`);
  }
}

const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const HEX_RE = /^[0-9a-fA-F]*$/;
const DEC_RE = /^[0-9]{1,20}$/;
const U64_MAX = (1n << 64n) - 1n;

function b64(wire: string, bytes: number, name: DigestName): Buffer {
  if (!BASE64_RE.test(wire)) throw new RangeError(`${name}: not canonical base64`);
  const b = Buffer.from(wire, 'base64');
  if (b.length !== bytes) throw new RangeError(`${name}: expected ${bytes} bytes, got ${b.length}`);
  return b;
}

/**
 * Parse a client-supplied wire form (as produced by encodeChecksum) into the
 * DigestValues representation. MD5 accepts 32 hex digits or base64 of 16 bytes.
 * Throws RangeError on malformed input.
 */
export function decodeChecksum(name: 'md5' | 'sha1' | 'sha256', wire: string): Buffer;
export function decodeChecksum(name: 'crc32' | 'crc32c', wire: string): number;
export function decodeChecksum(name: 'crc64ecma' | 'crc64nvme', wire: string): bigint;
export function decodeChecksum(name: DigestName, wire: string): Buffer | number | bigint;
export function decodeChecksum(name: DigestName, wire: string): Buffer | number | bigint {
  switch (name) {
    case 'md5':
      if (wire.length === 32 && HEX_RE.test(wire)) return Buffer.from(wire, 'hex');
      return b64(wire, 16, name);
    case 'crc32':
    case 'crc32c':
      return b64(wire, 4, name).readUInt32BE(0);
    case 'crc64nvme':
      return b64(wire, 8, name).readBigUInt64BE(0);
    case 'crc64ecma': {
      if (!DEC_RE.test(wire)) throw new RangeError(`${name}: not an unsigned decimal`);
      const v = BigInt(wire);
      if (v > U64_MAX) throw new RangeError(`${name}: exceeds 2^64-1`);
      return v;
    }
    case 'sha1':
      return b64(wire, 20, name);
    case 'sha256':
      return b64(wire, 32, name);
    default:
      throw new RangeError(`unknown digest: ${String(name)}`);
  }
}

/** True if `wire` (a client-supplied header value) matches the computed value. */
export function checksumMatches(name: DigestName, values: DigestValues, wire: string): boolean {
  const have = values[name];
  if (have === undefined) missing(name);
  let got: Buffer | number | bigint;
  try {
    got = decodeChecksum(name, wire);
  } catch {
    return false;
  }
  if (Buffer.isBuffer(have)) return Buffer.isBuffer(got) && have.equals(got);
  return have === got;
}

/** Combine per-part CRCs: crc(A || B) from crc(A), crc(B) and len(B). */
export function combineCrc(name: 'crc32' | 'crc32c', a: number, b: number, lenB: number | bigint): number;
export function combineCrc(name: 'crc64ecma' | 'crc64nvme', a: bigint, b: bigint, lenB: number | bigint): bigint;
export function combineCrc(
  name: 'crc32' | 'crc32c' | 'crc64ecma' | 'crc64nvme',
  a: number | bigint,
  b: number | bigint,
  lenB: number | bigint,
): number | bigint {
  switch (name) {
    case 'crc32':
      return crc32Combine(Number(a), Number(b), lenB);
    case 'crc32c':
      return crc32cCombine(Number(a), Number(b), lenB);
    case 'crc64ecma':
      return crc64Combine('ecma182', BigInt(a), BigInt(b), lenB);
    case 'crc64nvme':
      return crc64Combine('nvme', BigInt(a), BigInt(b), lenB);
    default:
      throw new RangeError(`not a combinable CRC: ${String(name)}`);
  }
}
