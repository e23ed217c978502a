/**
 * Transport padding after a boundary (hardening finding 7): the COS form
 * reader once kept all of it buffered, growing its buffer with a
 * Buffer.concat per chunk, so 16 MB of spaces cost seconds of CPU.
 *
 * The guard is structural, not a timing: every byte the process copies
 * through Buffer.concat while the server handles the request is counted.
 * A linear reader copies at most about the body once; the quadratic one
 * copied the growing padding again with each chunk (gigabytes for 16 MB).
 * A CPU-time ratio against a normal body would also tell them apart, but it
 * depends on the machine's load; the copy count does not.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { concatBytes } from '../helpers/copy-count.js';
import { CRED, assertOk, signMore, startCosServer, type CosTestServer } from './helpers.js';

const B = 'padding-boundary';

/** POSTs `body` and resolves with the answer, even if the server answers before reading all of it. */
function post(url: string, headers: Record<string, string>, body: Buffer): Promise<{ status: number; json: { code: number; message: string } }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: { ...headers, 'content-length': String(body.length) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, json: JSON.parse(Buffer.concat(chunks).toString()) }));
      res.on('error', reject);
    });
    // Once answered, the server may close before the rest is sent.
    req.on('error', (e) => (req.writableFinished ? undefined : reject(e)));
    let off = 0;
    const pump = () => {
      while (off < body.length) {
        const chunk = body.subarray(off, off + 65536);
        off += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}


describe('COS form: transport padding after a boundary', () => {
  let t: CosTestServer;
  before(async () => {
    t = await startCosServer();
  });
  after(() => t.stop());

  const url = (cosPath: string) => t.url + t.apiPath(cosPath);
  const headers = (cosPath: string) => ({ authorization: signMore(CRED, t.bucket, cosPath, 600), 'content-type': `multipart/form-data; boundary=${B}` });
  const form = (padding: number) =>
    Buffer.concat([
      Buffer.from(`--${B}`),
      Buffer.alloc(padding, ' '),
      Buffer.from(`\r\nContent-Disposition: form-data; name="op"\r\n\r\nupload\r\n--${B}\r\nContent-Disposition: form-data; name="filecontent"; filename="f"\r\n\r\npadded\r\n--${B}--\r\n`),
    ]);

  it('refuses 16 MB of padding with ERROR_CGI_FORM_ERR, copying a bounded number of bytes', async () => {
    const body = form(16 * 1024 * 1024);
    const { result, copied } = await concatBytes(() => post(url('/hostile.txt'), headers('/hostile.txt'), body));
    assert.ok(copied <= body.length, `Buffer.concat copied ${copied} bytes for a ${body.length}-byte body`);
    assert.equal(result.json.code, -5993, `${result.json.code} ${result.json.message}`);
    assert.equal(result.json.message, 'ERROR_CGI_FORM_ERR');
  });

  it('accepts the padding a transport may add', async () => {
    const r = await post(url('/padded.txt'), headers('/padded.txt'), form(200));
    assertOk(r.json);
    assert.equal(assertOk(await t.cos.statFile({ bucket: t.bucket, cosPath: '/padded.txt' })).data!.filesize, 'padded'.length);
  });
});
