import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { signedRequest } from '../helpers/raw.js';
import { RawSocket, signedHead, type SocketResponse } from '../helpers/socket.js';
import { bucketName, startTestServer, type TestServer } from '../helpers/server.js';
import { xmlError } from '../helpers/post-form.js';

// Finding 11: an authenticated PUT trickling a byte every few seconds (under
// the idle timeout) stayed open forever; data after `Connection: close` made
// the clientError handler cut a PUT that was being answered. Also finding 4's
// connection-level bounds: headers timeout and connection cap.

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The answer, or a failure once `ms` pass without one. */
async function within<T>(ms: number, p: Promise<T>, what: string): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => (t = setTimeout(() => reject(new Error(`no answer within ${ms} ms: ${what}`)), ms)))]);
  } finally {
    clearTimeout(t);
  }
}

/** A signed PUT that sends one byte every `everyMs` until the server answers. */
async function trickle(srv: TestServer, path: string, everyMs: number): Promise<SocketResponse | undefined> {
  const s = await RawSocket.connect(srv.port);
  let answered = false;
  try {
    await s.write(signedHead(srv.port, 'PUT', path, { 'content-length': '100000' }));
    const pump = (async () => {
      while (!answered) {
        await s.write('x').catch(() => undefined);
        await sleep(everyMs);
      }
    })();
    const r = await within(10_000, s.response(), 'trickled PUT');
    answered = true;
    await pump;
    return r;
  } finally {
    answered = true;
    s.destroy();
  }
}

describe('request deadlines', () => {
  let total: TestServer;
  let rate: TestServer;
  const bucket = bucketName('deadline');
  before(async () => {
    total = await startTestServer({ bodyIdleMs: 1000, bodyTimeoutMs: 1500, bodyMinRate: 0, headersTimeoutMs: 400, maxConnections: 4 });
    rate = await startTestServer({ bodyIdleMs: 1000, bodyMinRate: 1000 });
    for (const s of [total, rate]) await s.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  });
  after(async () => {
    await total.stop();
    await rate.stop();
  });

  it('a body still arriving at the deadline is RequestTimeout, and nothing is stored', async () => {
    const r = await trickle(total, `/${bucket}/slow`, 200);
    assert.equal(r?.status, 400);
    assert.equal(xmlError(r!.body.toString()).code, 'RequestTimeout');
    assert.equal((await signedRequest(total.url, `/${bucket}/slow`)).status, 404);
    // A body that arrives in time is unaffected.
    assert.equal((await signedRequest(total.url, `/${bucket}/fast`, { method: 'PUT', body: 'quick' })).status, 200);
  });

  it('a body slower than the minimum rate is RequestTimeout once the idle window has passed', async () => {
    const r = await trickle(rate, `/${bucket}/slow`, 200);
    assert.equal(r?.status, 400);
    assert.equal(xmlError(r!.body.toString()).code, 'RequestTimeout');
  });

  it('headers that never finish are cut off by the headers timeout', async () => {
    const s = await RawSocket.connect(total.port);
    await s.write(`GET /${bucket}/x HTTP/1.1\r\nhost: 127.0.0.1\r\n`);
    const r = await within(8000, s.response(), 'unfinished headers');
    assert.equal(r?.status, 408);
    await within(8000, s.closed, 'connection close');
  });

  it('connections beyond the cap are closed at once; the server serves again when they go', async () => {
    const idle = await Promise.all(Array.from({ length: 4 }, () => RawSocket.connect(total.port)));
    // Connections are counted once accepted: a served request proves all four are.
    await idle[0].write(`GET /health HTTP/1.1\r\nhost: x\r\n\r\n`);
    assert.equal((await within(5000, idle[0].response(), 'health'))?.status, 200);
    const extra = await RawSocket.connect(total.port);
    await extra.write(`GET /health HTTP/1.1\r\nhost: x\r\n\r\n`).catch(() => undefined);
    assert.equal(await within(5000, extra.response(), 'refused connection'), undefined);
    for (const s of idle) s.destroy();
    for (let deadline = Date.now() + 5000; ; ) {
      const ok = await fetch(`${total.url}/health`).then((r) => r.status === 200, () => false);
      if (ok) break;
      assert.ok(Date.now() < deadline, 'the server did not accept connections again');
      await sleep(50);
    }
  });
});

describe('data after Connection: close', () => {
  let srv: TestServer;
  const bucket = bucketName('connclose');
  before(async () => {
    srv = await startTestServer();
    await srv.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  });
  after(() => srv.stop());

  it('does not abort the PUT being answered: it completes and the object is whole', async () => {
    const body = Buffer.alloc(3 * 1024 * 1024, 'b');
    const s = await RawSocket.connect(srv.port);
    await s.write(Buffer.concat([Buffer.from(signedHead(srv.port, 'PUT', `/${bucket}/obj`, { 'content-length': String(body.length), connection: 'close' })), body, Buffer.from('GET / HTTP/1.1\r\n\r\n')]));
    const r = await within(10_000, s.response(), 'PUT answer');
    s.destroy();
    assert.equal(r?.status, 200, r?.body.toString());
    const got = await signedRequest(srv.url, `/${bucket}/obj`);
    assert.equal(got.status, 200);
    assert.ok(got.body.equals(body));
  });

  it('garbage on an idle connection still gets 400', async () => {
    const s = new net.Socket();
    await new Promise<void>((r) => s.connect(srv.port, '127.0.0.1', r));
    const data = await new Promise<string>((resolve) => {
      let got = '';
      s.on('data', (c) => (got += c.toString()));
      s.on('close', () => resolve(got));
      s.write('NOT HTTP AT ALL\r\n\r\n');
    });
    assert.match(data, /^HTTP\/1\.1 400/);
  });
});
