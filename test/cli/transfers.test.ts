/** The CLI as a subprocess: a directory tree up and back, sync twice, presign and fetch, progress output. */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { countRequests, startProxy, type TestProxy } from '../helpers/proxy.js';
import { rawRequest } from '../helpers/raw.js';
import { bucketName, startTestServer, type TestServer } from '../helpers/server.js';
import { BIN, cliEnv, readTree, stratus, stratusJson, type CliEnv } from './helpers.js';

const MiB = 1024 * 1024;

async function makeTree(root: string): Promise<void> {
  const files: Record<string, Buffer> = {
    'readme.txt': Buffer.from('top level\n'),
    'docs/a b.txt': Buffer.from('a file with a space\n'),
    'docs/ünïcode.md': Buffer.from('# héllo\n'),
    'docs/deep/er/x.json': Buffer.from('{"x":1}\n'),
    'data/empty.bin': Buffer.alloc(0),
    'data/big.bin': randomBytes(9 * MiB + 3), // multipart at the default 8 MiB threshold
  };
  for (const [rel, data] of Object.entries(files)) {
    await fs.mkdir(path.join(root, path.dirname(rel)), { recursive: true });
    await fs.writeFile(path.join(root, rel), data);
  }
}

describe('stratus CLI: transfers', { timeout: 300_000 }, () => {
  let t: TestServer;
  let proxy: TestProxy;
  let e: CliEnv;
  let dir: string;
  const bucket = bucketName('cli');
  before(async () => {
    t = await startTestServer();
    proxy = await startProxy(t.url);
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'stratus-cli-'));
    e = await cliEnv(dir, { local: { dialect: 's3', endpoint: proxy.url }, ali: { dialect: 'oss', endpoint: proxy.url } });
    await makeTree(path.join(dir, 'tree'));
    const r = await stratus(e, ['mb', `s3://${bucket}`]);
    assert.equal(r.code, 0, r.stderr);
  });
  after(async () => {
    await proxy.close();
    await t.stop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('copies a directory tree up and back, byte for byte, with plain lines when not on a terminal', async () => {
    const up = await stratus(e, ['cp', '-r', 'tree', `s3://${bucket}/tree/`]);
    assert.equal(up.code, 0, up.stderr);
    const lines = up.stdout.trim().split('\n').sort();
    assert.equal(lines.length, 6);
    assert.ok(lines.every((l) => l.startsWith('upload: ')), up.stdout);
    assert.ok(lines.some((l) => l.endsWith(`s3://${bucket}/tree/docs/deep/er/x.json`)));
    assert.equal(up.stderr, '', 'no progress bars when stderr is not a terminal');
    const ls = await stratusJson(e, ['ls', '-r', `s3://${bucket}/tree/`]);
    assert.equal(ls.json.objects.length, 6);
    const back = await stratus(e, ['cp', '-r', `s3://${bucket}/tree`, 'back']);
    assert.equal(back.code, 0, back.stderr);
    assert.deepEqual(await readTree(path.join(dir, 'back')), await readTree(path.join(dir, 'tree')));
  });

  it('syncs a tree twice: the second run transfers nothing; --delete removes what went away', async () => {
    proxy.log.length = 0;
    const first = await stratusJson(e, ['sync', 'tree', `s3://${bucket}/synced`]);
    assert.equal(first.r.code, 0, first.r.stderr);
    assert.equal(first.json.uploaded, 6);
    proxy.log.length = 0;
    const second = await stratusJson(e, ['sync', 'tree', `s3://${bucket}/synced`]);
    assert.equal(second.r.code, 0, second.r.stderr);
    assert.equal(second.json.uploaded, 0);
    assert.equal(second.json.unchanged, 6);
    assert.equal(countRequests(proxy.log, 'PUT') + countRequests(proxy.log, 'POST'), 0, 'the server received no writes');

    // Down, twice.
    const down1 = await stratusJson(e, ['sync', `s3://${bucket}/synced`, 'mirror']);
    assert.equal(down1.json.downloaded, 6);
    proxy.log.length = 0;
    const down2 = await stratusJson(e, ['sync', `s3://${bucket}/synced`, 'mirror']);
    assert.equal(down2.json.downloaded, 0);
    assert.equal(down2.json.unchanged, 6);
    assert.equal(proxy.log.filter((q) => q.method === 'GET' && !q.url.includes('list-type')).length, 0, 'no object was read');
    assert.deepEqual(await readTree(path.join(dir, 'mirror')), await readTree(path.join(dir, 'tree')));

    // A changed file goes again (same size, other bytes: caught by the MD5), a removed one is deleted with --delete.
    await fs.writeFile(path.join(dir, 'tree', 'readme.txt'), 'TOP LEVEL\n');
    await fs.rm(path.join(dir, 'tree', 'docs', 'a b.txt'));
    const third = await stratusJson(e, ['sync', 'tree', `s3://${bucket}/synced`, '--delete']);
    assert.equal(third.json.uploaded, 1);
    assert.equal(third.json.deleted, 1);
    const keys = (await stratusJson(e, ['ls', '-r', `s3://${bucket}/synced/`])).json.objects.map((o: { key: string }) => o.key).sort();
    assert.deepEqual(keys, ['synced/data/big.bin', 'synced/data/empty.bin', 'synced/docs/deep/er/x.json', 'synced/docs/ünïcode.md', 'synced/readme.txt']);
    const down3 = await stratusJson(e, ['sync', `s3://${bucket}/synced`, 'mirror', '--delete']);
    assert.equal(down3.json.downloaded, 1);
    assert.equal(down3.json.deleted, 1);
    assert.deepEqual(await readTree(path.join(dir, 'mirror')), await readTree(path.join(dir, 'tree')));
  });

  it('presigns a URL that a plain HTTP client can fetch, and a PUT URL it can write with', async () => {
    await stratus(e, ['cp', 'tree/readme.txt', `s3://${bucket}/shared/readme.txt`]);
    const p = await stratus(e, ['presign', `s3://${bucket}/shared/readme.txt`, '--expires', '300']);
    assert.equal(p.code, 0, p.stderr);
    const url = p.stdout.trim();
    const got = await rawRequest(url);
    assert.equal(got.status, 200);
    assert.equal(got.body.toString(), await fs.readFile(path.join(dir, 'tree', 'readme.txt'), 'utf8'));
    const put = await stratusJson(e, ['presign', `s3://${bucket}/shared/put.txt`, '--method', 'PUT']);
    assert.equal((await rawRequest(put.json.url, { method: 'PUT', body: 'written by url' })).status, 200);
    assert.equal((await stratus(e, ['cat', `s3://${bucket}/shared/put.txt`])).stdout, 'written by url');
    const oss = await stratus(e, ['presign', `oss://${bucket}/shared/readme.txt`]);
    assert.match(oss.stdout, /OSSAccessKeyId=/);
    assert.equal((await rawRequest(oss.stdout.trim())).status, 200);
  });

  it('moves objects, copies between profiles, and streams through stdin and stdout', async () => {
    const c1 = await stratus(e, ['cp', `s3://${bucket}/shared/readme.txt`, `oss://${bucket}/via-oss/`]);
    assert.equal(c1.code, 0, c1.stderr);
    assert.match(c1.stdout, new RegExp(`copy: s3://${bucket}/shared/readme.txt to oss://${bucket}/via-oss/readme.txt`));
    const mv = await stratus(e, ['mv', `oss://${bucket}/via-oss/readme.txt`, `s3://${bucket}/moved/readme.txt`]);
    assert.equal(mv.code, 0, mv.stderr);
    assert.equal((await stratus(e, ['stat', `oss://${bucket}/via-oss/readme.txt`])).code, 3, 'the source is gone');
    const up = await stratus(e, ['cp', '-', `s3://${bucket}/stdin.bin`], { input: 'from stdin' });
    assert.equal(up.code, 0, up.stderr);
    const down = await stratus(e, ['cp', `s3://${bucket}/stdin.bin`, '-']);
    assert.equal(down.stdout, 'from stdin');
    const local = path.join(dir, 'to-move.txt');
    await fs.writeFile(local, 'local then remote');
    assert.equal((await stratus(e, ['mv', local, `s3://${bucket}/moved/`])).code, 0);
    await assert.rejects(fs.access(local));
    assert.equal((await stratus(e, ['cat', `s3://${bucket}/moved/to-move.txt`])).stdout, 'local then remote');
  });

  it('draws progress bars on a terminal', { skip: spawnSync('script', ['--version']).status !== 0 && 'no script(1) to make a terminal' }, async () => {
    const file = path.join(dir, 'bar.bin');
    await fs.writeFile(file, randomBytes(2 * MiB));
    const cmd = `${process.execPath} ${BIN} cp ${file} s3://${bucket}/bar.bin`;
    // Not spawnSync: the proxy answering the CLI runs in this process.
    const r = await new Promise<{ status: number | null; stdout: string }>((resolve) => {
      const child = spawn('script', ['-qec', cmd, '/dev/null'], { env: e.env, cwd: dir, stdio: ['ignore', 'pipe', 'inherit'] });
      let stdout = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.on('close', (status) => resolve({ status, stdout }));
    });
    assert.equal(r.status, 0, r.stdout);
    assert.match(r.stdout, /100%/, 'a bar reaching 100%');
    assert.match(r.stdout, /upload: /);
  });
});
