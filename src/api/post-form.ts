/**
 * Intake of a browser form upload (multipart/form-data POST to a bucket):
 * the fields are collected in order up to the `file` part, whose stream is
 * handed over unread (busboy applies back-pressure until it is consumed), so
 * the file is never buffered. Fields after the file are ignored, as S3 does.
 */
import busboy from 'busboy';
import { Readable } from 'node:stream';
import { StorageError, isStorageError } from '../engine/errors.js';
import { requestBody } from '../http/body.js';
import type { HttpContext } from '../http/context.js';

export interface PostFormFile {
  stream: Readable;
  filename: string;
}

export interface PostForm {
  /** Fields before the file, names lower-cased (form field names are case-insensitive); first value wins. */
  fields: Map<string, string>;
  /** Original spelling of each field name, for error messages. */
  names: Map<string, string>;
  file?: PostFormFile;
}

/**
 * S3 refuses more than 20 KB of form fields before the file
 * (MaxPostPreDataLengthExceeded); the same bound holds for every dialect, as
 * the fields are held in memory before anyone is authenticated. Names and
 * values count; the raw bytes before the file (part headers, boundaries) are
 * bounded too, so a form of empty fields or endless part headers is refused
 * as early, after at most one more socket chunk.
 */
export const MAX_PRE_DATA_BYTES = 20 * 1024;
const MAX_RAW_PRE_DATA_BYTES = 64 * 1024;
const MAX_FIELDS = 200;

const forms = new WeakMap<HttpContext, Promise<PostForm>>();
/** The fields read so far, kept even when the form fails, so the form door can still pick the dialect. */
const partial = new WeakMap<HttpContext, Map<string, string>>();

/** A POST whose body is a form: multipart/form-data, unsigned by header, without a query. */
export function isFormPost(ctx: HttpContext): boolean {
  return ctx.method === 'POST' && !ctx.header('authorization') && ctx.rawQuery === '' && isMultipartForm(ctx.req.headers);
}

/** The route matcher: the request's body is multipart/form-data. */
export function isMultipartForm(headers: Record<string, unknown>): boolean {
  const ct = headers['content-type'];
  return typeof ct === 'string' && ct.toLowerCase().startsWith('multipart/form-data');
}

const malformed = (why?: string) => new StorageError('MalformedPOSTRequest', why ? `The body of your POST request is not well-formed multipart/form-data. ${why}` : undefined);

/** The request's form (parsed once per request: the front door may have started it). */
export function postForm(ctx: HttpContext, idleMs: number): Promise<PostForm> {
  let p = forms.get(ctx);
  if (!p) {
    p = readForm(ctx, idleMs);
    // The dialect's handler awaits it; until then a rejection is not unhandled.
    p.catch(() => undefined);
    forms.set(ctx, p);
  }
  return p;
}

/** Field names (lower-cased) read before the form completed or failed. */
export function postFormFieldsSoFar(ctx: HttpContext): Iterable<string> {
  return partial.get(ctx)?.keys() ?? [];
}

const preDataTooLarge = () => new StorageError('MaxPostPreDataLengthExceeded', undefined, { MaxPostPreDataLengthBytes: String(MAX_PRE_DATA_BYTES) });

/** True when the front door already started reading this request's form. */
export function hasPostForm(ctx: HttpContext): boolean {
  return forms.has(ctx);
}

function readForm(ctx: HttpContext, idleMs: number): Promise<PostForm> {
  return new Promise<PostForm>((resolve, reject) => {
    const fields = new Map<string, string>();
    const names = new Map<string, string>();
    partial.set(ctx, fields);
    let fieldBytes = 0;
    let settled = false;
    let file: Readable | undefined;
    /** Fields sent as file parts, until their content has arrived. */
    const fieldParts: Promise<void>[] = [];
    const done = (f: () => void) => {
      if (settled) return;
      settled = true;
      f();
    };
    let bb: busboy.Busboy;
    try {
      bb = busboy({ headers: ctx.req.headers, limits: { fieldSize: MAX_PRE_DATA_BYTES + 1, fields: MAX_FIELDS, fieldNameSize: 1024 } });
    } catch (e) {
      reject(malformed((e as Error).message));
      return;
    }
    bb.on('field', (name, value, info) => {
      if (settled || file) return; // after the file: ignored
      fieldBytes += Buffer.byteLength(name) + Buffer.byteLength(value);
      if (info.valueTruncated || fieldBytes > MAX_PRE_DATA_BYTES) return done(() => reject(preDataTooLarge()));
      if (info.nameTruncated) return done(() => reject(malformed('A form field name is too long.')));
      const lower = name.toLowerCase();
      if (!fields.has(lower)) {
        fields.set(lower, value);
        names.set(lower, name);
      }
    });
    bb.on('file', (name, stream, info) => {
      // Its reader (the engine) sees any error through iteration; one raised before or after must not go uncaught.
      stream.on('error', () => undefined);
      if (settled || file) {
        stream.resume(); // after the file: ignored
        return;
      }
      if (name.toLowerCase() !== 'file') {
        // Only the part named "file" is the file: S3 reads any other part as a field, even one sent with a
        // filename (Python's requests sends every `files=` entry so). The form is complete once these end.
        const lower = name.toLowerCase();
        if (fields.has(lower)) return void stream.resume();
        names.set(lower, name);
        fields.set(lower, '');
        const chunks: Buffer[] = [];
        fieldBytes += Buffer.byteLength(name);
        stream.on('data', (c: Buffer) => {
          // Counted with the other fields: all of them wait in memory before anyone is authenticated.
          fieldBytes += c.length;
          if (fieldBytes > MAX_PRE_DATA_BYTES) return done(() => reject(preDataTooLarge()));
          chunks.push(c);
        });
        fieldParts.push(new Promise<void>((res) => stream.on('end', () => {
          fields.set(lower, Buffer.concat(chunks).toString('utf8'));
          res();
        }).on('error', () => res())));
        return;
      }
      file = stream;
      void Promise.all(fieldParts).then(() => done(() => resolve({ fields, names, file: { stream, filename: info.filename ?? '' } })));
    });
    bb.on('fieldsLimit', () => done(() => reject(malformed('Too many form fields.'))));
    bb.on('error', (e: Error) => {
      const err = malformed(e.message);
      done(() => reject(err));
      file?.destroy(err); // a form cut off mid-file: the engine's read fails, nothing is stored
    });
    bb.on('close', () => void Promise.all(fieldParts).then(() => done(() => resolve({ fields, names }))));
    // The body through the idle timeout: a client that stalls or goes away mid-file
    // fails the form (RequestTimeout / IncompleteBody) and never leaves the engine waiting.
    const source = Readable.from(boundedPreData(requestBody(ctx.req, idleMs), () => file !== undefined || settled), { objectMode: false });
    source.on('error', (e) => {
      const err = isStorageError(e) ? e : malformed(e.message);
      done(() => reject(err));
      file?.destroy(err);
    });
    source.pipe(bb);
  });
}

/**
 * The body, failing once more than MAX_RAW_PRE_DATA_BYTES went by without the
 * file part starting (or the form settling): checked before each chunk is
 * handed on, so a chunk that starts the file is never counted against it.
 */
async function* boundedPreData(body: AsyncIterable<Buffer>, fileStarted: () => boolean): AsyncGenerator<Buffer> {
  let raw = 0;
  for await (const chunk of body) {
    if (!fileStarted()) {
      if (raw > MAX_RAW_PRE_DATA_BYTES) throw preDataTooLarge();
      raw += chunk.length;
    }
    yield chunk;
  }
}
