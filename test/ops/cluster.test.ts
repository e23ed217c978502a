import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ACCESS_KEY, SECRET_KEY } from '../helpers/server.js';
import { KEY_FLAGS, spawnServer, type ServerProcess } from '../helpers/process.js';
import { waitFor } from '../helpers/wait.js';

/** The gateway worker processes of a primary (its children). */
function workersOf(pid: number): number[] {
  // Only the gateways: tsx's esbuild service is a child too.
  const out = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(pid)], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((l) => l.includes('stratus.js'))
    .map((l) => Number(l.trim().split(/\s+/)[0]));
}

/** The process tag of a request id (every process draws its own). */
const processTag = (requestId: string | undefined) => (requestId ?? '').slice(0, 10);

describe('stratus server --workers 2 (node:cluster)', () => {
  let dir: string;
  let server: ServerProcess;
  let s3: S3Client;

  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'stratus-cluster-'));
    server = await spawnServer(dir, [...KEY_FLAGS, '--workers', '2', '--no-fsync']);
    s3 = new S3Client({ endpoint: server.url, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY } });
  });
  after(async () => {
    s3.destroy();
    await server.stop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('runs two gateway processes on one port, both serving the same data', async () => {
    assert.match(server.output(), /2 gateway processes/);
    await waitFor(() => workersOf(server.child.pid!).length === 2, { what: 'two workers' });
    await s3.send(new CreateBucketCommand({ Bucket: 'shared' }));
    const tags = new Set<string>();
    // Fresh connections are spread over the workers (round robin in the primary).
    for (let i = 0; i < 16; i++) {
      const c = new S3Client({ endpoint: server.url, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY } });
      const put = await c.send(new PutObjectCommand({ Bucket: 'shared', Key: `k${i}`, Body: `v${i}` }));
      tags.add(processTag(put.$metadata.requestId));
      c.destroy();
    }
    assert.equal(tags.size, 2, `requests answered by ${[...tags].join(', ')}`);
    for (let i = 0; i < 16; i++) {
      const got = await s3.send(new GetObjectCommand({ Bucket: 'shared', Key: `k${i}` }));
      assert.equal(await got.Body!.transformToString(), `v${i}`);
    }
  });

  it('restarts a worker that dies; acknowledged writes survive and the port keeps answering', async () => {
    const before = workersOf(server.child.pid!);
    assert.equal(before.length, 2);
    process.kill(before[0], 'SIGKILL');
    await waitFor(() => {
      const now = workersOf(server.child.pid!);
      return now.length === 2 && !now.includes(before[0]);
    }, { what: 'a replacement worker' });
    for (let i = 0; i < 16; i++) {
      const c = new S3Client({ endpoint: server.url, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY } });
      const got = await c.send(new GetObjectCommand({ Bucket: 'shared', Key: `k${i}` }));
      assert.equal(await got.Body!.transformToString(), `v${i}`);
      c.destroy();
    }
    assert.match(server.output(), /gateway worker died; starting another/);
  });

  it('SIGTERM stops the workers, then the primary, cleanly', async () => {
    const workers = workersOf(server.child.pid!);
    await server.stop();
    for (const pid of workers) assert.throws(() => process.kill(pid, 0), /ESRCH/);
  });
});
