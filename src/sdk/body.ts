/** Request bodies: one shape for bytes, text, streams and file ranges, with lengths and MD5 where they can be known. */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { clientError, type DialectName } from './errors.js';
import type { BodyInput, FileBody } from './types.js';

/** Files parts up to this size are read into memory once (hashed, sent, and resent on retry from there). */
export const BUFFER_FILE_PARTS_UP_TO = 64 * 1024 * 1024;

export interface PreparedBody {
  /** Byte length when known. */
  length?: number;
  /** Whether `make` can be called again for a retry. */
  replayable: boolean;
  /** The bytes, when the body is in memory. */
  buffer?: Buffer;
  /** A fresh body for one attempt. */
  make(): Buffer | Readable;
  /** Base64 MD5 (reads a file range once more; undefined for a stream). */
  md5(): Promise<string | undefined>;
}

function isFileBody(b: unknown): b is FileBody {
  return typeof b === 'object' && b !== null && typeof (b as FileBody).file === 'string' && !(b instanceof Readable);
}

export function md5Base64(b: Buffer): string {
  return createHash('md5').update(b).digest('base64');
}

export async function prepareBody(dialect: DialectName, body: BodyInput | undefined): Promise<PreparedBody> {
  if (body === undefined) return fromBuffer(Buffer.alloc(0));
  if (typeof body === 'string') return fromBuffer(Buffer.from(body, 'utf8'));
  if (Buffer.isBuffer(body)) return fromBuffer(body);
  if (body instanceof Uint8Array) return fromBuffer(Buffer.from(body.buffer, body.byteOffset, body.byteLength));
  if (isFileBody(body)) return fromFile(dialect, body);
  if (body instanceof Readable || typeof (body as Readable)?.pipe === 'function') {
    const stream = body as Readable;
    let used = false;
    return {
      replayable: false,
      make() {
        if (used) throw clientError(dialect, 'InvalidArgument', 'a stream body cannot be sent twice');
        used = true;
        return stream;
      },
      md5: async () => undefined,
    };
  }
  throw clientError(dialect, 'InvalidArgument', 'the body must be a Buffer, Uint8Array, string, Readable or { file }');
}

function fromBuffer(buf: Buffer): PreparedBody {
  let md5: string | undefined;
  return {
    length: buf.length,
    replayable: true,
    buffer: buf,
    make: () => buf,
    md5: async () => (md5 ??= md5Base64(buf)),
  };
}

async function fromFile(dialect: DialectName, f: FileBody): Promise<PreparedBody> {
  let st: fs.Stats;
  try {
    st = await fs.promises.stat(f.file);
  } catch (e) {
    throw clientError(dialect, 'LocalIOError', `cannot read ${f.file}: ${(e as Error).message}`, e);
  }
  if (!st.isFile()) throw clientError(dialect, 'LocalIOError', `${f.file} is not a regular file`);
  const start = f.start ?? 0;
  const end = Math.min(f.end ?? st.size, st.size);
  const length = Math.max(0, end - start);
  if (length <= BUFFER_FILE_PARTS_UP_TO) {
    let buf: Buffer;
    try {
      buf = await readRange(f.file, start, length);
    } catch (e) {
      throw clientError(dialect, 'LocalIOError', `cannot read ${f.file}: ${(e as Error).message}`, e);
    }
    return fromBuffer(buf);
  }
  let md5: string | undefined;
  const make = () => (length === 0 ? Buffer.alloc(0) : fs.createReadStream(f.file, { start, end: end - 1, highWaterMark: 1024 * 1024 }));
  return {
    length,
    replayable: true,
    make,
    async md5() {
      if (md5 !== undefined) return md5;
      const h = createHash('md5');
      const s = make();
      if (Buffer.isBuffer(s)) h.update(s);
      else for await (const c of s) h.update(c as Buffer);
      return (md5 = h.digest('base64'));
    },
  };
}

/** Reads exactly `length` bytes at `start` (fewer only if the file is shorter). */
export async function readRange(file: string, start: number, length: number): Promise<Buffer> {
  const fh = await fs.promises.open(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(length);
    let off = 0;
    while (off < length) {
      const { bytesRead } = await fh.read(buf, off, length - off, start + off);
      if (bytesRead === 0) break;
      off += bytesRead;
    }
    return off === length ? buf : buf.subarray(0, off);
  } finally {
    await fh.close();
  }
}
