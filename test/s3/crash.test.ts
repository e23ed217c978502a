import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { signedRequest } from '../helpers/raw.js';
import { bytes, md5b64, md5hex } from '../helpers/sdk.js';
import { KEY_FLAGS, spawnServer, type ServerProcess } from '../helpers/process.js';
import { RawSocket, signedHead } from '../helpers/socket.js';
import { waitFor } from '../helpers/wait.js';

/** Every file under a directory, relative to it. */
async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await fs.readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out.push(path.relative(dir, path.join(e.parentPath ?? (e as unknown as { path: string }).path, e.name)));
  }
  return out.sort();
}

/** Blob ids the metadata references, read from the SQLite file (read-only). */
function referencedBlobs(dataDir: string): Set<string> {
  const db = new Database(path.join(dataDir, 'meta.db'), { readonly: true, fileMustExist: true });
  try {
    const rows = db
      .prepare('SELECT blob_id AS id FROM objects WHERE blob_id IS NOT NULL UNION SELECT blob_id FROM object_segments UNION SELECT blob_id FROM upload_parts')
      .all() as { id: string }[];
    return new Set(rows.map((r) => r.id));
  } finally {
    db.close();
  }
}

/** Files under objects/blobs must be exactly the referenced blobs, and objects/tmp must be empty. */
async function assertNoOrphans(dataDir: string): Promise<void> {
  const files = (await filesUnder(path.join(dataDir, 'objects', 'blobs'))).map((f) => path.basename(f));
  const referenced = referencedBlobs(dataDir);
  assert.deepEqual(files.sort(), [...referenced].sort(), 'every blob file is referenced and every referenced blob exists');
  assert.deepEqual(await filesUnder(path.join(dataDir, 'objects', 'tmp')), [], 'no temporary files remain');
}

