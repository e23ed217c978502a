import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { FsBlobStore } from '../../src/blob/fs-store.js';
import { signedRequest } from '../helpers/raw.js';
import { md5b64, md5hex, bytes } from '../helpers/sdk.js';
import { RawSocket, signedHead } from '../helpers/socket.js';
import { bucketName, startTestServer, storedFiles, type TestServer } from '../helpers/server.js';

// Finding 8: a second gateway on the same data directory swept the first
// one's temporary files at start-up (its upload then failed on rename) and
// could delete a blob renamed into place but not yet in the metadata.

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const dirs: string[] = [];
const tempDir = async () => {
  const d = await fs.mkdtemp(path.join(os.tmpdir(), 'stratus-shared-'));
  dirs.push(d);
  return d;
};
after(async () => {
  for (const d of dirs) await fs.rm(d, { recursive: true, force: true });
});

async function until(what: string, check: () => Promise<boolean>, ms = 5000): Promise<void> {
  for (const deadline = Date.now() + ms; !(await check()); ) {
    assert.ok(Date.now() < deadline, `timed out waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const exists = (p: string) => fs.stat(p).then(() => true, () => false);
const blobPath = (root: string, id: string) => path.join(root, 'blobs', id.slice(0, 2), id.slice(2, 4), id);

describe('two gateways on one data directory', () => {
  it('a second gateway starting while the first has an upload in flight leaves it whole', async () => {
    const dir = await tempDir();
    const servers: TestServer[] = [];
    try {
      const a = await startTestServer({ data: dir });
      servers.push(a);
      const bucket = bucketName('shared');
      await a.s3.send(new CreateBucketCommand({ Bucket: bucket }));
      const body = bytes(2 * 1024 * 1024, 8);
      const s = await RawSocket.connect(a.port);
      await s.write(signedHead(a.port, 'PUT', `/${bucket}/inflight`, { 'content-length': String(body.length), 'content-md5': md5b64(body) }));
      await s.write(body.subarray(0, 1024 * 1024));
      await until('the upload reaches the disk', async () => (await storedFiles(dir)).some((f) => f.startsWith('objects/tmp/')));

      const b = await startTestServer({ data: dir }); // its start-up sweep runs now
      servers.push(b);
      await s.write(body.subarray(1024 * 1024));
      const r = await s.response();
      s.destroy();
      assert.equal(r?.status, 200, r?.body.toString());
      for (const srv of [a, b]) assert.equal(md5hex((await signedRequest(srv.url, `/${bucket}/inflight`)).body), md5hex(body));
    } finally {
      for (const srv of servers) await srv.stop();
    }
    // Both stopped: nothing is left in tmp.
    assert.deepEqual((await storedFiles(dir)).filter((f) => f.startsWith('objects/tmp/')), []);
  });

  it('a blob renamed into place by a live gateway, not yet referenced, survives another\'s sweep', async () => {
    const root = path.join(await tempDir(), 'objects');
    const first = new FsBlobStore(root, false);
    await first.init();
    const pending = await first.write((async function* () {
      yield Buffer.from('committing');
    })());
    await pending.commit(); // the metadata commit would follow here
    const second = new FsBlobStore(root, false);
    await second.init();
    await second.sweep(async () => false, Date.now() + 1000);
    assert.ok(await exists(blobPath(root, pending.id)), 'the blob in its commit window was kept');
    await first.close();
    await second.close();
  });

  it('a blob whose data was written long before its rename (a slow verification) survives another\'s sweep in its commit window', async () => {
    const root = path.join(await tempDir(), 'objects');
    const first = new FsBlobStore(root, false);
    await first.init();
    const pending = await first.write((async function* () {
      yield Buffer.from('slow');
    })());
    // The body was written two minutes ago; what came after it (a COS form's trailing fields,
    // a checksum trailer) took that long, and only now is the blob renamed into place.
    const [folder] = (await fs.readdir(path.join(root, 'tmp'))).filter((f) => f.startsWith(`g-${process.pid}-`));
    const old = new Date(Date.now() - 120_000);
    await fs.utimes(path.join(root, 'tmp', folder!, pending.id), old, old);
    await pending.commit(); // the metadata commit would follow here
    const second = new FsBlobStore(root, false);
    await second.init();
    await second.sweep(async () => false, Date.now() + 1000);
    assert.ok(await exists(blobPath(root, pending.id)), 'the blob in its commit window was kept');
    await first.close();
    await second.close();
  });

  it('a dead gateway\'s temporary files and uncommitted blobs are swept at once', async () => {
    const root = path.join(await tempDir(), 'objects');
    // A gateway process that commits a blob (never referenced) and leaves a write half-done, then is killed.
    const script = `
      import { FsBlobStore } from ${JSON.stringify(path.join(ROOT, 'src/blob/fs-store.ts'))};
      const store = new FsBlobStore(${JSON.stringify(root)}, false);
      await store.init();
      const p = await store.write([Buffer.from('orphan')]);
      await p.commit();
      store.write((async function* () { yield Buffer.from('half'); await new Promise(() => {}); })());
      setTimeout(() => console.log('ready ' + p.id), 200);
      setInterval(() => {}, 1000);
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise((r) => child.on('exit', r));
    const id = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /ready ([0-9a-f]{32})/.exec(out);
        if (m) resolve(m[1]);
      });
      child.on('exit', (code) => reject(new Error(`child exited ${code}: ${out}`)));
    });
    const tmpFiles = async () => (await fs.readdir(path.join(root, 'tmp'), { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).length;
    assert.equal(await tmpFiles(), 1, 'the half-done write is on disk');
    // While it lives, another gateway's sweep spares both.
    const other = new FsBlobStore(root, false);
    await other.init();
    await other.sweep(async () => false, Date.now() + 1000);
    assert.equal(await tmpFiles(), 1);
    assert.ok(await exists(blobPath(root, id)));
    child.kill('SIGKILL');
    await exited;
    const swept = await other.sweep(async () => false, Date.now() + 1000);
    assert.deepEqual(swept, { temps: 1, blobs: 1 });
    assert.equal(await tmpFiles(), 0);
    assert.equal(await exists(blobPath(root, id)), false);
    await other.close();
  });
});
