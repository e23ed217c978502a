/**
 * SHA-1 whose intermediate state can be exported and resumed. Node's hash
 * objects cannot be serialised, but COS slice uploads need exactly that: the
 * whole-file SHA-1 is carried across slices (possibly handled by different
 * gateways) as the state after each slice, and the COS SDKs describe every
 * slice by that state (`uploadparts[].datasha`). The exported form is COS's:
 * the five 32-bit words h0..h4, each written byte-swapped (little-endian) as
 * 8 hex digits. A state can only be exported on a 64-byte block boundary,
 * which holds because slice sizes are multiples of 64.
 */

const INIT = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0];

export class Sha1State {
  readonly #h = new Int32Array(5);
  readonly #w = new Int32Array(80);
  readonly #block = Buffer.alloc(64);
  #blockLen = 0;
  /** Bytes absorbed, including those before a resumed state. */
  #bytes = 0;
  #finished = false;

  private constructor(h: readonly number[], bytes: number) {
    for (let i = 0; i < 5; i++) this.#h[i] = h[i]! | 0;
    this.#bytes = bytes;
  }

  static initial(): Sha1State {
    return new Sha1State(INIT, 0);
  }

  /** Resumes after `bytes` bytes (a multiple of 64) whose state is `hex` (COS form). */
  static resume(hex: string, bytes: number): Sha1State {
    if (!isStateHex(hex)) throw new RangeError('SHA-1 state must be 40 hex digits');
    if (bytes % 64 !== 0 || bytes < 0) throw new RangeError('SHA-1 state can only resume on a 64-byte boundary');
    const h: number[] = [];
    for (let i = 0; i < 5; i++) h.push(Buffer.from(hex.slice(i * 8, i * 8 + 8), 'hex').readInt32LE(0));
    return new Sha1State(h, bytes);
  }

  get bytes(): number {
    return this.#bytes;
  }

  update(data: Uint8Array): this {
    if (this.#finished) throw new Error('Sha1State.update() after digest()');
    let off = 0;
    const n = data.length;
    this.#bytes += n;
    if (this.#blockLen > 0) {
      const take = Math.min(64 - this.#blockLen, n);
      this.#block.set(data.subarray(0, take), this.#blockLen);
      this.#blockLen += take;
      off = take;
      if (this.#blockLen < 64) return this;
      this.#compress(this.#block, 0);
      this.#blockLen = 0;
    }
    while (off + 64 <= n) {
      this.#compress(data, off);
      off += 64;
    }
    if (off < n) {
      this.#block.set(data.subarray(off), 0);
      this.#blockLen = n - off;
    }
    return this;
  }

  /** The state in COS form; only on a block boundary. */
  exportHex(): string {
    if (this.#blockLen !== 0) throw new Error('SHA-1 state is not on a 64-byte boundary');
    const out = Buffer.alloc(20);
    for (let i = 0; i < 5; i++) out.writeInt32LE(this.#h[i]!, i * 4);
    return out.toString('hex');
  }

  /** Pads and finishes: the SHA-1 of every byte absorbed since the initial state. */
  digest(): Buffer {
    if (!this.#finished) {
      const bits = this.#bytes * 8;
      const tail = Buffer.alloc(this.#blockLen < 56 ? 64 - this.#blockLen : 128 - this.#blockLen);
      tail[0] = 0x80;
      // 64-bit big-endian length; exact for lengths below 2^53 bits.
      tail.writeUInt32BE(Math.floor(bits / 0x100000000), tail.length - 8);
      tail.writeUInt32BE(bits >>> 0, tail.length - 4);
      const saved = this.#bytes;
      this.update(tail);
      this.#bytes = saved;
      this.#finished = true;
    }
    const out = Buffer.alloc(20);
    for (let i = 0; i < 5; i++) out.writeInt32BE(this.#h[i]!, i * 4);
    return out;
  }

  #compress(b: Uint8Array, off: number): void {
    const w = this.#w;
    for (let i = 0, j = off; i < 16; i++, j += 4) w[i] = (b[j]! << 24) | (b[j + 1]! << 16) | (b[j + 2]! << 8) | b[j + 3]!;
    for (let i = 16; i < 80; i++) {
      const x = w[i - 3]! ^ w[i - 8]! ^ w[i - 14]! ^ w[i - 16]!;
      w[i] = (x << 1) | (x >>> 31);
    }
    const h = this.#h;
    let a = h[0]!;
    let bb = h[1]!;
    let c = h[2]!;
    let d = h[3]!;
    let e = h[4]!;
    let t: number;
    // The four round groups as separate loops: no branch per round.
    for (let i = 0; i < 20; i++) {
      t = (((a << 5) | (a >>> 27)) + ((bb & c) | (~bb & d)) + e + 0x5a827999 + w[i]!) | 0;
      e = d;
      d = c;
      c = (bb << 30) | (bb >>> 2);
      bb = a;
      a = t;
    }
    for (let i = 20; i < 40; i++) {
      t = (((a << 5) | (a >>> 27)) + (bb ^ c ^ d) + e + 0x6ed9eba1 + w[i]!) | 0;
      e = d;
      d = c;
      c = (bb << 30) | (bb >>> 2);
      bb = a;
      a = t;
    }
    for (let i = 40; i < 60; i++) {
      t = (((a << 5) | (a >>> 27)) + ((bb & c) | (bb & d) | (c & d)) + e + 0x8f1bbcdc + w[i]!) | 0;
      e = d;
      d = c;
      c = (bb << 30) | (bb >>> 2);
      bb = a;
      a = t;
    }
    for (let i = 60; i < 80; i++) {
      t = (((a << 5) | (a >>> 27)) + (bb ^ c ^ d) + e + 0xca62c1d6 + w[i]!) | 0;
      e = d;
      d = c;
      c = (bb << 30) | (bb >>> 2);
      bb = a;
      a = t;
    }
    h[0] = (h[0]! + a) | 0;
    h[1] = (h[1]! + bb) | 0;
    h[2] = (h[2]! + c) | 0;
    h[3] = (h[3]! + d) | 0;
    h[4] = (h[4]! + e) | 0;
  }
}

export function isStateHex(v: string): boolean {
  return /^[0-9a-f]{40}$/i.test(v);
}

/**
 * COS's description of a file cut into slices (`uploadparts`): for each slice
 * its offset, length and `datasha`, the running SHA-1 state after it, except
 * the last, whose `datasha` is the whole file's SHA-1 (hex).
 */
export function sliceShas(data: Uint8Array, sliceSize: number): { offset: number; datalen: number; datasha: string }[] {
  if (sliceSize <= 0 || sliceSize % 64 !== 0) throw new RangeError('slice size must be a positive multiple of 64');
  const out: { offset: number; datalen: number; datasha: string }[] = [];
  const s = Sha1State.initial();
  for (let offset = 0; offset < data.length || offset === 0; offset += sliceSize) {
    const end = Math.min(offset + sliceSize, data.length);
    s.update(data.subarray(offset, end));
    const last = end >= data.length;
    out.push({ offset, datalen: end - offset, datasha: last ? s.digest().toString('hex') : s.exportHex() });
    if (last) break;
  }
  return out;
}
