import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { smallBody, startBaselineServer, type BaselineServer } from '../../bench/baseline-server.js';
import { repeatedBody } from '../../bench/big.js';
import { BenchClient } from '../../bench/client.js';
import { INLINE_MAX } from '../../src/engine/inline.js';
import { fillBucket, keyOf, shapeFor } from '../../bench/listing.js';
import { ACCESS_KEY, SECRET_KEY, startTestServer, type TestServer } from '../helpers/server.js';

const credentials = { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY };

describe('bench: baseline server', () => {
  let dir: string;
  let base: BaselineServer;
  let client: BenchClient;
  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'stratus-bench-test-'));
    base = await startBaselineServer({ dir, smallSize: 4096 });
    client = new BenchClient(base.url, credentials, 2);
  });
  after(async () => {
    client.close();
    await base.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('answers 4 KiB PUT, GET and HEAD from memory', async () => {
    const put = await client.request({ method: 'PUT', bucket: 'b', key: 'small/x', body: smallBody(4096) });
    assert.equal(put.status, 200);
    assert.match(String(put.headers.etag), /^"[0-9a-f]{32}"$/);
    const get = await client.request({ method: 'GET', bucket: 'b', key: 'small/x', keepBody: true });
    assert.equal(get.status, 200);
    assert.deepEqual(get.body, smallBody(4096));
    const head = await client.request({ method: 'HEAD', bucket: 'b', key: 'small/x' });
    assert.equal(head.status, 200);
    assert.equal(head.headers['content-length'], '4096');
    assert.equal(head.bytes, 0);
  });

  it('writes a big object to a file and streams it back', async () => {
    const block = Buffer.alloc(64 * 1024, 7);
    const size = 3 * block.length + 100;
    const put = await client.request({ method: 'PUT', bucket: 'b', key: 'big/y', body: repeatedBody(size, block), contentLength: size });
    assert.equal(put.status, 200);
    const files = await fs.readdir(dir);
    assert.equal(files.length, 1);
    assert.equal((await fs.stat(path.join(dir, files[0]!))).size, size);
    const get = await client.request({ method: 'GET', bucket: 'b', key: 'big/y' });
    assert.equal(get.status, 200);
    assert.equal(get.bytes, size);
  });
});

describe('bench: client and listing fill against Stratus', () => {
  let server: TestServer;
  let client: BenchClient;
  before(async () => {
    server = await startTestServer();
    client = new BenchClient(server.url, credentials, 2);
  });
  after(async () => {
    client.close();
    await server.stop();
  });

  it('signs requests Stratus accepts', async () => {
    await client.must({ method: 'PUT', bucket: 'bench' });
    await client.must({ method: 'PUT', bucket: 'bench', key: 'small/a b', body: smallBody(4096) });
    const get = await client.must({ method: 'GET', bucket: 'bench', key: 'small/a b' });
    assert.deepEqual(get.body, smallBody(4096));
    const bad = new BenchClient(server.url, { accessKeyId: ACCESS_KEY, secretAccessKey: 'wrong' }, 1);
    try {
      assert.equal((await bad.request({ method: 'GET', bucket: 'bench', key: 'small/a b' })).status, 403);
    } finally {
      bad.close();
    }
  });

  it('fills a bucket through meta.db whose rows list and read like written ones', async () => {
    const shape = shapeFor(10_000);
    const template = keyOf(shape, 0, 0, 0);
    await client.must({ method: 'PUT', bucket: 'list' });
    // Larger than the inline bound: the filled rows share the template's blob.
    const body = smallBody(INLINE_MAX + 1);
    await client.must({ method: 'PUT', bucket: 'list', key: template, body });
    assert.equal(fillBucket(server.dataDir, 'list', shape, template), 9_999);
    // The fill held the event loop: connections the server has since closed must not be reused.
    client.dropIdleSockets();
    // A whole 1000-prefix page is the bench's job; one directory is enough to check the rows.
    const page = (await client.must({ method: 'GET', bucket: 'list', query: 'delimiter=%2F&list-type=2&prefix=dir999%2F' })).body!.toString();
    assert.match(page, /<KeyCount>10<\/KeyCount>/);
    assert.match(page, /<Prefix>dir999\/sub09\/<\/Prefix>/);
    const obj = await client.must({ method: 'GET', bucket: 'list', key: keyOf(shape, 999, 9, 0) });
    assert.deepEqual(obj.body, body);
  });
});
