import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, it } from 'node:test';
import { signedRequest } from '../helpers/raw.js';
import { bytes, md5hex } from '../helpers/sdk.js';
import { KEY_FLAGS, spawnServer, type ServerProcess } from '../helpers/process.js';
import type { TestServer } from '../helpers/server.js';
import { signedV1 } from '../oss/helpers.js';

// "Beyond the findings": SIGKILL of a server process (fsync on) while
// multipart completions, appends and copies are in flight. After a restart
// no object is torn, every acknowledged operation is there, and no file is
// orphaned (the start-up sweep clears what the dead process left).

const dirs: string[] = [];
const running: ServerProcess[] = [];
after(async () => {
  for (const p of running) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  await Promise.all(running.map((p) => p.exited));
  for (const d of dirs) await fs.rm(d, { recursive: true, force: true });
});

async function filesUnder(dir: string): Promise<string[]> {
  return (await fs.readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name).sort();
}

function referencedBlobs(dataDir: string): string[] {
  const db = new Database(path.join(dataDir, 'meta.db'), { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare('SELECT blob_id AS id FROM objects WHERE blob_id IS NOT NULL UNION SELECT blob_id FROM object_segments UNION SELECT blob_id FROM upload_parts').all() as { id: string }[];
    return rows.map((r) => r.id).sort();
  } finally {
    db.close();
  }
}

const uploadIdOf = (xml: Buffer) => encodeURIComponent(/<UploadId>([^<]+)<\/UploadId>/.exec(xml.toString())![1]);

it('SIGKILL during multipart completions, appends and copies tears nothing and orphans nothing', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'stratus-crashops-'));
  dirs.push(dir);
  const first = await spawnServer(dir, KEY_FLAGS);
  running.push(first);
  const oss = { port: first.port } as TestServer;
  const b = 'crashops';
  assert.equal((await signedRequest(first.url, `/${b}`, { method: 'PUT' })).status, 200);

  // Multipart uploads ready to complete: two parts each.
  const MPUS = 4;
  const parts = (i: number) => [bytes(5 * 1024 * 1024, 100 + i), bytes(300_000 + i * 1000, 200 + i)];
  const uploads: { id: string; xml: string }[] = [];
  for (let i = 0; i < MPUS; i++) {
    const id = uploadIdOf((await signedRequest(first.url, `/${b}/mpu/${i}?uploads`, { method: 'POST' })).body);
    const etags: string[] = [];
    for (const [n, body] of parts(i).entries()) {
      const r = await signedRequest(first.url, `/${b}/mpu/${i}?partNumber=${n + 1}&uploadId=${id}`, { method: 'PUT', body });
      assert.equal(r.status, 200);
      etags.push(r.headers.etag as string);
    }
    uploads.push({ id, xml: `<CompleteMultipartUpload>${etags.map((e, n) => `<Part><PartNumber>${n + 1}</PartNumber><ETag>${e}</ETag></Part>`).join('')}</CompleteMultipartUpload>` });
  }
  // A copy source, and an appendable object per appender.
  const source = bytes(3 * 1024 * 1024, 7);
  assert.equal((await signedRequest(first.url, `/${b}/source`, { method: 'PUT', body: source })).status, 200);
  const APPENDERS = 2;
  const chunk = (a: number, n: number) => bytes(200_000 + n * 5000, 1000 * a + n);
  for (let a = 0; a < APPENDERS; a++) assert.equal((await signedV1(oss, 'POST', b, `app/${a}`, { query: 'append&position=0', body: chunk(a, 0) })).status, 200);

  const completed = new Set<number>();
  const copied = new Set<number>();
  const appendsAcked = Array.from({ length: APPENDERS }, () => 1);
  let acks = 0;
  let killed = false;
  // Killed at the second answer: completions, copies and appends are still in flight.
  const ack = () => {
    if (++acks >= 2 && !killed) {
      killed = true;
      first.child.kill('SIGKILL');
    }
  };
  const safely = async (f: () => Promise<void>) => {
    try {
      await f();
    } catch {
      // the connection died with the server
    }
  };
  await Promise.all([
    ...uploads.map((u, i) =>
      safely(async () => {
        const r = await signedRequest(first.url, `/${b}/mpu/${i}?uploadId=${u.id}`, { method: 'POST', body: u.xml });
        if (r.status === 200 && /<CompleteMultipartUploadResult/.test(r.body.toString())) {
          completed.add(i);
          ack();
        }
      }),
    ),
    ...Array.from({ length: 6 }, (_, c) =>
      safely(async () => {
        const r = await signedRequest(first.url, `/${b}/copy/${c}`, { method: 'PUT', headers: { 'x-amz-copy-source': `/${b}/source` } });
        if (r.status === 200) {
          copied.add(c);
          ack();
        }
      }),
    ),
    ...Array.from({ length: APPENDERS }, (_, a) =>
      safely(async () => {
        for (let n = 1; !killed; n++) {
          let position = 0;
          for (let k = 0; k < n; k++) position += chunk(a, k).length;
          const r = await signedV1(oss, 'POST', b, `app/${a}`, { query: `append&position=${position}`, body: chunk(a, n) });
          if (r.status !== 200) break;
          appendsAcked[a] = n + 1;
          ack();
        }
      }),
    ),
  ]);
  if (!killed) first.child.kill('SIGKILL');
  assert.equal(await first.exited, 'SIGKILL');

  const second = await spawnServer(dir, KEY_FLAGS);
  running.push(second);
  const oss2 = { port: second.port } as TestServer;
  for (let i = 0; i < MPUS; i++) {
    const r = await signedRequest(second.url, `/${b}/mpu/${i}`);
    if (r.status === 404) {
      assert.ok(!completed.has(i), `mpu/${i}: an acknowledged completion was lost`);
      // Not completed: the upload is intact and completes now.
      const done = await signedRequest(second.url, `/${b}/mpu/${i}?uploadId=${uploads[i].id}`, { method: 'POST', body: uploads[i].xml });
      assert.equal(done.status, 200, done.body.toString());
    } else assert.equal(r.status, 200);
    const got = await signedRequest(second.url, `/${b}/mpu/${i}`);
    assert.equal(md5hex(got.body), md5hex(Buffer.concat(parts(i))), `mpu/${i} is whole`);
  }
  for (let c = 0; c < 6; c++) {
    const r = await signedRequest(second.url, `/${b}/copy/${c}`);
    if (r.status === 404) assert.ok(!copied.has(c), `copy/${c}: an acknowledged copy was lost`);
    else assert.equal(md5hex(r.body), md5hex(source), `copy/${c} is whole`);
  }
  for (let a = 0; a < APPENDERS; a++) {
    const r = await signedV1(oss2, 'GET', b, `app/${a}`);
    assert.equal(r.status, 200);
    // Whole appends only, every acknowledged one among them.
    let n = 0;
    let expect = Buffer.alloc(0);
    while (expect.length < r.body.length) expect = Buffer.concat([expect, chunk(a, n++)]);
    assert.equal(md5hex(r.body), md5hex(expect), `app/${a} holds whole appends only`);
    assert.ok(n >= appendsAcked[a], `app/${a}: ${appendsAcked[a]} appends acknowledged, ${n} there`);
  }
  // Nothing orphaned, nothing left in tmp.
  const blobs = await filesUnder(path.join(dir, 'objects', 'blobs'));
  assert.deepEqual(blobs, referencedBlobs(dir), 'every blob file is referenced and every referenced blob exists');
  assert.deepEqual(await filesUnder(path.join(dir, 'objects', 'tmp')), []);
  await second.stop();
});
