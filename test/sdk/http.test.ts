/** The SDK's HTTP behaviour: retries (5xx and network, never 4xx), timeouts, cancellation, credential sources. */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { credentialsFromEnv, StratusClient } from '../../src/sdk/index.js';
import { countRequests, startProxy, type TestProxy } from '../helpers/proxy.js';
import { ACCESS_KEY, bucketName, SECRET_KEY, startTestServer, type TestServer } from '../helpers/server.js';
import { expectError, sdkClient } from './helpers.js';
import { waitFor } from '../helpers/wait.js';

const ERROR_503 = '<?xml version="1.0"?><Error><Code>SlowDown</Code><Message>busy</Message><RequestId>R503</RequestId></Error>';

describe('SDK HTTP layer', () => {
  let t: TestServer;
  let proxy: TestProxy;
  let c: StratusClient;
  const bucket = bucketName('sdkhttp');
  before(async () => {
    t = await startTestServer();
    proxy = await startProxy(t.url);
    c = sdkClient(proxy.url);
    await c.createBucket(bucket);
    await c.putObject(bucket, 'k', 'value');
  });
  after(async () => {
    c.destroy();
    await proxy.close();
    await t.stop();
  });

  const reset = (decide: TestProxy['decide']) => {
    proxy.log.length = 0;
    proxy.decide = decide;
  };

  it('retries 5xx answers with backoff and succeeds', async () => {
    reset((_r, i) => (i < 2 ? { status: 503, body: ERROR_503 } : { forward: true }));
    assert.equal((await c.getObjectBuffer(bucket, 'k')).data.toString(), 'value');
    assert.equal(proxy.log.length, 3);
  });

  it('gives the last 5xx as a typed error when the retries are spent', async () => {
    reset(() => ({ status: 503, body: ERROR_503 }));
    const e = await expectError(c.getObject(bucket, 'k'), { code: 'SlowDown', status: 503 });
    assert.equal(e.requestId, 'R503');
    assert.equal(countRequests(proxy.log, 'GET'), 4, 'one attempt and three retries');
  });

  it('never retries a 4xx', async () => {
    reset(() => ({ forward: true }));
    await expectError(c.getObject(bucket, 'missing'), { code: 'NoSuchKey', status: 404 });
    assert.equal(proxy.log.length, 1);
    reset(() => ({ status: 400, body: '<Error><Code>InvalidArgument</Code><Message>no</Message></Error>' }));
    await expectError(c.putObject(bucket, 'x', 'y'), { code: 'InvalidArgument', status: 400 });
    assert.equal(proxy.log.length, 1);
  });

  it('retries a cut connection, and re-sends a buffered body', async () => {
    reset((_r, i) => (i === 0 ? { destroy: true } : { forward: true }));
    await c.putObject(bucket, 'after-cut', 'resent body');
    assert.equal(proxy.log.length, 2);
    reset(() => ({ forward: true }));
    assert.equal((await c.getObjectBuffer(bucket, 'after-cut')).data.toString(), 'resent body');
  });

  it('does not retry a request whose body was a caller stream', async () => {
    reset(() => ({ status: 500, body: '<Error><Code>InternalError</Code><Message>x</Message></Error>' }));
    await expectError(c.putObject(bucket, 's', Readable.from([Buffer.from('abc')]), { contentLength: 3 }), { code: 'InternalError', status: 500 });
    assert.equal(proxy.log.length, 1);
  });

  it('gives up with NetworkError when the connection keeps failing', async () => {
    reset(() => ({ destroy: true }));
    const e = await expectError(c.getObject(bucket, 'k'), { code: 'NetworkError', status: 0 });
    assert.equal(e.fromServer, false);
    assert.equal(proxy.log.length, 4);
  });

  it('times out a server that does not answer', async () => {
    const silent = http.createServer(() => {
      /* never answers */
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const s = sdkClient(`http://127.0.0.1:${(silent.address() as AddressInfo).port}`, 's3', { timeoutMs: 200, maxRetries: 1 });
    try {
      await expectError(s.headBucket('b'), { code: 'Timeout', status: 0 });
    } finally {
      s.destroy();
      silent.closeAllConnections();
      silent.close();
    }
  });

  it('cancels by AbortSignal, before and during a request', async () => {
    reset(() => ({ forward: true }));
    const pre = new AbortController();
    pre.abort();
    await expectError(c.getObject(bucket, 'k', { signal: pre.signal }), { code: 'Aborted' });
    assert.equal(proxy.log.length, 0);
    reset(() => ({ forward: true, delayMs: 2000 }));
    const ac = new AbortController();
    const p = c.getObject(bucket, 'k', { signal: ac.signal });
    await waitFor(() => proxy.log.length > 0, { what: 'the request reached the proxy', intervalMs: 1 });
    ac.abort();
    await expectError(p, { code: 'Aborted' });
    reset(() => ({ forward: true }));
  });

  it('asks a credential provider again when its credentials expire', async () => {
    reset(() => ({ forward: true }));
    let calls = 0;
    const p = new StratusClient({
      dialect: 's3',
      endpoint: proxy.url,
      credentials: () => {
        calls++;
        return { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY, expiration: new Date(Date.now() + 30_000) };
      },
    });
    const q = new StratusClient({
      dialect: 's3',
      endpoint: proxy.url,
      credentials: async () => ({ accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY, expiration: new Date(Date.now() + 3600_000) }),
    });
    try {
      await p.headBucket(bucket);
      await p.headBucket(bucket);
      assert.equal(calls, 2, 'credentials within a minute of expiry are refreshed');
      await q.headBucket(bucket);
      const bad = new StratusClient({ dialect: 's3', endpoint: proxy.url, credentials: () => ({ accessKeyId: ACCESS_KEY, secretAccessKey: 'wrong' }) });
      await expectError(bad.headBucket(bucket), { status: 403 });
      bad.destroy();
    } finally {
      p.destroy();
      q.destroy();
    }
  });

  it('reads credentials from the environment', async () => {
    const env = { STRATUS_ACCESS_KEY: 'a', STRATUS_SECRET_KEY: 'b' };
    assert.deepEqual(credentialsFromEnv('s3', env), { accessKeyId: 'a', secretAccessKey: 'b' });
    assert.deepEqual(credentialsFromEnv('oss', { OSS_ACCESS_KEY_ID: 'x', OSS_ACCESS_KEY_SECRET: 'y', OSS_SESSION_TOKEN: 'z' }), { accessKeyId: 'x', secretAccessKey: 'y', sessionToken: 'z' });
    assert.equal(credentialsFromEnv('s3', {}), undefined);
    const saved = { ...process.env };
    try {
      process.env.STRATUS_ACCESS_KEY = ACCESS_KEY;
      process.env.STRATUS_SECRET_KEY = SECRET_KEY;
      const e = new StratusClient({ dialect: 's3', endpoint: t.url, credentials: 'env' });
      await e.headBucket(bucket);
      e.destroy();
      delete process.env.STRATUS_ACCESS_KEY;
      delete process.env.STRATUS_SECRET_KEY;
      delete process.env.AWS_ACCESS_KEY_ID;
      const none = new StratusClient({ dialect: 's3', endpoint: t.url });
      const err = await expectError(none.headBucket(bucket), { code: 'CredentialsError' });
      assert.match(err.message, /STRATUS_ACCESS_KEY/);
      none.destroy();
    } finally {
      process.env = saved;
    }
  });
});
