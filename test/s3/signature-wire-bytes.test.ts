import { CreateBucketCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { rawRequest, xmlField } from '../helpers/raw.js';
import { ACCESS_KEY, SECRET_KEY, bucketName, startTestServer, type TestServer } from '../helpers/server.js';

// Requests byte for byte as boto3 sends them, signed here the way botocore
// signs (not with src/auth, so a shared mistake cannot hide): botocore builds
// the string to sign as text and hashes its UTF-8 bytes, and puts a text
// header value on the wire as UTF-8 bytes, which node:http reads as latin1.

const TEXT = 'Hello World\u00e9'; // ceph/s3-tests' test_object_set_get_unicode_metadata
/** The value as a header carries it: its UTF-8 bytes, one latin1 char each (how node:http writes and reads them). */
const WIRE = Buffer.from(TEXT, 'utf8').toString('latin1');

const amzDate = (d: Date) => d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
const hmac = (key: string | Buffer, s: string) => createHmac('sha256', key).update(s, 'utf8').digest();

/** botocore SigV4Auth for a header set (values as text), path-style, UNSIGNED-PAYLOAD. */
function botocoreV4(method: string, host: string, path: string, text: Record<string, string>): Record<string, string> {
  const date = amzDate(new Date());
  const headers: Record<string, string> = { ...text, host, 'x-amz-date': date, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' };
  const names = Object.keys(headers).sort();
  const canonical = [method, path, '', names.map((n) => `${n}:${headers[n]!.trim()}\n`).join(''), names.join(';'), 'UNSIGNED-PAYLOAD'].join('\n');
  const scope = `${date.slice(0, 8)}/us-east-1/s3/aws4_request`;
  const sts = `AWS4-HMAC-SHA256\n${date}\n${scope}\n${createHash('sha256').update(canonical, 'utf8').digest('hex')}`;
  const key = hmac(hmac(hmac(hmac('AWS4' + SECRET_KEY, date.slice(0, 8)), 'us-east-1'), 's3'), 'aws4_request');
  const sig = createHmac('sha256', key).update(sts, 'utf8').digest('hex');
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${ACCESS_KEY}/${scope}, SignedHeaders=${names.join(';')}, Signature=${sig}`;
  return headers;
}

/** botocore HmacV1Auth: `resource` is what botocore signs (its auth_path), whatever path the URL has. */
function botocoreV2(method: string, resource: string, text: Record<string, string>): Record<string, string> {
  const headers: Record<string, string> = { ...text, date: new Date().toUTCString() };
  const amz = Object.keys(headers).filter((n) => n.startsWith('x-amz-')).sort();
  const sts = `${method}\n\n${headers['content-type'] ?? ''}\n${headers.date}\n` + amz.map((n) => `${n}:${headers[n]!.trim()}\n`).join('') + resource;
  headers.authorization = `AWS ${ACCESS_KEY}:${createHmac('sha1', SECRET_KEY).update(sts, 'utf8').digest('base64')}`;
  return headers;
}

/**
 * Text header values as their UTF-8 bytes on the wire. (Bodies go as
 * Buffers: node:http writes the head together with a string body in the
 * body's encoding, which would re-encode these bytes.)
 */
function onWire(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Buffer.from(v, 'utf8').toString('latin1')]));
}

describe('signatures over the bytes the client sent', () => {
  let t: TestServer;
  const bucket = bucketName('wire');
  before(async () => {
    t = await startTestServer();
    await t.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  });
  after(() => t.stop());

  async function assertStoredAsText(key: string) {
    // Stored as the text the bytes spell; S3 returns non-ASCII metadata RFC 2047-encoded, as AWS does.
    const head = await t.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    assert.equal(head.Metadata?.meta1, `=?UTF-8?B?${Buffer.from(TEXT).toString('base64')}?=`);
  }

  it('SigV4: a UTF-8 user metadata value (s3-tests test_object_set_get_unicode_metadata)', async () => {
    assert.equal(onWire({ a: TEXT }).a, WIRE);
    const host = new URL(t.url).host;
    const headers = botocoreV4('PUT', host, `/${bucket}/v4`, { 'x-amz-meta-meta1': TEXT });
    const r = await rawRequest(`${t.url}/${bucket}/v4`, { method: 'PUT', headers: onWire(headers), body: Buffer.from('bar') });
    assert.equal(r.status, 200, r.body.toString());
    await assertStoredAsText('v4');
  });

  it('SigV2: a UTF-8 user metadata value', async () => {
    const headers = botocoreV2('PUT', `/${bucket}/v2`, { 'x-amz-meta-meta1': TEXT });
    const r = await rawRequest(`${t.url}/${bucket}/v2`, { method: 'PUT', headers: onWire(headers), body: Buffer.from('bar') });
    assert.equal(r.status, 200, r.body.toString());
    await assertStoredAsText('v2');
  });

  it('SigV4: a value changed after signing is still refused', async () => {
    const host = new URL(t.url).host;
    const headers = onWire(botocoreV4('PUT', host, `/${bucket}/v4x`, { 'x-amz-meta-meta1': TEXT }));
    headers['x-amz-meta-meta1'] = Buffer.from('Hello World\u00e8', 'utf8').toString('latin1');
    const r = await rawRequest(`${t.url}/${bucket}/v4x`, { method: 'PUT', headers, body: Buffer.from('bar') });
    assert.equal(r.status, 403);
    assert.equal(xmlField(r.body, 'Code'), 'SignatureDoesNotMatch');
  });

  it('OSS V1: a UTF-8 user metadata value (oss2 given the value as bytes signs those bytes)', async () => {
    const headers: Record<string, string> = { 'x-oss-meta-meta1': TEXT, date: new Date().toUTCString() };
    const sts = `PUT\n\n\n${headers.date}\nx-oss-meta-meta1:${TEXT}\n/${bucket}/oss`;
    headers.authorization = `OSS ${ACCESS_KEY}:${createHmac('sha1', SECRET_KEY).update(sts, 'utf8').digest('base64')}`;
    const r = await rawRequest(`${t.url}/${bucket}/oss`, { method: 'PUT', headers: onWire(headers), body: Buffer.from('bar') });
    assert.equal(r.status, 200, r.body.toString());
    await assertStoredAsText('oss');
  });

  it('SigV2: CreateBucket at "/bucket" signed over "/bucket/" (boto3 signature_version="s3")', async () => {
    const name = bucketName('wire-v2');
    const headers = botocoreV2('PUT', `/${name}/`, { 'x-amz-acl': 'public-read' });
    const r = await rawRequest(`${t.url}/${name}`, { method: 'PUT', headers });
    assert.equal(r.status, 200, r.body.toString());
    // The path as sent is signed too (the SDKs that sign the URL's path).
    const other = bucketName('wire-v2');
    const r2 = await rawRequest(`${t.url}/${other}`, { method: 'PUT', headers: botocoreV2('PUT', `/${other}`, {}) });
    assert.equal(r2.status, 200, r2.body.toString());
    // An object's path gets no '/' added.
    const r3 = await rawRequest(`${t.url}/${name}/k`, { method: 'PUT', headers: botocoreV2('PUT', `/${name}/k/`, {}), body: Buffer.from('x') });
    assert.equal(r3.status, 403);
    assert.equal(xmlField(r3.body, 'Code'), 'SignatureDoesNotMatch');
  });
});
