/**
 * CRC-64 for object checksums:
 *   'ecma182' — CRC-64/XZ (reflected 0x42F0E1EBA9EA3693, init/xorout all ones),
 *               what Aliyun OSS (x-oss-hash-crc64ecma) and Tencent COS
 *               (x-cos-hash-crc64ecma) call CRC64-ECMA182; sent as an unsigned
 *               decimal string.
 *   'nvme'    — CRC-64/NVME (reflected 0xAD93D23594C93659, init/xorout all ones),
 *               AWS S3 x-amz-checksum-crc64nvme; sent as base64 of 8 big-endian bytes.
 *
 * Uses the native PCLMULQDQ addon when available, else the pure-TS fallback.
 */
import { crc64Native } from './crc64-native.js';
import { Crc64Js, crc64CombineJs, type Crc64Kind } from './crc64-js.js';

export type { Crc64Kind } from './crc64-js.js';
export { CRC64_POLY_REFLECTED, CRC64_CHECK } from './crc64-js.js';
export { crc64NativeLoad } from './crc64-native.js';

const KIND_INDEX: Readonly<Record<Crc64Kind, number>> = { ecma182: 0, nvme: 1 };

function kindIndex(kind: Crc64Kind): number {
  const k = KIND_INDEX[kind];
  if (k === undefined) throw new RangeError(`unknown CRC-64 kind: ${String(kind)} (expected 'ecma182' or 'nvme')`);
  return k;
}

/** Which implementation is active: 'native-clmul', 'native-table' or 'js'. */
export const crc64Backend: 'native-clmul' | 'native-table' | 'js' = crc64Native
  ? crc64Native.accelerated
    ? 'native-clmul'
    : 'native-table'
  : 'js';

type Bytes = ArrayBufferView | ArrayBuffer;

export class Crc64 {
  readonly kind: Crc64Kind;
  readonly #k: number;
  #crc = 0n; // finalised CRC so far (native path)
  readonly #js: Crc64Js | null;

  constructor(kind: Crc64Kind) {
    this.kind = kind;
    this.#k = kindIndex(kind);
    this.#js = crc64Native ? null : new Crc64Js(kind);
  }

  update(buf: Bytes): this {
    if (this.#js) this.#js.update(buf);
    else this.#crc = crc64Native!.update(this.#k, this.#crc, buf);
    return this;
  }

  /** The CRC so far as an unsigned 64-bit bigint (non-destructive). */
  digest(): bigint {
    return this.#js ? this.#js.digest() : this.#crc;
  }

  reset(): this {
    if (this.#js) this.#js.reset();
    else this.#crc = 0n;
    return this;
  }

  /** Unsigned decimal, the OSS/COS x-*-hash-crc64ecma wire form. */
  toDecimalString(): string {
    return this.digest().toString(10);
  }

  /** Base64 of the 8 big-endian bytes, the AWS x-amz-checksum-crc64nvme wire form. */
  toBase64(): string {
    return crc64ToBase64(this.digest());
  }
}

/** One-shot CRC-64 of `data`, optionally continuing from a previous finalised CRC. */
export function crc64(kind: Crc64Kind, data: Bytes, previous: bigint = 0n): bigint {
  const k = kindIndex(kind);
  if (crc64Native) return crc64Native.update(k, previous, data);
  return new Crc64Js(kind, previous).update(data).digest();
}

/** crc(A || B) from crc(A), crc(B) and the byte length of B, without the data. */
export function crc64Combine(kind: Crc64Kind, a: bigint, b: bigint, lenB: number | bigint): bigint {
  const k = kindIndex(kind);
  if (crc64Native) {
    if (typeof lenB === 'number' && (!Number.isSafeInteger(lenB) || lenB < 0)) {
      throw new RangeError(`lenB must be a non-negative safe integer: ${lenB}`);
    }
    return crc64Native.combine(k, a, b, lenB);
  }
  return crc64CombineJs(kind, a, b, lenB);
}

export function crc64ToBase64(crc: bigint): string {
  const out = Buffer.allocUnsafe(8);
  out.writeBigUInt64BE(BigInt.asUintN(64, crc));
  return out.toString('base64');
}

export function crc64FromBase64(b64: string): bigint {
  const buf = Buffer.from(b64, 'base64');
  if (buf.length !== 8) throw new RangeError(`CRC-64 base64 must decode to 8 bytes, got ${buf.length}`);
  return buf.readBigUInt64BE(0);
}