/** Polls until a connection to the port is refused: the server stopped listening. */
async function untilRefused(port: number): Promise<void> {
  for (let i = 0; i < 500; i++) {
    const refused = await new Promise<boolean>((resolve) => {
      const s = net.connect({ port, host: '127.0.0.1' }, () => {
        s.destroy();
        resolve(false);
      });
      s.on('error', () => resolve(true));
    });
    if (refused) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.fail('the server kept listening');
}

describe('crash safety (real server process, fsync on)', () => {
  const running: ServerProcess[] = [];
  const dirs: string[] = [];
  const start = async (dir: string) => {
    const p = await spawnServer(dir, KEY_FLAGS);
    running.push(p);
    return p;
  };
  const tempDir = async () => {
    const d = await fs.mkdtemp(path.join(os.tmpdir(), 'stratus-crash-'));
    dirs.push(d);
    return d;
  };
  after(async () => {
    for (const p of running) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    await Promise.all(running.map((p) => p.exited));
    for (const d of dirs) await fs.rm(d, { recursive: true, force: true });
  });

  describe('SIGKILL during a stream of overwrites', () => {
    const KEYS = 24;
    const key = (i: number) => `k/${String(i).padStart(2, '0')}`;
    const versionA = (i: number) => bytes(60_000 + i * 5_000, 1000 + i);
    const versionB = (i: number) => bytes(200_000 + i * 11_000, 2000 + i);
    let dir: string;
    let first: ServerProcess;
    const acknowledged = new Set<number>();

    before(async () => {
      dir = await tempDir();
      first = await start(dir);
      assert.equal((await signedRequest(first.url, '/crash', { method: 'PUT' })).status, 200);
      const put = (url: string, i: number, body: Buffer) =>
        signedRequest(url, `/crash/${key(i)}`, { method: 'PUT', body, headers: { 'content-md5': md5b64(body) } });
      for (let i = 0; i < KEYS; i++) assert.equal((await put(first.url, i, versionA(i))).status, 200);
      await put(first.url, 100, versionA(100));

      // Two uploads hang half-way (an overwrite and a new key), so the kill finds temporary files on disk.
      const overwrite = await RawSocket.connect(first.port);
      await overwrite.write(signedHead(first.port, 'PUT', `/crash/${key(100)}`, { 'content-length': String(versionB(100).length) }));
      await overwrite.write(versionB(100).subarray(0, 100_000));
      const fresh = await RawSocket.connect(first.port);
      await fresh.write(signedHead(first.port, 'PUT', '/crash/never-finished', { 'content-length': '1000000' }));
      await fresh.write(Buffer.alloc(300_000, 9));
      const stalled = [overwrite, fresh];
      await waitFor(async () => (await filesUnder(path.join(dir, 'objects', 'tmp'))).length >= 2, { what: 'both stalled uploads have a temporary file' });

      // Overwrite every key with version B, six at a time, and kill the server after the eighth answer.
      let next = 0;
      let killed = false;
      await Promise.all(
        Array.from({ length: 6 }, async () => {
          while (next < KEYS) {
            const i = next++;
            try {
              const r = await put(first.url, i, versionB(i));
              if (r.status === 200) acknowledged.add(i);
            } catch {
              // The connection died with the server.
            }
            if (acknowledged.size >= 8 && !killed) {
              killed = true;
              first.child.kill('SIGKILL');
            }
          }
        }),
      );
      assert.equal(await first.exited, 'SIGKILL');
      for (const s of stalled) s.destroy();
    });

    it('loses no acknowledged write and tears no object', async () => {
      assert.ok(acknowledged.size >= 8 && acknowledged.size < KEYS, `acknowledged ${acknowledged.size}`);
      const second = await start(dir);
      let sawOld = 0;
      for (let i = 0; i < KEYS; i++) {
        const r = await signedRequest(second.url, `/crash/${key(i)}`);
        assert.equal(r.status, 200, `${key(i)}: ${r.body.toString()}`);
        const got = md5hex(r.body);
        const a = md5hex(versionA(i));
        const b = md5hex(versionB(i));
        assert.ok(got === a || got === b, `${key(i)} is neither version`);
        assert.equal(r.headers.etag, `"${got}"`);
        if (acknowledged.has(i)) assert.equal(got, b, `${key(i)} lost an acknowledged write`);
        if (got === a) sawOld++;
      }
      assert.ok(sawOld > 0, 'some overwrites never happened: the kill came mid-stream');
      // The interrupted uploads left nothing visible.
      assert.equal(md5hex((await signedRequest(second.url, `/crash/${key(100)}`)).body), md5hex(versionA(100)));
      assert.equal((await signedRequest(second.url, '/crash/never-finished')).status, 404);
      // The start-up sweep removed temporary files and unreferenced blobs.
      await assertNoOrphans(dir);
      // The server keeps working on the recovered data.
      const body = Buffer.from('after the crash');
      assert.equal((await signedRequest(second.url, `/crash/${key(0)}`, { method: 'PUT', body })).status, 200);
      assert.equal((await signedRequest(second.url, `/crash/${key(0)}`)).body.toString(), 'after the crash');
      await assertNoOrphans(dir);
      second.child.kill('SIGTERM');
      assert.equal(await second.exited, 0);
    });
  });

  describe('SIGTERM', () => {
    it('exits cleanly during an upload that is then abandoned, leaving nothing behind', async () => {
      const dir = await tempDir();
      const p = await start(dir);
      assert.equal((await signedRequest(p.url, '/term', { method: 'PUT' })).status, 200);
      const s = await RawSocket.connect(p.port);
      await s.write(signedHead(p.port, 'PUT', '/term/partial', { 'content-length': String(4 * 1024 * 1024) }));
      await s.write(Buffer.alloc(1024 * 1024, 5));
      await waitFor(async () => (await filesUnder(path.join(dir, 'objects', 'tmp'))).length > 0, { what: 'the upload has a temporary file' });
      p.child.kill('SIGTERM');
      await untilRefused(p.port);
      s.destroy();
      assert.equal(await p.exited, 0, p.output());
      await assertNoOrphans(dir);
      assert.equal(referencedBlobs(dir).size, 0);
      const db = new Database(path.join(dir, 'meta.db'), { readonly: true });
      assert.equal((db.prepare("SELECT COUNT(*) AS n FROM objects WHERE key = 'partial'").get() as { n: number }).n, 0);
      db.close();
    });

    it('lets an upload in flight finish, then exits cleanly with the object durable', async () => {
      const dir = await tempDir();
      const p = await start(dir);
      assert.equal((await signedRequest(p.url, '/term', { method: 'PUT' })).status, 200);
      const body = bytes(2 * 1024 * 1024, 77);
      const s = await RawSocket.connect(p.port);
      await s.write(signedHead(p.port, 'PUT', '/term/finished', { 'content-length': String(body.length), 'content-md5': md5b64(body) }));
      await s.write(body.subarray(0, 1024 * 1024));
      await waitFor(async () => (await filesUnder(path.join(dir, 'objects', 'tmp'))).length > 0, { what: 'the upload has a temporary file' });
      p.child.kill('SIGTERM');
      await untilRefused(p.port);
      await s.write(body.subarray(1024 * 1024));
      const r = await s.response();
      assert.equal(r?.status, 200, r?.body.toString());
      assert.equal(r?.headers.etag, `"${md5hex(body)}"`);
      assert.equal(await p.exited, 0, p.output());
      s.destroy();
      await assertNoOrphans(dir);
      const again = await start(dir);
      const got = await signedRequest(again.url, '/term/finished');
      assert.equal(md5hex(got.body), md5hex(body));
      again.child.kill('SIGTERM');
      assert.equal(await again.exited, 0);
    });
  });
});
