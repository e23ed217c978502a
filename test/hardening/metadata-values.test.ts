import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { updateObjectAttributes } from '../../src/engine/attributes.js';
import { startCosServer, type CosTestServer } from '../cos/helpers.js';
import { ossClient } from '../oss/helpers.js';
import { RawSocket, signedHead } from '../helpers/socket.js';
import { submitForm, xmlError } from '../helpers/post-form.js';
import { assertS3Error, signedRequest } from '../helpers/raw.js';
import { readAll, sdkRejects } from '../helpers/sdk.js';

// Stored metadata must never make an object unreadable (hardening #5): what
// no response header can carry is refused at the door in the dialect's own
// words, non-ASCII text is written the way each cloud documents, and the
// response-* overrides are checked before the blob is opened.

let srv: CosTestServer;
let bucket: string;
const big = Buffer.alloc(100 * 1024, 7); // read through a file handle, not in one piece

before(async () => {
  srv = await startCosServer();
  bucket = srv.bucket;
});
after(() => srv.stop());

/** The object reads whole through S3 (GET and HEAD), OSS and the COS download. */
async function assertReadable(key: string) {
  const got = await srv.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  await readAll(got.Body as AsyncIterable<Uint8Array>);
  await srv.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  const oss = ossClient(srv, { bucket });
  assert.equal((await oss.head(key)).status, 200);
  assert.equal((await readAll(await srv.cos.downloadObject({ bucket, cosPath: '/' + key }))).length, big.length);
}

describe('COS op=update custom_headers', () => {
  test('non-ASCII metadata is stored and read back as each cloud writes it', async () => {
    const key = 'cos/unicode';
    await srv.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: big }));
    const r = await srv.cos.updateFile({
      bucket,
      cosPath: '/' + key,
      customHeaders: { contentDisposition: 'attachment; filename="报告 (1).txt"', xCosMeta: { 'x-cos-meta-name': '中文 ünï' } },
    });
    assert.equal(r.code, 0, JSON.stringify(r));
    await assertReadable(key);
    // S3: RFC 2047 for metadata, RFC 6266 for the disposition.
    const head = await srv.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    assert.equal(head.Metadata?.name, `=?UTF-8?B?${Buffer.from('中文 ünï').toString('base64')}?=`);
    assert.equal(head.ContentDisposition, "attachment; filename*=UTF-8''%E6%8A%A5%E5%91%8A%20%281%29.txt");
    // OSS: the UTF-8 bytes (Node reads header bytes as latin1).
    const oss = await ossClient(srv, { bucket }).head(key);
    assert.equal(Buffer.from(oss.res.headers['x-oss-meta-name'], 'latin1').toString('utf8'), '中文 ünï');
    // COS reads its own text back.
    const st = await srv.cos.statFile({ bucket, cosPath: '/' + key });
    assert.equal(st.data?.custom_headers?.['x-cos-meta-name'], '中文 ünï');
  });

  const refused: [string, Record<string, unknown>][] = [
    ['CR/LF in a metadata value', { xCosMeta: { 'x-cos-meta-a': 'v\r\nx-injected: 1' } }],
    ['NUL in a metadata value', { xCosMeta: { 'x-cos-meta-a': 'v\0' } }],
    ['an invalid header name', { xCosMeta: { 'x-cos-meta-a b': 'v' } }],
    ['a non-ASCII header name', { xCosMeta: { 'x-cos-meta-名': 'v' } }],
    ['a non-ASCII Content-Type', { contentType: 'text/中文' }],
    ['CR/LF in Content-Type', { contentType: 'text/plain\r\nx-injected: 1' }],
    ['a 200 KB value', { xCosMeta: { 'x-cos-meta-a': 'v'.repeat(200 * 1024) } }],
  ];
  for (const [what, customHeaders] of refused) {
    test(`refuses ${what}; the object stays readable`, async () => {
      const key = 'cos/' + what.replace(/\W+/g, '-');
      await srv.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: big }));
      const r = await srv.cos.updateFile({ bucket, cosPath: '/' + key, customHeaders });
      assert.equal(r.message, 'ERROR_CGI_PARAM', JSON.stringify(r).slice(0, 300));
      await assertReadable(key);
    });
  }

  test('over the wire too (the SDK checks names itself)', async () => {
    const key = 'cos/raw';
    await srv.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: big }));
    const r = await srv.api(srv.apiPath('/' + key), {
      json: { op: 'update', custom_headers: { 'x-cos-meta-bad name': 'v', 'Cache-Control': 'no-cache' } },
      sign: srv.cos.auth.signOnce(bucket, '/' + key),
    });
    assert.equal(r.json.message, 'ERROR_CGI_PARAM', JSON.stringify(r.json));
    await assertReadable(key);
  });
});

