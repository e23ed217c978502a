import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { RawSocket } from '../helpers/socket.js';
import { bucketName, startTestServer, type TestServer } from '../helpers/server.js';
import { xmlError } from '../helpers/post-form.js';

// Finding 4: an unsigned form POST held ~15 MiB of fields per connection.
// The fields before the file are now bounded (S3: 20 KB,
// MaxPostPreDataLengthExceeded) and the form is refused as soon as they
// overflow, long before the declared body has arrived.
let srv: TestServer;
const bucket = bucketName('formcap');
const BOUNDARY = '----stratusformlimit';

before(async () => {
  // A long idle timeout: an answer can only come from the limit, not from a stall.
  srv = await startTestServer({ bodyIdleMs: 5_000 });
  await srv.s3.send(new CreateBucketCommand({ Bucket: bucket }));
});
after(() => srv.stop());

const field = (name: string, value: string) => `--${BOUNDARY}\r\ncontent-disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;

/** Sends the head of a form POST declaring a 100 MB body, then `prefix`; returns the answer that arrives while the body is unfinished. */
async function partialForm(prefix: string) {
  const s = await RawSocket.connect(srv.port);
  try {
    await s.write(`POST /${bucket} HTTP/1.1\r\nhost: 127.0.0.1:${srv.port}\r\ncontent-type: multipart/form-data; boundary=${BOUNDARY}\r\ncontent-length: ${100 * 1024 * 1024}\r\n\r\n`);
    await s.write(prefix).catch(() => undefined); // the server may already have answered and closed
    const r = await s.response();
    assert.ok(r, 'the server answered before the body was complete');
    return { status: r.status, ...xmlError(r.body.toString()), body: r.body.toString() };
  } finally {
    s.destroy();
  }
}

const manyFields = (first: string) => first + Array.from({ length: 12 }, (_, i) => field(`x-ignore-f${i}`, 'v'.repeat(4000))).join('');

describe('form POST fields before the file', () => {
  it('S3: more than 20 KB of fields is MaxPostPreDataLengthExceeded, answered at once', async () => {
    const r = await partialForm(manyFields(field('x-amz-algorithm', 'AWS4-HMAC-SHA256')));
    assert.equal(r.status, 400);
    assert.equal(r.code, 'MaxPostPreDataLengthExceeded');
    assert.match(r.message ?? '', /fields preceding the upload file were too large/);
    assert.match(r.body, /<MaxPostPreDataLengthBytes>20480<\/MaxPostPreDataLengthBytes>/);
  });

  it('OSS and OBS forms get their own dialect\'s error', async () => {
    const oss = await partialForm(manyFields(field('OSSAccessKeyId', 'x')));
    assert.equal(oss.status, 400);
    assert.equal(oss.code, 'MaxPostPreDataLengthExceeded');
    assert.match(oss.body, /<EC>0006-00000112<\/EC>/);
    const obs = await partialForm(manyFields(field('AccessKeyId', 'x')));
    assert.equal(obs.status, 400);
    assert.equal(obs.code, 'MaxPostPreDataLengthExceededError');
  });

  it('one endless field, or endless empty fields, is refused after a bounded prefix', async () => {
    const endless = await partialForm(`--${BOUNDARY}\r\ncontent-disposition: form-data; name="x-amz-meta-a"\r\n\r\n` + 'v'.repeat(300_000));
    assert.equal(endless.code, 'MaxPostPreDataLengthExceeded');
    const empties = await partialForm(Array.from({ length: 150 }, (_, i) => `--${BOUNDARY}\r\ncontent-disposition: form-data; name="f${i}"; x-pad="${'p'.repeat(900)}"\r\n\r\n\r\n`).join(''));
    assert.equal(empties.code, 'MaxPostPreDataLengthExceeded');
  });

  it('the server keeps serving', async () => {
    assert.equal((await fetch(`${srv.url}/health`)).status, 200);
  });
});
