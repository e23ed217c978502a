import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CreateMultipartUploadCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { XMLValidator } from 'fast-xml-parser';
import { signObsRequest } from '../../src/auth/obs.js';
import { assertS3Error, rawRequest, signedRequest, xmlField, xmlFields } from '../helpers/raw.js';
import { ACCESS_KEY, SECRET_KEY } from '../helpers/server.js';
import { startCosServer, type CosTestServer } from '../cos/helpers.js';
import { OBS_DOMAIN } from '../obs/helpers.js';
import { ossClient } from '../oss/helpers.js';

// Keys may hold any character but NUL (hardening #10). What XML 1.0 cannot
// hold must never reach an answer raw: the document would not be well-formed
// and no XML parser would read it. NUL is refused in every dialect and on
// every path, so the metadata stores never disagree about it.

let srv: CosTestServer;
let bucket: string;

/** Well-formed XML 1.0 with no character it forbids, raw or referenced. */
function assertWellFormed(body: Buffer) {
  const text = body.toString();
  assert.equal(XMLValidator.validate(text), true, text);
  assert.doesNotMatch(text, /[\x00-\x08\x0B\x0C\x0E-\x1F]/, 'a raw control character');
  assert.doesNotMatch(text, /&#x?0*(?:[0-8]|1[1-9]|2\d|3[01]|[bBcCeEfF]|1[0-9a-fA-F]);/, 'a reference to a character XML 1.0 forbids');
}

before(async () => {
  srv = await startCosServer({ domains: ['localhost', OBS_DOMAIN] });
  bucket = srv.bucket;
});
after(() => srv.stop());

describe('control characters in keys', () => {
  const key = 'ctl/a\x01b\x1fc\x7f';

  before(async () => {
    await srv.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'x' }));
    await srv.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'ctl/cr\rlf\r\n', Body: 'x' }));
  });

  test('a listing without encoding-type is well-formed', async () => {
    const r = await signedRequest(srv.url, `/${bucket}?list-type=2&prefix=ctl/`);
    assert.equal(r.status, 200);
    assertWellFormed(r.body);
    assert.deepEqual(xmlFields(r.body, 'Key'), ['ctl/a\uFFFDb\uFFFDc\x7f', 'ctl/cr&#xD;lf&#xD;\n']);
  });

  test('CR travels as a reference, so a parser reads it back', async () => {
    const r = await srv.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'ctl/cr' }));
    assert.deepEqual(r.Contents?.map((c) => c.Key), ['ctl/cr\rlf\r\n']);
  });

  test('with encoding-type=url the key comes back exactly', async () => {
    const r = await srv.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'ctl/a', EncodingType: 'url' }));
    assert.deepEqual(r.Contents?.map((c) => decodeURIComponent(c.Key!)), [key]);
  });

  test('CreateMultipartUpload answers well-formed XML', async () => {
    const r = await signedRequest(srv.url, `/${bucket}/${encodeURIComponent(key)}?uploads`, { method: 'POST' });
    assert.equal(r.status, 200);
    assertWellFormed(r.body);
    // And the SDK reads it.
    const c = await srv.s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
    assert.ok(c.UploadId);
  });

  test('error bodies naming the key are well-formed', async () => {
    const r = await signedRequest(srv.url, `/${bucket}/${encodeURIComponent('ctl/missing\x02')}`);
    assertS3Error(r, 404, 'NoSuchKey');
    assertWellFormed(r.body);
    assert.equal(xmlField(r.body, 'Key'), 'ctl/missing\uFFFD');
  });
});

describe('NUL in a key is refused in every dialect', () => {
  const nul = encodeURIComponent('nul/a\0b');

  test('S3: writes, reads, deletes and listings', async () => {
    assertS3Error(await signedRequest(srv.url, `/${bucket}/${nul}`, { method: 'PUT', body: 'x' }), 400, 'InvalidArgument');
    assertS3Error(await signedRequest(srv.url, `/${bucket}/${nul}`), 400, 'InvalidArgument');
    assertS3Error(await signedRequest(srv.url, `/${bucket}/${nul}`, { method: 'DELETE' }), 400, 'InvalidArgument');
    assertS3Error(await signedRequest(srv.url, `/${bucket}/${nul}?uploads`, { method: 'POST' }), 400, 'InvalidArgument');
    assertS3Error(await signedRequest(srv.url, `/${bucket}/${nul}?tagging`), 400, 'InvalidArgument');
    assertS3Error(await signedRequest(srv.url, `/${bucket}/dst`, { method: 'PUT', headers: { 'x-amz-copy-source': `/${bucket}/${nul}` } }), 400, 'InvalidArgument');
    assertS3Error(await signedRequest(srv.url, `/${bucket}?list-type=2&prefix=${nul}`), 400, 'InvalidArgument');
    assertS3Error(await signedRequest(srv.url, `/${bucket}?versions&key-marker=${nul}`), 400, 'InvalidArgument');
    assertS3Error(await signedRequest(srv.url, `/${bucket}?uploads&prefix=${nul}`), 400, 'InvalidArgument');
    const list = await srv.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'nul/' }));
    assert.equal(list.KeyCount, 0);
  });

  test('OSS', async () => {
    const oss = ossClient(srv, { bucket });
    await assert.rejects(oss.put('nul/a\0b', Buffer.from('x')), (e: { status: number; code: string }) => e.status === 400 && e.code === 'InvalidArgument');
  });

  test('OBS', async () => {
    const url = new URL(`/${bucket}/${nul}`, srv.url);
    const headers: Record<string, string> = { 'content-length': '1' };
    signObsRequest({ method: 'PUT', url, headers, credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY }, family: 'obs' });
    const r = await rawRequest(url.toString(), { method: 'PUT', headers, body: 'x' });
    assert.equal(r.status, 400, r.body.toString());
    assert.ok(r.headers['x-obs-request-id']);
    assert.equal(xmlField(r.body, 'Code'), 'InvalidArgument');
  });

  test('COS', async () => {
    const r = await srv.cos.uploadFile({ bucket, cosPath: '/nul/a\0b', data: Buffer.from('x') });
    assert.equal(r.code, -180, JSON.stringify(r)); // ERROR_CMD_COS_INVALID_PATH
  });
});


