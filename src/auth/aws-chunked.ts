/**
 * `Content-Encoding: aws-chunked` bodies (SigV4 streaming uploads).
 *
 * Signed:            `<hex>;chunk-signature=<sig>\r\n<data>\r\n` ... `0;chunk-signature=<sig>\r\n`
 * then, without trailer, `\r\n`; with trailer (`...-PAYLOAD-TRAILER`),
 * `name:value\r\n`... `x-amz-trailer-signature:<sig>\r\n\r\n`.
 * Unsigned trailer:  `<hex>\r\n<data>\r\n` ... `0\r\n` `name:value\r\n`... `\r\n`.
 *
 * Chunk signature:   HMAC(kSigning, "AWS4-HMAC-SHA256-PAYLOAD\n" + amzDate + "\n" + scope + "\n" + previousSignature
 *                    + "\n" + sha256("") + "\n" + sha256(chunkData)), chained from the seed (header) signature.
 * Trailer signature: HMAC(kSigning, "AWS4-HMAC-SHA256-TRAILER\n" + amzDate + "\n" + scope + "\n" + finalChunkSignature
 *                    + "\n" + sha256(trailer lines as "name:value\n" each)).
 *
 * The decoder emits only data bytes. In signed mode a chunk's bytes are held
 * until its signature is checked (at most one chunk in memory), so nothing
 * unverified ever goes downstream; unsigned chunks stream straight through.
 * Framing errors are IncompleteBody ("The request body terminated
 * unexpectedly"), which is what S3 answers for any malformed aws-chunked body.
 */
