/**
 * Resumption for real: a 200 MiB upload and a 200 MiB download run in a
 * child process that is killed (SIGKILL) after some parts, then run
 * again. The server's own records (ListParts before the rerun) and the
 * requests it received (through a recording proxy) show that the rerun
 * sent only what was missing, and the result is byte-identical.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { collect, type StratusClient } from '../../src/sdk/index.js';
import { startProxy, type TestProxy } from '../helpers/proxy.js';
import { waitFor } from '../helpers/wait.js';
import { ACCESS_KEY, bucketName, SECRET_KEY, startTestServer, type TestServer } from '../helpers/server.js';
import { sdkClient } from './helpers.js';

const MiB = 1024 * 1024;
const PART = 8 * MiB;
const SIZE = 200 * MiB;
const PARTS = SIZE / PART;
const CHILD = fileURLToPath(new URL('../fixtures/transfer-child.ts', import.meta.url));

async function writeRandomFile(file: string, size: number): Promise<string> {
  const h = createHash('sha256');
  const fh = await fs.open(file, 'w');
  try {
    for (let off = 0; off < size; off += 8 * MiB) {
      const chunk = randomBytes(Math.min(8 * MiB, size - off));
      h.update(chunk);
      await fh.write(chunk);
    }
  } finally {
    await fh.close();
  }
  return h.digest('hex');
}

async function fileSha(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const c of createReadStream(file, { highWaterMark: 4 * MiB })) h.update(c as Buffer);
  return h.digest('hex');
}

async function objectSha(c: StratusClient, bucket: string, key: string): Promise<string> {
  const h = createHash('sha256');
  const g = await c.getObject(bucket, key);
  for await (const chunk of g.body) h.update(chunk as Buffer);
  return h.digest('hex');
}

interface ChildRun {
  child: ChildProcess;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

function runChild(job: Record<string, unknown>): ChildRun {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
    env: { ...process.env, STRATUS_TRANSFER_JOB: JSON.stringify(job) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, exit };
}

/** Polls a checkpoint file until it records at least `parts` parts (fails if the child ends first). */
async function waitForParts(file: string, parts: number, run: ChildRun): Promise<void> {
  let ended = false;
  void run.exit.then(() => (ended = true));
  const outcome = await waitFor(
    async () => {
      if (ended) return 'ended';
      const rec = await fs.readFile(file, 'utf8').then((t) => JSON.parse(t), () => undefined); // not written yet
      return (rec?.parts.length ?? 0) >= parts && 'recorded';
    },
    { what: `${file} records ${parts} parts`, timeoutMs: 120_000 },
  );
  if (outcome === 'ended') {
    const r = await run.exit;
    throw new Error(`the child ended before ${parts} parts were recorded (code ${r.code}): ${r.stderr}`);
  }
}

/**
 * After the client was killed: waits until the proxy has seen the end of every
 * request of that run, then until the server has committed every part whose
 * whole body reached it (a part cut short is discarded by the server, one sent
 * whole may still be committing). The server's part list is then final, so
 * what the rerun must send is known. Returns that list.
 */
async function serverSettled(p: TestProxy, c: StratusClient, bucket: string, key: string, uploadId: string): Promise<number[]> {
  await waitFor(() => p.log.every((q) => q.closed), { what: 'the proxy saw every request of the killed run end' });
  const delivered = p.log
    .filter((q) => q.method === 'PUT' && q.bodyForwarded && new URL(q.url, 'http://x').searchParams.get('uploadId') === uploadId)
    .map((q) => Number(new URL(q.url, 'http://x').searchParams.get('partNumber')));
  let onServer: number[] = [];
  await waitFor(
    async () => {
      onServer = (await collect(c.listParts(bucket, key, uploadId))).map((x) => x.partNumber);
      return delivered.every((n) => onServer.includes(n));
    },
    { what: `ListParts shows every part whose body reached the server (${delivered.join(',')}; listed: ${onServer.join(',')})` },
  );
  return onServer;
}

