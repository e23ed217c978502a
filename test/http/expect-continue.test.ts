import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateBucketCommand, GetObjectCommand } from '@aws-sdk/client-s3';
import { RawSocket, signedHead } from '../helpers/socket.js';
import { xmlField } from '../helpers/raw.js';
import { readAll } from '../helpers/sdk.js';
import { bucketName, startTestServer, type TestServer } from '../helpers/server.js';

// Expect: 100-continue (s3-tests test_100_continue, first half): a request
// that is refused gets its error instead of "100 Continue", so the client
// never sends the body; an accepted one gets 100 once it is let through.

describe('Expect: 100-continue', () => {
  let t: TestServer;
  const bucket = bucketName('cont');
  before(async () => {
    t = await startTestServer();
    await t.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  });
  after(() => t.stop());

  async function refusedBeforeBody(head: string, code: string) {
    const sock = await RawSocket.connect(t.port);
    try {
      await sock.write(head);
      const r = await sock.response();
      assert.equal(r?.status, 403, r?.body.toString());
      assert.equal(xmlField(r!.body, 'Code'), code);
      assert.equal(r!.headers.connection, 'close');
      // The connection ends: the body the client announced may or may not follow.
      assert.equal(await sock.response(10_000), undefined);
    } finally {
      sock.destroy();
    }
  }

  it('an unsigned PUT gets 403 AccessDenied, not 100', async () => {
    await refusedBeforeBody(`PUT /${bucket}/anon HTTP/1.1\r\nHost: 127.0.0.1:${t.port}\r\nContent-Length: 123\r\nExpect: 100-continue\r\n\r\n`, 'AccessDenied');
  });

  it('a PUT with a wrong signature gets 403 SignatureDoesNotMatch, not 100', async () => {
    const head = signedHead(t.port, 'PUT', `/${bucket}/bad`, { 'content-length': '123', expect: '100-continue' })
      .replace(/Signature=[0-9a-f]{64}/, 'Signature=' + '0'.repeat(64));
    await refusedBeforeBody(head, 'SignatureDoesNotMatch');
  });

  it('a signed PUT gets 100, then its body is stored, and the connection stays usable', async () => {
    const body = Buffer.alloc(5000, 'x');
    const sock = await RawSocket.connect(t.port);
    try {
      // Twice on one connection: after the first, the connection is kept for the next request.
      for (const key of ['ok', 'ok2']) {
        await sock.write(signedHead(t.port, 'PUT', `/${bucket}/${key}`, { 'content-length': String(body.length), expect: '100-continue' }));
        const interim = await sock.response();
        assert.equal(interim?.status, 100);
        await sock.write(body);
        const r = await sock.response();
        assert.equal(r?.status, 200, r?.body.toString());
        assert.notEqual(r!.headers.connection, 'close');
      }
    } finally {
      sock.destroy();
    }
    for (const key of ['ok', 'ok2']) {
      const got = await t.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      assert.deepEqual(await readAll(got.Body as AsyncIterable<Uint8Array>), body);
    }
  });
});
