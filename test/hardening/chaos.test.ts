import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, it } from 'node:test';
import { signObsRequest } from '../../src/auth/obs.js';
import { ossResource, signOssV1, stringToSignOssV1 } from '../../src/auth/oss-v1.js';
import { buildForm } from '../../src/sdk/cos/form.js';
import { signedRequest } from '../helpers/raw.js';
import { RawSocket, signedHead } from '../helpers/socket.js';
import { ACCESS_KEY, SECRET_KEY } from '../helpers/server.js';
import { CRED, startCosServer, signMore, type CosTestServer } from '../cos/helpers.js';

// "Beyond the findings": a bounded run in which clients abort GETs, PUTs,
// multipart parts, OSS and OBS appends and COS slices at random byte offsets while
// others read and write. Afterwards the server answers, its file
// descriptors are back to the baseline, tmp/ holds nothing, no blob is
// orphaned and every committed object reads back whole. Seeded: a failure
// names its seed (STRATUS_CHAOS_SEED reruns it).

const SEED = Number(process.env.STRATUS_CHAOS_SEED ?? 20261204);
function mulberry32(a: number) {
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = mulberry32(SEED);
const between = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo));
/** Bytes from the seeded generator (every object over 64 KiB: small reads keep cached file handles open by design). */
const data = (n: number) => {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i += 4) b.writeUInt32LE((rand() * 0x100000000) >>> 0, Math.min(i, n - 4));
  return b;
};
const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let t: CosTestServer;
let bucket: string;
const committed = new Map<string, Buffer>();

before(async () => {
  t = await startCosServer();
  bucket = t.bucket;
});
after(() => t.stop());

const fdCount = async () => (await fs.readdir('/proc/self/fd')).length;
async function tmpFiles(): Promise<string[]> {
  const dir = path.join(t.dataDir, 'objects', 'tmp');
  return (await fs.readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name);
}
async function poll(what: string, check: () => Promise<boolean>, ms = 8000): Promise<void> {
  for (const deadline = Date.now() + ms; !(await check()); ) {
    if (Date.now() > deadline) assert.fail(`${what} (seed ${SEED})`);
    await sleep(25);
  }
}
/** Every connection the server holds idle goes, so the descriptors count only what requests left open. */
async function settledFds(): Promise<number> {
  t.server.closeIdleConnections();
  await sleep(50);
  return fdCount();
}

/** Writes `head` and a prefix of `body` on a fresh connection, then drops it. */
async function sendPartial(head: string, body: Buffer, cut: number): Promise<void> {
  const s = await RawSocket.connect(t.port);
  try {
    await s.write(head);
    await s.write(body.subarray(0, cut));
    await sleep(between(0, 15));
  } catch {
    // the server may have answered already
  } finally {
    s.destroy();
  }
}

/** Starts a signed GET and drops it after `cut` bytes of the answer. */
async function dropGet(key: string, cut: number, range?: string): Promise<void> {
  const s = await RawSocket.connect(t.port);
  try {
    await s.write(signedHead(t.port, 'GET', `/${bucket}/${key}`, range ? { range } : {}));
    let got = 0;
    await new Promise<void>((resolve) => {
      s.socket.on('data', (c: Buffer) => {
        got += c.length;
        if (got >= cut) resolve();
      });
      s.socket.on('close', () => resolve());
    });
  } finally {
    s.destroy();
  }
}

function ossAppendHead(key: string, position: number, length: number): string {
  const query = `append&position=${position}`;
  const headers: Record<string, string> = { date: new Date().toUTCString(), 'content-type': 'application/octet-stream', 'content-length': String(length) };
  const sts = stringToSignOssV1({ method: 'POST', headers, resource: ossResource(bucket, key), rawQuery: query, date: headers.date! });
  headers.authorization = `OSS ${ACCESS_KEY}:${signOssV1(SECRET_KEY, sts)}`;
  return `POST /${bucket}/${key}?${query} HTTP/1.1\r\nhost: 127.0.0.1:${t.port}\r\n` + Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('') + '\r\n';
}