describe('a stored value no header can carry (written before the door checked)', () => {
  test('GET and HEAD still answer, in every dialect and the COS download', async () => {
    const key = 'legacy/poison';
    await srv.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: big }));
    // Straight into the store, as an older server would have left it.
    await updateObjectAttributes(srv.engine, bucket, key, () => ({
      meta: { contentType: 'text/中文', contentDisposition: 'attachment; filename="名\r\n.txt"', cacheControl: 'a\nb', user: { ok: '中文\r\n', 'bad name': 'v' } },
    }));
    await assertReadable(key);
    const head = await srv.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    assert.equal(head.Metadata?.ok, `=?UTF-8?B?${Buffer.from('中文\r\n').toString('base64')}?=`);
    assert.equal(head.Metadata?.['bad name'], undefined);
  });
});

describe('browser POST', () => {
  async function post(fields: Record<string, string>) {
    const policy = srv.minio.newPostPolicy();
    policy.setBucket(bucket);
    policy.setKey('post/obj');
    // minio-js refuses an empty prefix; the condition is the common browser-upload one all the same.
    policy.policy.conditions.push(['starts-with', '$Content-Type', '']);
    policy.setExpires(new Date(Date.now() + 600_000));
    const p = await srv.minio.presignedPostPolicy(policy);
    return submitForm(p.postURL, { ...p.formData, ...fields }, { data: 'form body' });
  }

  test('a Content-Type under starts-with "" holding CR/LF is refused, nothing stored', async () => {
    const r = await post({ 'Content-Type': 'text/plain\r\nx-injected: 1' });
    assert.equal(r.status, 400, r.body);
    assert.equal(xmlError(r.body).code, 'InvalidArgument');
    await sdkRejects(srv.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'post/obj' })), 'NotFound', 404);
  });

  test('a non-ASCII Content-Type is refused', async () => {
    const r = await post({ 'Content-Type': 'text/中文' });
    assert.equal(r.status, 400, r.body);
    assert.equal(xmlError(r.body).code, 'InvalidArgument');
  });

  test('a plain Content-Type is stored', async () => {
    const r = await post({ 'Content-Type': 'text/plain' });
    assert.equal(r.status, 204, r.body);
    const head = await srv.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'post/obj' }));
    assert.equal(head.ContentType, 'text/plain');
  });
});

describe('user metadata sent as header bytes', () => {
  test('UTF-8 bytes are read as text: S3 returns it RFC 2047-encoded, OSS as the same bytes', async () => {
    // Raw bytes on the wire (node:http would re-encode the value): the head as latin1 bytes.
    const utf8AsHeader = Buffer.from('中文').toString('latin1');
    const sock = await RawSocket.connect(srv.port);
    try {
      await sock.write(Buffer.from(signedHead(srv.port, 'PUT', `/${bucket}/meta/utf8`, { 'x-amz-meta-name': utf8AsHeader, 'content-length': '1' }) + 'x', 'latin1'));
      const r = await sock.response();
      assert.equal(r?.status, 200, r?.body.toString());
    } finally {
      sock.destroy();
    }
    const head = await srv.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'meta/utf8' }));
    assert.equal(head.Metadata?.name, '=?UTF-8?B?5Lit5paH?=');
    const oss = await ossClient(srv, { bucket }).head('meta/utf8');
    assert.equal(oss.res.headers['x-oss-meta-name'], utf8AsHeader);
    const st = await srv.cos.statFile({ bucket, cosPath: '/meta/utf8' });
    assert.equal(st.data?.custom_headers?.['x-cos-meta-name'], '中文');
  });

  test('over 2 KB of S3 user metadata is MetadataTooLarge', async () => {
    await sdkRejects(srv.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'meta/big', Body: 'x', Metadata: { a: 'v'.repeat(2100) } })), 'MetadataTooLarge', 400);
  });
});

describe('response-* overrides', () => {
  before(async () => {
    await srv.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'dl', Body: big }));
  });

  test('a Chinese file name goes as RFC 6266 filename*', async () => {
    const got = await srv.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'dl', ResponseContentDisposition: 'attachment; filename="中文.txt"' }));
    assert.equal(got.ContentDisposition, "attachment; filename*=UTF-8''%E4%B8%AD%E6%96%87.txt");
    assert.equal((await readAll(got.Body as AsyncIterable<Uint8Array>)).length, big.length);
  });

  const bad: [string, string][] = [
    ['response-content-disposition', 'attachment; filename="a\0b"'],
    ['response-content-disposition', 'attachment\r\nx-injected: 1'],
    ['response-content-type', 'text/中文'],
    ['response-cache-control', 'no-cache\n'],
    ['response-content-disposition', '中文; filename=a'],
  ];
  for (const [param, value] of bad) {
    test(`${param}=${JSON.stringify(value)} is InvalidArgument`, async () => {
      const r = await signedRequest(srv.url, `/${bucket}/dl?${param}=${encodeURIComponent(value)}`);
      assertS3Error(r, 400, 'InvalidArgument');
    });
  }
});
