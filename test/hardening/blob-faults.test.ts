import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { BlobFaults } from '../../src/blob/store.js';
import { resolveConfig } from '../../src/server/config.js';
import { startServer, type RunningServer } from '../../src/server/app.js';
import { createLogger } from '../../src/server/logger.js';
import { signedV1 } from '../oss/helpers.js';
import { xmlError } from '../helpers/post-form.js';
import { signedRequest } from '../helpers/raw.js';
import { md5hex, bytes } from '../helpers/sdk.js';
import { ACCESS_KEY, SECRET_KEY, bucketName, storedFiles, type TestServer } from '../helpers/server.js';
import { RawSocket, signedHead } from '../helpers/socket.js';

// "Beyond the findings": a disk that fills up (ENOSPC) or fails (EIO) under
// a write or a read. The fault is thrown at the blob store's filesystem call
// (a test-only hook passed through startServer): the whole server above it
// is the real one. A failed write answers a clean 500 in the dialect's
// format and leaves no object and no file; a failed read mid-download cuts
// the connection instead of sending a short body that looks whole; the
// server keeps serving and releases the blob's file handle.

type Op = 'write' | 'sync' | 'read';
let armed: { op: Op; nth: number; code: 'EIO' | 'ENOSPC' } | undefined;
const faults: BlobFaults = {
  inject(op) {
    if (!armed || armed.op !== op || --armed.nth > 0) return undefined;
    const { code } = armed;
    armed = undefined;
    const err = new Error(`${code}: ${code === 'EIO' ? 'i/o error' : 'no space left on device'}, ${op}`) as NodeJS.ErrnoException;
    err.code = code;
    err.errno = code === 'EIO' ? -5 : -28;
    err.syscall = op;
    return err;
  },
};

let srv: RunningServer;
let dataDir: string;
const bucket = bucketName('faults');

before(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'stratus-faults-'));
  // fsync on, so a failing fsync is a path a write can take.
  const config = resolveConfig({ data: dataDir, address: '127.0.0.1:0', accessKey: ACCESS_KEY, secretKey: SECRET_KEY, logLevel: 'silent', fsync: true });
  srv = await startServer(config, createLogger('silent'), { blobFaults: faults });
  assert.equal((await signedRequest(srv.url, `/${bucket}`, { method: 'PUT' })).status, 200);
});
after(async () => {
  await srv.close();
  await fs.rm(dataDir, { recursive: true, force: true });
});