function obsAppendHead(key: string, position: number, length: number): string {
  const url = new URL(`/${bucket}/${key}?append&position=${position}`, t.url);
  const headers: Record<string, string> = { 'content-type': 'application/octet-stream', 'content-length': String(length) };
  signObsRequest({ method: 'POST', url, headers, credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY } });
  return `POST ${url.pathname}${url.search} HTTP/1.1\r\nhost: 127.0.0.1:${t.port}\r\n` + Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('') + '\r\n';
}

async function append(dialect: 'oss' | 'obs', key: string, position: number, body: Buffer) {
  const s = await RawSocket.connect(t.port);
  await s.write((dialect === 'oss' ? ossAppendHead : obsAppendHead)(key, position, body.length));
  await s.write(body);
  const r = await s.response();
  s.destroy();
  return r;
}

function cosSliceRequest(cosPath: string, session: string, offset: number, slice: Buffer): { head: string; body: Buffer } {
  const f = buildForm([
    { name: 'op', value: 'upload_slice_data' },
    { name: 'session', value: session },
    { name: 'offset', value: String(offset) },
    { name: 'filecontent', value: slice },
  ]);
  const p = t.apiPath(cosPath);
  const headers = { authorization: signMore(CRED, bucket, cosPath, 600), 'content-type': f.contentType, 'content-length': String(f.body.length) };
  return { head: `POST ${p} HTTP/1.1\r\nhost: 127.0.0.1:${t.port}\r\n` + Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('') + '\r\n', body: f.body };
}

const put = async (key: string, body: Buffer) => {
  const r = await signedRequest(t.url, `/${bucket}/${key}`, { method: 'PUT', body });
  assert.equal(r.status, 200, `PUT ${key}: ${r.body}`);
  committed.set(key, body);
};