describe('SDK resumable transfers across a killed process (s3, 200 MiB)', { timeout: 600_000 }, () => {
  let t: TestServer;
  let proxy: TestProxy;
  let c: StratusClient;
  let tmp: string;
  const bucket = bucketName('resume');
  const job = (o: Record<string, unknown>) => ({
    dialect: 's3',
    endpoint: proxy.url,
    accessKey: ACCESS_KEY,
    secretKey: SECRET_KEY,
    bucket,
    partSize: PART,
    concurrency: 2,
    ...o,
  });
  before(async () => {
    t = await startTestServer();
    proxy = await startProxy(t.url);
    c = sdkClient(t.url);
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'stratus-resume-'));
    await c.createBucket(bucket);
  });
  after(async () => {
    c.destroy();
    await proxy.close();
    await t.stop();
    await fs.rm(tmp, { recursive: true, force: true });
  });

  const partNumbersSent = () =>
    proxy.log
      .filter((q) => q.method === 'PUT' && q.url.includes('partNumber='))
      .map((q) => Number(new URL(q.url, 'http://x').searchParams.get('partNumber')))
      .sort((a, b) => a - b);

  it('an upload killed after some parts resumes with only the missing parts', async () => {
    const file = path.join(tmp, 'up.bin');
    const digest = await writeRandomFile(file, SIZE);
    // Hold each part back a little in the first run so it is still going when killed.
    proxy.decide = (q) => (q.method === 'PUT' && q.url.includes('partNumber=') ? { forward: true, delayMs: 150 } : { forward: true });
    const first = runChild(job({ op: 'upload', key: 'big/up.bin', file }));
    const checkpoints = async () => (await fs.readdir(tmp)).filter((f) => f.endsWith('.stratus-upload.json'));
    const cp = await waitFor(async () => (await checkpoints())[0], { what: 'the upload checkpoint file exists' });
    await waitForParts(path.join(tmp, cp), 4, first);
    first.child.kill('SIGKILL');
    assert.equal((await first.exit).signal, 'SIGKILL');

    const record = JSON.parse(await fs.readFile(path.join(tmp, cp), 'utf8'));
    assert.equal(record.uploadId.length > 0, true);
    const onServer = await serverSettled(proxy, c, bucket, 'big/up.bin', record.uploadId);
    assert.ok(onServer.length >= 4 && onServer.length < PARTS, `the server holds ${onServer.length} parts`);
    await assert.rejects(c.headObject(bucket, 'big/up.bin'), 'no object before completion');

    proxy.log.length = 0;
    proxy.decide = () => ({ forward: true });
    const second = await runChild(job({ op: 'upload', key: 'big/up.bin', file })).exit;
    assert.equal(second.code, 0, second.stderr);
    const result = JSON.parse(second.stdout);
    assert.equal(result.resumed, true);
    assert.equal(result.uploadId, record.uploadId);
    const missing = Array.from({ length: PARTS }, (_, i) => i + 1).filter((n) => !onServer.includes(n));
    assert.deepEqual(partNumbersSent(), missing, 'the rerun sent exactly the parts the server lacked');
    assert.equal(result.partsUploaded, missing.length);
    assert.equal(await objectSha(c, bucket, 'big/up.bin'), digest);
    assert.deepEqual(await checkpoints(), [], 'the checkpoint is removed on success');
  });

  it('a download killed midway resumes with only the missing ranges', async () => {
    const src = path.join(tmp, 'up.bin');
    const digest = await fileSha(src);
    await c.putObject(bucket, 'big/single.bin', { file: src }); // one part: the download is MD5-verified
    const target = path.join(tmp, 'down', 'copy.bin');
    const cp = target + '.stratus-download.json';
    proxy.decide = (q) => (q.method === 'GET' ? { forward: true, delayMs: 150 } : { forward: true });
    const first = runChild(job({ op: 'download', key: 'big/single.bin', file: target }));
    await waitForParts(cp, 4, first);
    first.child.kill('SIGKILL');
    await first.exit;
    // The client's checkpoint is final once it is dead; the proxy must only be done logging that run.
    await waitFor(() => proxy.log.every((q) => q.closed), { what: 'the proxy saw every request of the killed run end' });
    const recorded = JSON.parse(await fs.readFile(cp, 'utf8')).parts.map((p: { partNumber: number }) => p.partNumber);
    assert.ok(recorded.length >= 4 && recorded.length < PARTS);
    await assert.rejects(fs.access(target), 'no target before the download is whole');

    proxy.log.length = 0;
    proxy.decide = () => ({ forward: true });
    const second = await runChild(job({ op: 'download', key: 'big/single.bin', file: target })).exit;
    assert.equal(second.code, 0, second.stderr);
    const result = JSON.parse(second.stdout);
    assert.equal(result.resumed, true);
    assert.equal(result.verifiedBy, 'crc64');
    const ranges = proxy.log.filter((q) => q.method === 'GET').map((q) => Number(/^bytes=(\d+)-/.exec(String(q.headers.range))![1]) / PART + 1);
    const missing = Array.from({ length: PARTS }, (_, i) => i + 1).filter((n) => !recorded.includes(n));
    assert.deepEqual(ranges.sort((a, b) => a - b), missing, 'the rerun fetched exactly the ranges not recorded');
    assert.equal(await fileSha(target), digest);
    assert.deepEqual(await fs.readdir(path.dirname(target)), ['copy.bin'], 'no temporary file or checkpoint left');
  });

  it('a file changed between the two runs restarts cleanly', async () => {
    const file = path.join(tmp, 'changing.bin');
    await writeRandomFile(file, 48 * MiB);
    proxy.decide = (q) => (q.method === 'PUT' && q.url.includes('partNumber=') ? { forward: true, delayMs: 150 } : { forward: true });
    const first = runChild(job({ op: 'upload', key: 'big/changing.bin', file }));
    const cp = await waitFor(async () => (await fs.readdir(tmp)).find((f) => f.startsWith('changing.bin.') && f.endsWith('.stratus-upload.json')), {
      what: 'the upload checkpoint file exists',
    });
    await waitForParts(path.join(tmp, cp), 2, first);
    first.child.kill('SIGKILL');
    await first.exit;
    const old = JSON.parse(await fs.readFile(path.join(tmp, cp), 'utf8'));
    await serverSettled(proxy, c, bucket, 'big/changing.bin', old.uploadId);
    const digest = await writeRandomFile(file, 40 * MiB);

    proxy.log.length = 0;
    proxy.decide = () => ({ forward: true });
    const second = await runChild(job({ op: 'upload', key: 'big/changing.bin', file })).exit;
    assert.equal(second.code, 0, second.stderr);
    const result = JSON.parse(second.stdout);
    assert.equal(result.resumed, false);
    assert.notEqual(result.uploadId, old.uploadId);
    assert.deepEqual(partNumbersSent(), [1, 2, 3, 4, 5], 'every part of the new file was sent');
    const uploads = await collect(c.listMultipartUploads(bucket, { prefix: 'big/changing.bin' }));
    assert.deepEqual(uploads, [], 'the old upload was aborted');
    assert.equal(await objectSha(c, bucket, 'big/changing.bin'), digest);
  });
});