import { createHash, createHmac, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { StorageError } from '../engine/errors.js';
import { EMPTY_SHA256, safeEqual, sha256Hex } from './sigv4.js';

export const CHUNK_ALGORITHM = 'AWS4-HMAC-SHA256-PAYLOAD';
export const TRAILER_ALGORITHM = 'AWS4-HMAC-SHA256-TRAILER';
export const TRAILER_SIGNATURE_HEADER = 'x-amz-trailer-signature';
export const DEFAULT_CHUNK_SIZE = 64 * 1024;
/** Largest chunk the decoder accepts by default (the brief allows ~8 MiB chunks; keep headroom). */
export const DEFAULT_MAX_CHUNK_SIZE = 16 * 1024 * 1024;

const MAX_LINE = 4096;
const MAX_TRAILER_BYTES = 16 * 1024;
const MAX_TRAILER_LINES = 64;

// ---------------------------------------------------------------- signing

export function chunkStringToSign(amzDate: string, scope: string, previousSignature: string, chunkHashHex: string): string {
  return `${CHUNK_ALGORITHM}\n${amzDate}\n${scope}\n${previousSignature}\n${EMPTY_SHA256}\n${chunkHashHex}`;
}

/** Signature of one chunk given the hex sha256 of its data. */
export function signChunk(signingKey: Buffer, amzDate: string, scope: string, previousSignature: string, chunkHashHex: string): string {
  return createHmac('sha256', signingKey).update(chunkStringToSign(amzDate, scope, previousSignature, chunkHashHex)).digest('hex');
}

/** Canonical trailer block: "name:value\n" per trailer, in the order given. */
export function canonicalTrailers(trailers: Array<[string, string]>): string {
  return trailers.map(([k, v]) => `${k}:${v}\n`).join('');
}

export function trailerStringToSign(amzDate: string, scope: string, previousSignature: string, canonicalTrailer: string): string {
  return `${TRAILER_ALGORITHM}\n${amzDate}\n${scope}\n${previousSignature}\n${sha256Hex(canonicalTrailer)}`;
}

export function signTrailer(signingKey: Buffer, amzDate: string, scope: string, previousSignature: string, canonicalTrailer: string): string {
  return createHmac('sha256', signingKey).update(trailerStringToSign(amzDate, scope, previousSignature, canonicalTrailer)).digest('hex');
}

// ---------------------------------------------------------------- decoder

export interface AwsChunkedDecoderOptions {
  /** Chunks carry chunk-signature and are checked (STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]). */
  signed: boolean;
  /** Trailer lines follow the final chunk (…-TRAILER variants). */
  trailer: boolean;
  /** Required when signed: the Authorization header's signature. */
  seedSignature?: string;
  signingKey?: Buffer;
  amzDate?: string;
  scope?: string;
  /** x-amz-decoded-content-length; checked when given. */
  decodedLength?: number;
  maxChunkSize?: number;
}

type State = 'size' | 'data' | 'data-crlf' | 'trailer' | 'end' | 'done';

function incomplete(message = 'The request body terminated unexpectedly'): StorageError {
  return new StorageError('IncompleteBody', message);
}

export class AwsChunkedDecoder extends Transform {
  /** Trailer headers (lower-case names, trimmed values), complete after 'end'. */
  readonly trailers: Record<string, string> = {};
  /** Decoded bytes so far. */
  decodedBytes = 0;

  private readonly opts: AwsChunkedDecoderOptions;
  private readonly maxChunkSize: number;
  private state: State = 'size';
  private failed = false;

  // current line
  private lineParts: Buffer[] = [];
  private lineLen = 0;

  // current chunk
  private remaining = 0;
  private chunkSig = '';
  private hash: Hash | undefined;
  private held: Buffer[] = [];
  private crlfSeen = 0;
  private previousSignature: string;

  // trailer section
  private trailerList: Array<[string, string]> = [];
  private trailerSignature: string | undefined;
  private trailerBytes = 0;

  constructor(options: AwsChunkedDecoderOptions) {
    super();
    this.opts = options;
    this.maxChunkSize = options.maxChunkSize ?? DEFAULT_MAX_CHUNK_SIZE;
    if (options.signed && (!options.seedSignature || !options.signingKey || !options.amzDate || !options.scope)) {
      throw new TypeError('AwsChunkedDecoder: signed mode needs seedSignature, signingKey, amzDate and scope');
    }
    this.previousSignature = (options.seedSignature ?? '').toLowerCase();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, callback: TransformCallback): void {
    if (this.failed) return callback();
    try {
      this.consume(chunk);
      callback();
    } catch (e) {
      this.failed = true;
      callback(e as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    if (this.failed) return callback();
    try {
      const lenientEnd =
        // No final CRLF after the last chunk.
        (this.state === 'end' && this.lineLen === 0) ||
        // "0\r\n" then EOF: what the JS SDK sends for a trailer-less unsigned body.
        (this.state === 'trailer' && this.lineLen === 0 && this.trailerList.length === 0 && this.trailerSignature === undefined);
      if (this.state !== 'done' && !lenientEnd) throw incomplete();
      this.checkDecodedLength();
      callback();
    } catch (e) {
      this.failed = true;
      callback(e as Error);
    }
  }

  private consume(buf: Buffer): void {
    let pos = 0;
    while (pos < buf.length) {
      switch (this.state) {
        case 'size':
        case 'trailer':
        case 'end': {
          const nl = buf.indexOf(0x0a, pos);
          if (nl === -1) {
            this.addLinePart(buf.subarray(pos));
            pos = buf.length;
            break;
          }
          this.addLinePart(buf.subarray(pos, nl));
          pos = nl + 1;
          this.onLine(this.takeLine());
          break;
        }
        case 'data': {
          const n = Math.min(this.remaining, buf.length - pos);
          const piece = buf.subarray(pos, pos + n);
          pos += n;
          this.remaining -= n;
          if (this.opts.signed) {
            this.hash!.update(piece);
            this.held.push(piece);
          } else {
            this.decodedBytes += n;
            this.push(piece);
          }
          if (this.remaining === 0) {
            this.state = 'data-crlf';
            this.crlfSeen = 0;
          }
          break;
        }
        case 'data-crlf': {
          const expected = this.crlfSeen === 0 ? 0x0d : 0x0a;
          if (buf[pos] !== expected) throw incomplete();
          pos++;
          if (++this.crlfSeen === 2) this.endChunk();
          break;
        }
        case 'done':
          throw incomplete('The request body is longer than the aws-chunked encoding it declares');
      }
    }
  }

  private addLinePart(part: Buffer): void {
    if (part.length === 0) return;
    this.lineLen += part.length;
    if (this.lineLen > MAX_LINE) throw incomplete();
    this.lineParts.push(part);
  }

  /** The line without its CRLF; a bare LF is malformed. */
  private takeLine(): string {
    const line = this.lineParts.length === 1 ? this.lineParts[0]! : Buffer.concat(this.lineParts, this.lineLen);
    this.lineParts = [];
    this.lineLen = 0;
    if (line.length === 0 || line[line.length - 1] !== 0x0d) throw incomplete();
    return line.subarray(0, line.length - 1).toString('latin1');
  }

  private onLine(line: string): void {
    if (this.state === 'size') this.onSizeLine(line);
    else if (this.state === 'trailer') this.onTrailerLine(line);
    else {
      // 'end': the empty line closing a trailer-less body.
      if (line !== '') throw incomplete();
      this.state = 'done';
    }
  }

  private onSizeLine(line: string): void {
    const semi = line.indexOf(';');
    const sizeText = semi === -1 ? line : line.slice(0, semi);
    if (!/^[0-9a-fA-F]{1,16}$/.test(sizeText)) throw incomplete();
    const size = parseInt(sizeText, 16);
    if (size > this.maxChunkSize) {
      throw new StorageError('InvalidRequest', `aws-chunked chunk of ${size} bytes exceeds the ${this.maxChunkSize}-byte limit`);
    }
    let signature: string | undefined;
    if (semi !== -1) {
      for (const ext of line.slice(semi + 1).split(';')) {
        const eq = ext.indexOf('=');
        if (eq !== -1 && ext.slice(0, eq).trim() === 'chunk-signature') signature = ext.slice(eq + 1).trim();
      }
    }
    if (this.opts.signed) {
      if (signature === undefined || !/^[0-9a-fA-F]{64}$/.test(signature)) throw incomplete();
      this.chunkSig = signature.toLowerCase();
    }
    if (this.opts.decodedLength !== undefined && this.decodedBytes + size > this.opts.decodedLength) {
      throw new StorageError('IncompleteBody', 'The aws-chunked body is longer than x-amz-decoded-content-length');
    }
    if (size === 0) {
      if (this.opts.signed) this.verifyChunk(EMPTY_SHA256);
      this.state = this.opts.trailer ? 'trailer' : 'end';
      return;
    }
    this.remaining = size;
    if (this.opts.signed) {
      this.hash = createHash('sha256');
      this.held = [];
    }
    this.state = 'data';
  }

  private endChunk(): void {
    if (this.opts.signed) {
      this.verifyChunk(this.hash!.digest('hex'));
      this.hash = undefined;
      const held = this.held;
      this.held = [];
      let n = 0;
      for (const b of held) n += b.length;
      this.decodedBytes += n;
      if (held.length === 1) this.push(held[0]);
      else if (held.length > 1) this.push(Buffer.concat(held, n));
    }
    this.state = 'size';
  }

  private verifyChunk(chunkHashHex: string): void {
    const { signingKey, amzDate, scope } = this.opts;
    const expected = signChunk(signingKey!, amzDate!, scope!, this.previousSignature, chunkHashHex);
    if (!safeEqual(expected, this.chunkSig)) {
      throw new StorageError('SignatureDoesNotMatch', undefined, {
        StringToSign: chunkStringToSign(amzDate!, scope!, this.previousSignature, chunkHashHex),
        SignatureProvided: this.chunkSig,
      });
    }
    this.previousSignature = expected;
  }

  private onTrailerLine(line: string): void {
    if (line === '') {
      this.finishTrailers();
      return;
    }
    this.trailerBytes += line.length;
    if (this.trailerBytes > MAX_TRAILER_BYTES || this.trailerList.length >= MAX_TRAILER_LINES) throw incomplete();
    const colon = line.indexOf(':');
    if (colon <= 0) throw incomplete();
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === TRAILER_SIGNATURE_HEADER) {
      if (this.trailerSignature !== undefined) throw incomplete();
      this.trailerSignature = value.toLowerCase();
      return;
    }
    // The signature closes the trailer section.
    if (this.trailerSignature !== undefined) throw incomplete();
    this.trailerList.push([name, value]);
  }

  private finishTrailers(): void {
    if (this.opts.signed && this.trailerList.length > 0) {
      const sig = this.trailerSignature;
      if (sig === undefined || !/^[0-9a-f]{64}$/.test(sig)) throw incomplete();
      const { signingKey, amzDate, scope } = this.opts;
      const canonical = canonicalTrailers(this.trailerList);
      const expected = signTrailer(signingKey!, amzDate!, scope!, this.previousSignature, canonical);
      if (!safeEqual(expected, sig)) {
        throw new StorageError('SignatureDoesNotMatch', undefined, {
          StringToSign: trailerStringToSign(amzDate!, scope!, this.previousSignature, canonical),
          SignatureProvided: sig,
        });
      }
    }
    for (const [k, v] of this.trailerList) this.trailers[k] = v;
    this.state = 'done';
  }

  private checkDecodedLength(): void {
    const want = this.opts.decodedLength;
    if (want === undefined) return;
    if (this.decodedBytes !== want) {
      throw new StorageError('IncompleteBody', undefined, {
        ExpectedLength: String(want),
        ReceivedLength: String(this.decodedBytes),
      });
    }
  }
}

// ---------------------------------------------------------------- encoder

export type AwsChunkedMode = 'signed' | 'signed-trailer' | 'unsigned-trailer';

export interface AwsChunkedEncoderOptions {
  mode: AwsChunkedMode;
  /** Data bytes per chunk (the last may be shorter); default 64 KiB. */
  chunkSize?: number;
  /** Signed modes: the signing key, x-amz-date, scope and seed signature of the request (signRequestV4's result). */
  signingKey?: Buffer;
  amzDate?: string;
  scope?: string;
  seedSignature?: string;
  /** Trailer headers (trailer modes), read at the end of the data; sent sorted by name. */
  trailers?: Record<string, string> | (() => Record<string, string>);
}

/** The x-amz-content-sha256 value for a mode. */
export function contentSha256ForMode(mode: AwsChunkedMode): string {
  return mode === 'signed'
    ? 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD'
    : mode === 'signed-trailer'
      ? 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER'
      : 'STREAMING-UNSIGNED-PAYLOAD-TRAILER';
}

/** Frames chunks; shared by the Transform and the one-shot encoder. */
class ChunkFramer {
  private previous: string;
  private readonly signed: boolean;
  constructor(private readonly o: AwsChunkedEncoderOptions) {
    this.signed = o.mode !== 'unsigned-trailer';
    if (this.signed && (!o.signingKey || !o.amzDate || !o.scope || !o.seedSignature)) {
      throw new TypeError('aws-chunked encoder: signed modes need signingKey, amzDate, scope and seedSignature');
    }
    this.previous = o.seedSignature ?? '';
  }

  chunk(data: Buffer): Buffer[] {
    const size = data.length.toString(16);
    if (!this.signed) return [Buffer.from(`${size}\r\n`, 'latin1'), data, Buffer.from('\r\n', 'latin1')];
    const sig = signChunk(this.o.signingKey!, this.o.amzDate!, this.o.scope!, this.previous, data.length ? sha256Hex(data) : EMPTY_SHA256);
    this.previous = sig;
    const head = Buffer.from(`${size};chunk-signature=${sig}\r\n`, 'latin1');
    return data.length ? [head, data, Buffer.from('\r\n', 'latin1')] : [head];
  }

  finish(): Buffer[] {
    const out = this.signed ? this.chunk(Buffer.alloc(0)) : [Buffer.from('0\r\n', 'latin1')];
    if (this.o.mode === 'signed') {
      out.push(Buffer.from('\r\n', 'latin1'));
      return out;
    }
    const raw = typeof this.o.trailers === 'function' ? this.o.trailers() : (this.o.trailers ?? {});
    const list = Object.entries(raw)
      .map(([k, v]) => [k.toLowerCase(), v.trim()] as [string, string])
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    let text = list.map(([k, v]) => `${k}:${v}\r\n`).join('');
    if (this.o.mode === 'signed-trailer' && list.length > 0) {
      const sig = signTrailer(this.o.signingKey!, this.o.amzDate!, this.o.scope!, this.previous, canonicalTrailers(list));
      text += `${TRAILER_SIGNATURE_HEADER}:${sig}\r\n`;
    }
    out.push(Buffer.from(text + '\r\n', 'latin1'));
    return out;
  }
}

/** Streaming encoder: data in, aws-chunked body out, in chunks of exactly `chunkSize` (the last shorter). */
export class AwsChunkedEncoder extends Transform {
  private readonly framer: ChunkFramer;
  private readonly chunkSize: number;
  private pending: Buffer[] = [];
  private pendingLen = 0;

  constructor(options: AwsChunkedEncoderOptions) {
    super();
    this.framer = new ChunkFramer(options);
    this.chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
    if (!Number.isInteger(this.chunkSize) || this.chunkSize < 1) throw new TypeError('chunkSize must be a positive integer');
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, callback: TransformCallback): void {
    if (this.pendingLen + chunk.length < this.chunkSize) {
      this.pending.push(chunk);
      this.pendingLen += chunk.length;
      return callback();
    }
    const all = this.pendingLen ? Buffer.concat([...this.pending, chunk], this.pendingLen + chunk.length) : chunk;
    let off = 0;
    while (all.length - off >= this.chunkSize) {
      for (const b of this.framer.chunk(all.subarray(off, off + this.chunkSize))) this.push(b);
      off += this.chunkSize;
    }
    const rest = all.subarray(off);
    this.pending = rest.length ? [rest] : [];
    this.pendingLen = rest.length;
    callback();
  }

  override _flush(callback: TransformCallback): void {
    try {
      if (this.pendingLen > 0) for (const b of this.framer.chunk(Buffer.concat(this.pending, this.pendingLen))) this.push(b);
      this.pending = [];
      this.pendingLen = 0;
      for (const b of this.framer.finish()) this.push(b);
      callback();
    } catch (e) {
      callback(e as Error);
    }
  }
}

/** One-shot encoder for tests and small bodies. */
export function encodeAwsChunked(data: Buffer, options: AwsChunkedEncoderOptions): Buffer {
  const framer = new ChunkFramer(options);
  const size = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  const parts: Buffer[] = [];
  for (let off = 0; off < data.length; off += size) parts.push(...framer.chunk(data.subarray(off, off + size)));
  parts.push(...framer.finish());
  return Buffer.concat(parts);
}

/**
 * Length of the encoded body (the Content-Length to send) for `decodedLength`
 * data bytes. `trailers` must have the names and values that will be sent
 * (values of fixed length, e.g. base64 checksums, can be placeholders).
 */
export function awsChunkedEncodedLength(
  decodedLength: number,
  options: { mode: AwsChunkedMode; chunkSize?: number; trailers?: Record<string, string> },
): number {
  const size = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  const signed = options.mode !== 'unsigned-trailer';
  const headerLen = (n: number) => n.toString(16).length + (signed ? ';chunk-signature='.length + 64 : 0) + 2;
  let total = 0;
  const full = Math.floor(decodedLength / size);
  const rest = decodedLength % size;
  total += full * (headerLen(size) + size + 2);
  if (rest > 0) total += headerLen(rest) + rest + 2;
  total += headerLen(0);
  if (options.mode === 'signed') return total + 2;
  const entries = Object.entries(options.trailers ?? {});
  for (const [k, v] of entries) total += k.length + 1 + v.trim().length + 2;
  if (options.mode === 'signed-trailer' && entries.length > 0) total += TRAILER_SIGNATURE_HEADER.length + 1 + 64 + 2;
  return total + 2;
}