it(`survives clients that abort at random offsets (seed ${SEED})`, async () => {
  // Objects for readers and droppers, an appendable object, a multipart upload and a COS slice session.
  for (let i = 0; i < 4; i++) await put(`base/${i}`, data(between(300_000, 1_500_000)));
  const appended = { oss: data(100_000), obs: data(80_000) };
  for (const d of ['oss', 'obs'] as const) {
    const r = await append(d, `app-${d}`, 0, appended[d]);
    assert.equal(r?.status, 200, r?.body.toString());
  }
  const init = await signedRequest(t.url, `/${bucket}/mpu?uploads`, { method: 'POST' });
  const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(init.body.toString())![1];
  const part1 = data(5 * 1024 * 1024 + 1000);
  const p1 = await signedRequest(t.url, `/${bucket}/mpu?partNumber=1&uploadId=${encodeURIComponent(uploadId)}`, { method: 'PUT', body: part1 });
  assert.equal(p1.status, 200);
  const cosFile = data(3 * 512 * 1024 + 77);
  const sInit = await t.api(t.apiPath('/sliced.bin'), {
    form: [
      { name: 'op', value: 'upload_slice_init' },
      { name: 'filesize', value: String(cosFile.length) },
      { name: 'slice_size', value: String(512 * 1024) },
    ],
  });
  const session = (sInit.json.data as { session: string }).session;
  assert.ok(session, JSON.stringify(sInit.json));

  const baseline = await settledFds();

  const aborters = Array.from({ length: 3 }, async () => {
    for (let n = 0; n < 12; n++) {
      const kind = between(0, 6);
      if (kind === 0) await dropGet(`base/${between(0, 4)}`, between(1, 200_000));
      else if (kind === 1) await dropGet(`base/${between(0, 4)}`, between(1, 100_000), `bytes=${between(0, 100_000)}-`);
      else if (kind === 2) {
        const body = data(between(100_000, 800_000));
        await sendPartial(signedHead(t.port, 'PUT', `/${bucket}/aborted/${n}`, { 'content-length': String(body.length) }), body, between(0, body.length));
      } else if (kind === 3) {
        const body = data(between(100_000, 800_000));
        const q = `partNumber=${between(2, 5)}&uploadId=${encodeURIComponent(uploadId)}`;
        await sendPartial(signedHead(t.port, 'PUT', `/${bucket}/mpu?${q}`, { 'content-length': String(body.length) }), body, between(0, body.length));
      } else if (kind === 4) {
        const body = data(between(70_000, 400_000));
        const d = rand() < 0.5 ? 'oss' : 'obs';
        await sendPartial((d === 'oss' ? ossAppendHead : obsAppendHead)(`app-${d}`, appended[d].length, body.length), body, between(0, body.length));
      } else {
        const offset = 512 * 1024 * between(0, 3);
        const { head, body } = cosSliceRequest('/sliced.bin', session, offset, cosFile.subarray(offset, offset + 512 * 1024));
        await sendPartial(head, body, between(0, body.length));
      }
    }
  });
  const writers = Array.from({ length: 2 }, async (_, w) => {
    for (let n = 0; n < 8; n++) await put(`w/${w}/${n}`, data(between(70_000, 600_000)));
  });
  const readers = Array.from({ length: 2 }, async () => {
    for (let n = 0; n < 10; n++) {
      const key = `base/${between(0, 4)}`;
      const r = await signedRequest(t.url, `/${bucket}/${key}`);
      assert.equal(r.status, 200);
      assert.equal(md5(r.body), md5(committed.get(key)!), `${key} read back whole`);
    }
  });
  await Promise.all([...aborters, ...writers, ...readers]);

  // The interrupted operations can all be carried on.
  for (const d of ['oss', 'obs'] as const) {
    const more = data(90_000);
    const r = await append(d, `app-${d}`, appended[d].length, more);
    assert.equal(r?.status, 200, r?.body.toString());
    committed.set(`app-${d}`, Buffer.concat([appended[d], more]));
  }
  const done = await signedRequest(t.url, `/${bucket}/mpu?uploadId=${encodeURIComponent(uploadId)}`, {
    method: 'POST',
    body: `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>${p1.headers.etag}</ETag></Part></CompleteMultipartUpload>`,
  });
  assert.equal(done.status, 200, done.body.toString());
  committed.set('mpu', part1);
  for (let off = 0; off < cosFile.length; off += 512 * 1024) {
    const { head, body } = cosSliceRequest('/sliced.bin', session, off, cosFile.subarray(off, off + 512 * 1024));
    const s = await RawSocket.connect(t.port);
    await s.write(head);
    await s.write(body);
    const a = await s.response();
    s.destroy();
    assert.equal(a?.status, 200, a?.body.toString());
  }
  const fin = await t.api(t.apiPath('/sliced.bin'), {
    form: [
      { name: 'op', value: 'upload_slice_finish' },
      { name: 'session', value: session },
      { name: 'filesize', value: String(cosFile.length) },
    ],
  });
  assert.equal(fin.json.code, 0, JSON.stringify(fin.json));
  committed.set('sliced.bin', cosFile);

  assert.equal((await fetch(`${t.url}/health`)).status, 200);
  await poll('no temporary file is left', async () => (await tmpFiles()).length === 0);
  await poll('file descriptors are back to the baseline', async () => (await settledFds()) <= baseline);

  // No orphan: every blob file is one the metadata references.
  const db = new Database(path.join(t.dataDir, 'meta.db'), { readonly: true });
  const referenced = new Set(
    (db.prepare('SELECT blob_id AS id FROM objects WHERE blob_id IS NOT NULL UNION SELECT blob_id FROM object_segments UNION SELECT blob_id FROM upload_parts').all() as { id: string }[]).map((x) => x.id),
  );
  db.close();
  const blobs = (await fs.readdir(path.join(t.dataDir, 'objects', 'blobs'), { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name);
  assert.deepEqual(blobs.filter((b) => !referenced.has(b)), [], `orphaned blobs (seed ${SEED})`);

  for (const [key, body] of committed) {
    const got = await signedRequest(t.url, `/${bucket}/${key}`);
    assert.equal(got.status, 200, key);
    assert.equal(md5(got.body), md5(body), `${key} reads back whole (seed ${SEED})`);
  }
  for (let n = 0; n < 12; n++) assert.equal((await signedRequest(t.url, `/${bucket}/aborted/${n}`)).status, 404);
});
