/** The streaming multipart/form-data reader of the COS front end. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CosError } from '../../src/dialects/cos/errors.js';
import { MultipartReader, multipartBoundary } from '../../src/dialects/cos/multipart.js';
import { concatBytes } from '../helpers/copy-count.js';
import { bytes } from './helpers.js';

async function* chunked(data: Buffer, size: number) {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

async function readAll(body: Buffer, boundary: string, chunk: number) {
  const r = new MultipartReader(chunked(body, chunk), boundary);
  const out: { name: string; filename?: string; data: Buffer }[] = [];
  for (let p = await r.next(); p; p = await r.next()) {
    const parts: Buffer[] = [];
    for await (const c of r.body()) parts.push(c);
    out.push({ name: p.name, filename: p.filename, data: Buffer.concat(parts) });
  }
  return out;
}

const B = 'xYz-boundary-123';
const file = bytes(5000, 3);
// A value that contains most of the delimiter, to try the reader's tail handling.
const tricky = Buffer.from(`a\r\n--${B.slice(0, -1)}b\r\n--`);
const form = Buffer.concat([
  // Transport padding after a delimiter (RFC 2046), split across chunks like any other byte.
  Buffer.from(`preamble text\r\n--${B} \t  \r\nContent-Disposition: form-data; name="op"\r\n\r\nupload\r\n`),
  Buffer.from(`--${B}\r\nContent-Disposition: form-data; name="biz_attr"; filename="biz_attr"\r\n\r\n`),
  tricky,
  Buffer.from(`\r\n--${B}\r\nContent-Disposition: form-data; name="filecontent"\r\nContent-Type: application/octet-stream\r\n\r\n`),
  file,
  Buffer.from(`\r\n--${B}\r\nContent-Disposition: form-data; name="empty"\r\n\r\n\r\n--${B}--\r\nepilogue`),
]);

describe('MultipartReader', () => {
  it('reads parts by name, with or without filename, whatever the chunking', async () => {
    for (const size of [1, 2, 3, 7, 17, 64, 1000, form.length]) {
      const parts = await readAll(form, B, size);
      assert.deepEqual(
        parts.map((p) => p.name),
        ['op', 'biz_attr', 'filecontent', 'empty'],
        `chunk size ${size}`,
      );
      assert.equal(parts[0]!.data.toString(), 'upload');
      assert.equal(parts[1]!.filename, 'biz_attr');
      assert.deepEqual(parts[1]!.data, tricky, `chunk size ${size}`);
      assert.deepEqual(parts[2]!.data, file, `chunk size ${size}`);
      assert.equal(parts[3]!.data.length, 0);
    }
  });

  it('skips a part whose body is not read', async () => {
    const r = new MultipartReader(chunked(form, 100), B);
    assert.equal((await r.next())!.name, 'op');
    assert.equal((await r.next())!.name, 'biz_attr');
    assert.equal((await r.next())!.name, 'filecontent');
    assert.equal((await r.next())!.name, 'empty');
    assert.equal(await r.next(), undefined);
  });

  it('finds the boundary in Content-Type, quoted or not', () => {
    assert.equal(multipartBoundary('multipart/form-data; boundary=abc'), 'abc');
    assert.equal(multipartBoundary('multipart/form-data; charset=utf-8; boundary="a b:c"'), 'a b:c');
    assert.equal(multipartBoundary('multipart/form-data'), undefined);
  });

  const fails = async (body: string, message: RegExp) => {
    await assert.rejects(readAll(Buffer.from(body), B, 5), (e: unknown) => e instanceof CosError && e.code === -5993 && message.test(e.detail ?? ''));
  };

  it('refuses truncated and malformed forms with ERROR_CGI_FORM_ERR', async () => {
    await fails(`--${B}\r\nContent-Disposition: form-data; name="op"\r\n\r\nupl`, /ends in the middle/);
    await fails(`--${B}\r\nContent-Disposition: form-data; name="op"\r\n`, /inside part headers/);
    await fails(`--${B}\r\nno colon here\r\n\r\nx\r\n--${B}--`, /malformed part header/);
    await fails(`--${B}\r\nContent-Disposition: attachment; name="op"\r\n\r\nx\r\n--${B}--`, /not form-data/);
    await fails(`--${B}\r\nContent-Disposition: form-data\r\n\r\nx\r\n--${B}--`, /no name/);
    await fails(`just some text without a boundary`, /no boundary/);
    await fails(`--${B}garbage`, /neither CRLF/);
    await fails(`--${B}  \t x`, /neither CRLF/);
    await fails(`--${B}${' '.repeat(20000)}\r\n`, /too much padding/);
    await fails(`--${B}\r\nX-Long: ${'h'.repeat(20000)}\r\n\r\nx\r\n--${B}--`, /headers too large/);
    await fails(`${'p'.repeat(20000)}\r\n--${B}\r\n`, /no boundary/);
  });

  it('copies each byte a bounded number of times, however small the chunks', async () => {
    // Preamble and part headers close to their 16 KB bounds, padding, and
    // many parts, fed a byte at a time: the reader once grew its buffer with
    // a Buffer.concat per chunk, copying up to 16 KB again for each byte.
    const part = (i: number) =>
      `--${B}  \r\nContent-Disposition: form-data; name="f${i}"\r\nX-Filler: ${'h'.repeat(15000)}\r\n\r\nvalue ${i}\r\n`;
    const body = Buffer.from(`${'p'.repeat(15000)}\r\n${[0, 1, 2, 3].map(part).join('')}--${B}--\r\n`);
    const { result: parts, copied } = await concatBytes(() => readAll(body, B, 1));
    assert.deepEqual(parts.map((p) => p.data.toString()), ['value 0', 'value 1', 'value 2', 'value 3']);
    // Linear: each byte is copied a few times (joins), plus, for each chunk, the
    // few bytes on either side of where it meets the data before it (at most a
    // delimiter's length each). Growing the buffer per chunk copied 566 MB here.
    const chunks = body.length;
    const bound = 3 * body.length + chunks * 2 * `\r\n--${B}`.length;
    assert.ok(copied <= bound, `Buffer.concat copied ${copied} bytes for a ${body.length}-byte body in ${chunks} chunks (bound ${bound})`);
  });
});
