/**
 * A streaming multipart/form-data reader. COS clients send the file as a
 * part named `filecontent`, sometimes with a filename (the Python SDK gives
 * every part one), sometimes as a plain field (the PHP SDK, the API
 * reference's examples); busboy streams only parts with a filename or an
 * octet-stream type and would buffer the latter whole as a text field
 * (a 20 MB simple upload), cut at its field limit, so parts are read here by
 * name, and any part can be streamed. Parts come in order: a part's body must
 * be consumed (or is skipped) before the next.
 *
 * Linear in the body: a part's data is yielded as it arrives (only a tail
 * shorter than the delimiter is kept), and what is buffered while looking
 * for a delimiter, headers or padding is bounded (16 KB each).
 */
import { CosError } from './errors.js';

export interface PartHeaders {
  name: string;
  filename?: string;
  contentType?: string;
}

const CRLF = Buffer.from('\r\n');
const HEADERS_END = Buffer.from('\r\n\r\n');
const MAX_HEADER_BYTES = 16 * 1024;
const MAX_EPILOGUE_BYTES = 64 * 1024;

const formError = (detail: string) => new CosError('ERROR_CGI_FORM_ERR', detail);

/** The boundary parameter of a multipart Content-Type, or undefined. */
export function multipartBoundary(contentType: string): string | undefined {
  const m = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const b = m?.[1] ?? m?.[2];
  return b && b.length <= 70 ? b : undefined;
}

/** Parameters of a Content-Disposition value (quoted strings with escapes, or tokens). */
function dispositionParams(v: string): Map<string, string> {
  const out = new Map<string, string>();
  const re = /;\s*([^\s=;]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(v))) {
    const key = m[1]!.toLowerCase();
    const value = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3]!.trim();
    if (!out.has(key)) out.set(key, value);
  }
  return out;
}

export class MultipartReader {
  readonly #it: AsyncIterator<Buffer>;
  readonly #delimiter: Buffer;
  // A CRLF in front lets the first delimiter match without a preamble.
  #buf: Buffer = CRLF;
  #eof = false;
  #state: 'preamble' | 'delimited' | 'headers' | 'body' | 'done' = 'preamble';

  constructor(source: AsyncIterable<Buffer>, boundary: string) {
    this.#it = source[Symbol.asyncIterator]();
    this.#delimiter = Buffer.from(`\r\n--${boundary}`, 'latin1');
  }

  /** Appends the next chunk; false at the end of the input. */
  async #fill(): Promise<boolean> {
    if (this.#eof) return false;
    const r = await this.#it.next();
    if (r.done) {
      this.#eof = true;
      return false;
    }
    this.#buf = this.#buf.length ? Buffer.concat([this.#buf, r.value]) : r.value;
    return true;
  }

