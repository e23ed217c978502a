import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, test } from 'node:test';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { signRequestV4 } from '../../src/auth/sigv4.js';
import { ACCESS_KEY, SECRET_KEY, bucketName, startTestServer, type TestServer } from '../helpers/server.js';

// A client that stops reading a download must end that response and nothing
// else: before the fix the second in-flight write's rejection went unhandled
// and took the whole process down.
let srv: TestServer;
const bucket = bucketName('abort');
const body = Buffer.alloc(8 * 1024 * 1024, 7);

before(async () => {
  srv = await startTestServer();
  await srv.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await srv.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'big', Body: body }));
});
after(() => srv.stop());

/** Starts a signed GET, reads `stopAfter` bytes, then destroys the socket. */
function readThenDrop(headers: Record<string, string>, stopAfter: number): Promise<number> {
  const url = new URL(`/${bucket}/big`, srv.url);
  const h: Record<string, string> = { ...headers };
  signRequestV4({ method: 'GET', url, headers: h, credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY }, region: 'us-east-1', service: 's3' });
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'GET', headers: h }, (res) => {
      let got = 0;
      res.on('data', (c: Buffer) => {
        got += c.length;
        if (got >= stopAfter) {
          req.destroy();
          resolve(got);
        }
      });
      res.on('error', () => undefined);
    });
    req.on('error', (e) => (req.destroyed ? undefined : reject(e)));
    req.end();
  });
}

test('dropped downloads (whole and ranged, repeatedly) leave the server serving', async () => {
  const drops = [];
  for (let i = 0; i < 20; i++) {
    drops.push(readThenDrop(i % 2 ? { range: `bytes=${i * 1000}-` } : {}, 100_000 + i * 7919));
  }
  for (const n of await Promise.all(drops)) assert.ok(n >= 100_000);
  // Let the server notice the closed sockets and settle its pending writes.
  await new Promise((r) => setTimeout(r, 200));
  const r = await fetch(`${srv.url}/health`);
  assert.equal(r.status, 200);
  const back = await srv.minio.getObject(bucket, 'big');
  let n = 0;
  for await (const c of back) n += (c as Buffer).length;
  assert.equal(n, body.length);
});