const fdCount = async () => (await fs.readdir('/proc/self/fd')).length;
async function settledFds(): Promise<number> {
  srv.server.closeIdleConnections();
  await new Promise((r) => setTimeout(r, 50));
  return fdCount();
}
async function poll(what: string, check: () => Promise<boolean>, ms = 5000): Promise<void> {
  for (const deadline = Date.now() + ms; !(await check()); ) {
    assert.ok(Date.now() < deadline, what);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('a failing disk under a write', () => {
  const cases: { name: string; op: Op; nth: number; code: 'EIO' | 'ENOSPC' }[] = [
    { name: 'ENOSPC on the first write', op: 'write', nth: 1, code: 'ENOSPC' },
    { name: 'EIO mid-body', op: 'write', nth: 3, code: 'EIO' },
    { name: 'EIO on fsync', op: 'sync', nth: 1, code: 'EIO' },
  ];
  for (const c of cases) {
    it(`${c.name}: S3 PUT and UploadPart answer 500 InternalError, store nothing, leave no file`, async () => {
      const files = await storedFiles(dataDir);
      // Several batches of the blob store's writes (1 MiB each), so that the third one exists.
      const body = bytes(4 * 1024 * 1024, 3);
      armed = { ...c };
      const r = await signedRequest(srv.url, `/${bucket}/put`, { method: 'PUT', body });
      assert.equal(armed, undefined, 'the fault was hit');
      assert.equal(r.status, 500);
      assert.equal(xmlError(r.body.toString()).code, 'InternalError');
      assert.equal((await signedRequest(srv.url, `/${bucket}/put`)).status, 404);

      const init = await signedRequest(srv.url, `/${bucket}/mpu?uploads`, { method: 'POST' });
      const uploadId = encodeURIComponent(/<UploadId>([^<]+)<\/UploadId>/.exec(init.body.toString())![1]);
      armed = { ...c };
      const part = await signedRequest(srv.url, `/${bucket}/mpu?partNumber=1&uploadId=${uploadId}`, { method: 'PUT', body });
      assert.equal(part.status, 500);
      assert.equal(xmlError(part.body.toString()).code, 'InternalError');
      const parts = await signedRequest(srv.url, `/${bucket}/mpu?uploadId=${uploadId}`);
      assert.doesNotMatch(parts.body.toString(), /<Part>/);
      assert.equal((await signedRequest(srv.url, `/${bucket}/mpu?uploadId=${uploadId}`, { method: 'DELETE' })).status, 204);

      assert.deepEqual(await storedFiles(dataDir), files, 'no file was left behind');
      // The server keeps serving: the same write now succeeds.
      const ok = await signedRequest(srv.url, `/${bucket}/put`, { method: 'PUT', body });
      assert.equal(ok.status, 200);
      assert.equal(md5hex((await signedRequest(srv.url, `/${bucket}/put`)).body), md5hex(body));
      assert.equal((await signedRequest(srv.url, `/${bucket}/put`, { method: 'DELETE' })).status, 204);
    });
  }

  it('OSS answers in its own format', async () => {
    armed = { op: 'write', nth: 2, code: 'EIO' };
    const r = await signedV1(srv as unknown as TestServer, 'PUT', bucket, 'oss-put', { body: bytes(3 * 1024 * 1024, 4) });
    assert.equal(armed, undefined, 'the fault was hit');
    assert.equal(r.status, 500);
    assert.equal(xmlError(r.body.toString()).code, 'InternalError');
    assert.match(r.body.toString(), /<RequestId>/);
    assert.equal((await signedRequest(srv.url, `/${bucket}/oss-put`)).status, 404);
  });
});

describe('a failing disk under a download', () => {
  const big = bytes(4 * 1024 * 1024, 5);
  before(async () => {
    assert.equal((await signedRequest(srv.url, `/${bucket}/single`, { method: 'PUT', body: big })).status, 200);
    // A multipart object: its download goes through the segment stream (pipeline), not the direct path.
    const init = await signedRequest(srv.url, `/${bucket}/multi?uploads`, { method: 'POST' });
    const uploadId = encodeURIComponent(/<UploadId>([^<]+)<\/UploadId>/.exec(init.body.toString())![1]);
    const etags: string[] = [];
    for (let n = 1; n <= 2; n++) {
      const p = await signedRequest(srv.url, `/${bucket}/multi?partNumber=${n}&uploadId=${uploadId}`, { method: 'PUT', body: n === 1 ? bytes(5 * 1024 * 1024 + 10, 6) : big });
      etags.push(p.headers.etag as string);
    }
    const xml = `<CompleteMultipartUpload>${etags.map((e, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${e}</ETag></Part>`).join('')}</CompleteMultipartUpload>`;
    const done = await signedRequest(srv.url, `/${bucket}/multi?uploadId=${uploadId}`, { method: 'POST', body: xml });
    assert.equal(done.status, 200, done.body.toString());
  });

  /**
   * A GET on a raw socket with a second request pipelined behind it, read until
   * the server closes: the declared length and the bytes that came. A server
   * that ended the response short instead of cutting would go on to answer
   * the second request on the same connection.
   */
  async function cutGet(key: string): Promise<{ status: number; declared: number; got: number; raw: string }> {
    const s = await RawSocket.connect(srv.port);
    await s.write(signedHead(srv.port, 'GET', `/${bucket}/${key}`) + 'GET /health HTTP/1.1\r\nhost: x\r\n\r\n');
    let raw = Buffer.alloc(0);
    s.socket.on('data', (c: Buffer) => (raw = Buffer.concat([raw, c])));
    await s.closed;
    const end = raw.indexOf('\r\n\r\n');
    const head = raw.subarray(0, end).toString();
    return { status: Number(head.split(' ')[1]), declared: Number(/content-length: (\d+)/i.exec(head)?.[1]), got: raw.length - end - 4, raw: raw.toString('latin1') };
  }

  for (const key of ['single', 'multi']) {
    it(`EIO mid-download (${key}) cuts the connection short of the declared length`, async () => {
      const baseline = await settledFds();
      armed = { op: 'read', nth: 3, code: 'EIO' };
      const r = await cutGet(key);
      assert.equal(armed, undefined, 'the fault was hit');
      assert.equal(r.status, 200);
      assert.ok(r.got < r.declared, `got ${r.got} of ${r.declared} bytes, and the connection closed`);
      assert.equal(r.raw.lastIndexOf('HTTP/1.1 '), 0, 'nothing was answered after the cut response');
      await poll('the blob handle is released', async () => (await settledFds()) <= baseline);
      // Unarmed, the same download is whole.
      const again = await signedRequest(srv.url, `/${bucket}/${key}`);
      assert.equal(again.status, 200);
      assert.equal(again.body.length, Number(again.headers['content-length']));
    });
  }
});
