/**
 * A COS request's parameters, from wherever the client put them (spec §3.3):
 * the query string (the Python SDK's GETs and its move), a JSON body,
 * an url-encoded form or a multipart form. The query string wins over the
 * body. A multipart form is read up to its `filecontent` part, which is
 * handed on as a stream; the parts after it are read once that stream has
 * been consumed: qcloud_cos sends `op`, then `filecontent`, then the other
 * fields (`session`, `offset`, `sha`, `biz_attr`, `insertOnly`).
 */
import { readSmallBody, requestBody } from '../../http/body.js';
import type { HttpContext } from '../../http/context.js';
import { CosError } from './errors.js';
import { MultipartReader, multipartBoundary } from './multipart.js';

/** Largest body of a non-file request, and of a form's fields together (`uploadparts` of a large file). */
const BODY_LIMIT = 8 * 1024 * 1024;

export interface FilePart {
  /** The file's bytes; consume it once. */
  stream: AsyncIterable<Buffer>;
  /** Reads the form's remaining fields; call after the stream is consumed. */
  rest(): Promise<void>;
}

export class CosParams {
  readonly #values = new Map<string, unknown>();
  readonly #fromQuery = new Set<string>();
  file?: FilePart;

  setQuery(name: string, value: string): void {
    if (this.#fromQuery.has(name)) return;
    this.#values.set(name, value);
    this.#fromQuery.add(name);
  }

  setBody(name: string, value: unknown): void {
    if (!this.#values.has(name)) this.#values.set(name, value);
  }

  has(name: string): boolean {
    return this.#values.has(name) && this.#values.get(name) !== null;
  }

  get(name: string): unknown {
    return this.#values.get(name);
  }

  /** A textual parameter (JSON numbers and booleans are accepted as their text). */
  str(name: string): string | undefined {
    const v = this.#values.get(name);
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    throw new CosError('ERROR_CGI_PARAM', `${name} must be a string`);
  }

  /** A non-negative integer parameter (decimal text or a JSON number). */
  int(name: string): number | undefined {
    const s = this.str(name);
    if (s === undefined || s === '') return undefined;
    if (!/^\d{1,16}$/.test(s.trim())) throw new CosError('ERROR_CGI_PARAM', `${name} must be a non-negative integer`);
    return Number(s.trim());
  }

  /** A 0/1 switch. */
  flag(name: string, dflt: boolean): boolean {
    const n = this.int(name);
    if (n === undefined) return dflt;
    if (n > 1) throw new CosError('ERROR_CGI_PARAM', `${name} must be 0 or 1`);
    return n === 1;
  }
}

function hasBody(ctx: HttpContext): boolean {
  const len = ctx.header('content-length');
  return (len !== undefined && len !== '0') || ctx.header('transfer-encoding') !== undefined;
}

export async function readParams(ctx: HttpContext, idleMs: number): Promise<CosParams> {
  const p = new CosParams();
  // Form semantics: '+' is a space (the Python SDK's requests encodes params so).
  for (const [k, v] of new URLSearchParams(ctx.rawQuery)) p.setQuery(k, v);
  if (!hasBody(ctx)) return p;
  const contentType = ctx.header('content-type') ?? '';
  const media = contentType.split(';')[0]!.trim().toLowerCase();

  if (media === 'multipart/form-data') {
    const boundary = multipartBoundary(contentType);
    if (!boundary) throw new CosError('ERROR_CGI_FORM_ERR', 'multipart/form-data without a boundary');
    const reader = new MultipartReader(requestBody(ctx.req, idleMs), boundary);
    let fieldBytes = 0;
    const readFields = async () => {
      for (let part = await reader.next(); part; part = await reader.next()) {
        if (part.name === 'filecontent') {
          if (p.file) throw new CosError('ERROR_CGI_FORM_ERR', 'more than one filecontent');
          let consumed = false;
          p.file = {
            stream: (async function* () {
              yield* reader.body();
              consumed = true;
            })(),
            rest: async () => {
              if (!consumed) throw new CosError('ERROR_CGI_FORM_ERR', 'the file part was not read');
              await readFields();
            },
          };
          return;
        }
        const value = await reader.text(BODY_LIMIT - fieldBytes);
        fieldBytes += Buffer.byteLength(value);
        p.setBody(part.name, value);
      }
    };
    await readFields();
    return p;
  }

  const raw = await readSmallBody(ctx.req, idleMs, BODY_LIMIT);
  if (raw.length === 0) return p;
  const text = raw.toString('utf8');
  const looksJson = /^\s*[{[]/.test(text);
  if (media === 'application/json' || media.endsWith('+json') || (media !== 'application/x-www-form-urlencoded' && looksJson)) {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      throw new CosError('ERROR_CGI_JSON_PARSE_ERROR', 'the body is not valid JSON');
    }
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new CosError('ERROR_CGI_JSON_PARSE_ERROR', 'the JSON body must be an object');
    for (const [k, v] of Object.entries(doc)) p.setBody(k, v);
  } else if (media === 'application/x-www-form-urlencoded' || text.includes('=')) {
    for (const [k, v] of new URLSearchParams(text)) p.setBody(k, v);
  }
  return p;
}