  /**
   * The index in the buffer of the first `pattern`, reading more input as
   * needed; -1 at the end of the input or once more than `limit` bytes are
   * buffered without it. New chunks are searched where they join the data
   * before them, collected, and joined once: linear however small the chunks
   * (growing the buffer chunk by chunk would copy it again with each one).
   */
  async #find(pattern: Buffer, limit: number): Promise<number> {
    const at = this.#buf.indexOf(pattern);
    if (at >= 0 || this.#buf.length > limit) return at;
    const overlap = pattern.length - 1;
    const chunks = [this.#buf];
    let total = this.#buf.length;
    let tail = this.#buf.subarray(Math.max(0, total - overlap));
    let found = -1;
    while (found < 0 && total <= limit && !this.#eof) {
      const r = await this.#it.next();
      if (r.done) {
        this.#eof = true;
        break;
      }
      const chunk = r.value;
      const across = Buffer.concat([tail, chunk.subarray(0, overlap)]).indexOf(pattern);
      if (across >= 0) found = total - tail.length + across;
      else {
        const within = chunk.indexOf(pattern);
        if (within >= 0) found = total + within;
      }
      chunks.push(chunk);
      total += chunk.length;
      tail = chunk.length >= overlap ? chunk.subarray(chunk.length - overlap) : Buffer.concat([tail, chunk]).subarray(-overlap);
    }
    this.#buf = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
    return found;
  }

  async #need(n: number): Promise<void> {
    while (this.#buf.length < n) if (!(await this.#fill())) throw formError('the form ends in the middle of a part');
  }

  /** After a delimiter: `--` closes the form, else (optional padding) CRLF opens a part. */
  async #afterDelimiter(): Promise<void> {
    await this.#need(2);
    if (this.#buf[0] === 0x2d && this.#buf[1] === 0x2d) {
      this.#state = 'done';
      await this.#drainEpilogue();
      return;
    }
    // Transport padding (RFC 2046: spaces and tabs) is dropped as it is
    // scanned, so it is never buffered or scanned twice, and bounded.
    let padding = 0;
    for (;;) {
      let i = 0;
      while (i < this.#buf.length && (this.#buf[i] === 0x20 || this.#buf[i] === 0x09)) i++;
      padding += i;
      if (padding > MAX_HEADER_BYTES) throw formError('too much padding after a boundary');
      this.#buf = this.#buf.subarray(i);
      if (this.#buf.length >= 2 || (this.#buf.length === 1 && this.#buf[0] !== 0x0d)) break;
      if (!(await this.#fill())) throw formError('the form ends in the middle of a part');
    }
    if (this.#buf[0] !== 0x0d || this.#buf[1] !== 0x0a) throw formError('a boundary is followed by neither CRLF nor "--"');
    this.#buf = this.#buf.subarray(2);
    this.#state = 'headers';
  }

  async #drainEpilogue(): Promise<void> {
    let n = this.#buf.length;
    this.#buf = Buffer.alloc(0);
    while (await this.#fill()) {
      n += this.#buf.length;
      this.#buf = Buffer.alloc(0);
      if (n > MAX_EPILOGUE_BYTES) throw formError('too much data after the closing boundary');
    }
  }

  /** The next part's headers, or undefined after the closing boundary. */
  async next(): Promise<PartHeaders | undefined> {
    if (this.#state === 'body') for await (const _ of this.body()); // skip an unread body
    if (this.#state === 'preamble') {
      const i = await this.#find(this.#delimiter, MAX_HEADER_BYTES);
      if (i < 0) throw formError('no boundary found');
      this.#buf = this.#buf.subarray(i + this.#delimiter.length);
      this.#state = 'delimited';
    }
    if (this.#state === 'delimited') await this.#afterDelimiter();
    if (this.#state === 'done') return undefined;
    while (this.#buf.length < 2 && (await this.#fill()));
    // A part without headers starts right away with the blank line.
    const end = this.#buf.length >= 2 && this.#buf[0] === 0x0d && this.#buf[1] === 0x0a ? -2 : await this.#find(HEADERS_END, MAX_HEADER_BYTES);
    if (end === -1) throw formError(this.#eof ? 'the form ends inside part headers' : 'part headers too large');
    const head = end === -2 ? '' : this.#buf.subarray(0, end).toString('utf8');
    this.#buf = this.#buf.subarray(end === -2 ? 2 : end + 4);
    let disposition: string | undefined;
    let contentType: string | undefined;
    for (const line of head.split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon <= 0) throw formError('malformed part header');
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (name === 'content-disposition') disposition = value;
      else if (name === 'content-type') contentType = value;
    }
    if (!disposition || !/^form-data\s*(;|$)/i.test(disposition)) throw formError('a part is not form-data');
    const params = dispositionParams(disposition);
    const name = params.get('name');
    if (name === undefined) throw formError('a part has no name');
    this.#state = 'body';
    return { name, filename: params.get('filename'), contentType };
  }

  /** The current part's body, streamed: everything up to the next delimiter. */
  async *body(): AsyncGenerator<Buffer> {
    if (this.#state !== 'body') return;
    const d = this.#delimiter;
    for (;;) {
      const i = this.#buf.indexOf(d);
      if (i >= 0) {
        const chunk = this.#buf.subarray(0, i);
        this.#buf = this.#buf.subarray(i + d.length);
        this.#state = 'delimited';
        if (chunk.length) yield chunk;
        await this.#afterDelimiter();
        return;
      }
      // Keep a tail that could be the start of a delimiter split across chunks.
      const safe = this.#buf.length - (d.length - 1);
      if (safe > 0) {
        const chunk = this.#buf.subarray(0, safe);
        this.#buf = this.#buf.subarray(safe);
        yield chunk;
      }
      if (!(await this.#fill())) throw formError('the form ends in the middle of a part');
    }
  }

  /** The current part's body whole, refusing more than `limit` bytes. */
  async text(limit: number): Promise<string> {
    const chunks: Buffer[] = [];
    let n = 0;
    for await (const c of this.body()) {
      n += c.length;
      if (n > limit) throw new CosError('ERROR_CGI_PARAM', 'a form field is too large');
      chunks.push(c);
    }
    return Buffer.concat(chunks).toString('utf8');
  }
}
