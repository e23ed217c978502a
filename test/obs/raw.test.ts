import assert from 'node:assert/strict';
import http from 'node:http';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { signObsRequest, type ObsFamily } from '../../src/auth/obs.js';
import { appendObject } from '../../src/engine/append.js';
import { isStorageError } from '../../src/engine/errors.js';
import { rawRequest, signedRequest, xmlField, type RawResponse } from '../helpers/raw.js';
import { ACCESS_KEY, bucketName, SECRET_KEY, storedFiles, type TestServer } from '../helpers/server.js';
import { startObsServer } from './helpers.js';

/** Protocol details through a plain HTTP client and the project's own OBS signer (path style). */
describe('OBS on the wire', () => {
  let t: TestServer;
  const bucket = bucketName('obs-raw');

  function obs(method: string, pathAndQuery: string, opts: { headers?: Record<string, string>; body?: string | Buffer; family?: ObsFamily; secret?: string; date?: Date } = {}): Promise<RawResponse> {
    const url = new URL(pathAndQuery, t.url);
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    if (opts.body !== undefined) headers['content-length'] = String(Buffer.byteLength(opts.body));
    signObsRequest({ method, url, headers, credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: opts.secret ?? SECRET_KEY }, family: opts.family ?? 'obs', date: opts.date });
    return rawRequest(url.toString(), { method, headers, body: opts.body });
  }

  before(async () => {
    t = await startObsServer();
    const r = await obs('PUT', `/${bucket}`);
    assert.equal(r.status, 200);
  });
  after(() => t.stop());

  it('answers OBS requests with x-obs- ids and OBS error documents, and HEAD errors in headers', async () => {
    const r = await obs('GET', `/${bucket}/missing`);
    assert.equal(r.status, 404);
    assert.ok(r.headers['x-obs-request-id']);
    assert.ok(r.headers['x-obs-id-2']);
    assert.equal(r.headers['x-amz-request-id'], undefined);
    assert.equal(r.headers['content-type'], 'application/xml');
    assert.equal(xmlField(r.body, 'Code'), 'NoSuchKey');
    // The guide's table gives the message.
    assert.match(xmlField(r.body, 'Message') ?? '', /^Key doesn(&apos;|')t exist$/);
    assert.equal(xmlField(r.body, 'RequestId'), r.headers['x-obs-request-id']);
    const head = await obs('HEAD', `/${bucket}/missing`);
    assert.equal(head.status, 404);
    assert.equal(head.body.length, 0);
    assert.equal(head.headers['x-obs-error-code'], 'NoSuchKey');
    // The AWS-compatible mode uses the same table with x-amz- names.
    const v2 = await obs('HEAD', `/${bucket}/missing`, { family: 'v2', headers: { 'user-agent': 'obs-sdk-js/3.26.8' } });
    assert.equal(v2.headers['x-amz-error-code'], 'NoSuchKey');
    assert.ok(v2.headers['x-amz-request-id']);
  });

  it('refuses bad credentials with OBS codes', async () => {
    let r = await obs('GET', `/${bucket}`, { secret: 'wrong-secret' });
    assert.equal(r.status, 403);
    assert.equal(xmlField(r.body, 'Code'), 'SignatureDoesNotMatch');
    assert.ok(xmlField(r.body, 'StringToSign')?.endsWith(`/${bucket}`));
    r = await obs('GET', `/${bucket}`, { date: new Date(Date.now() - 20 * 60_000) });
    assert.equal(r.status, 403);
    assert.equal(xmlField(r.body, 'Code'), 'RequestTimeTooSkewed');
    const url = new URL(`/${bucket}`, t.url);
    const headers: Record<string, string> = {};
    signObsRequest({ method: 'GET', url, headers, credentials: { accessKeyId: 'NOSUCHACCESSKEY', secretAccessKey: SECRET_KEY } });
    r = await rawRequest(url.toString(), { headers });
    assert.equal(r.status, 403);
    assert.equal(xmlField(r.body, 'Code'), 'InvalidAccessKeyId');
    r = await rawRequest(url.toString(), { headers: { 'x-obs-acl': 'private' } });
    assert.equal(r.status, 403);
    assert.equal(xmlField(r.body, 'Code'), 'AccessDenied');
    assert.ok(r.headers['x-obs-request-id'], 'an x-obs- header alone makes a request OBS');
  });

  it('answers the SDKs\' unsigned signature negotiation', async () => {
    let r = await rawRequest(`${t.url}/?apiversion`, { method: 'HEAD' });
    assert.equal(r.status, 200);
    assert.equal(r.headers['x-obs-api'], '3.0');
    r = await rawRequest(`${t.url}/${bucket}?apiversion`, { method: 'HEAD' });
    assert.equal(r.headers['x-obs-api'], '3.0');
    // Answered alike whether the bucket exists or not: an unsigned request learns nothing.
    const missing = await rawRequest(`${t.url}/no-such-bucket-x?apiversion`, { method: 'HEAD' });
    assert.equal(missing.status, r.status);
    assert.equal(missing.headers['x-obs-api'], '3.0');
    assert.deepEqual(Object.keys(missing.headers).sort(), Object.keys(r.headers).sort());
    // Nothing else is served without a signature.
    r = await rawRequest(`${t.url}/${bucket}?apiversion`);
    assert.equal(r.status, 403);
  });

  it('routes V2-signed requests: OBS sub-resources and OBS SDKs to OBS, the rest to S3', async () => {
    let r = await obs('GET', `/${bucket}?storageinfo`, { family: 'v2' });
    assert.equal(r.status, 200);
    assert.equal(xmlField(r.body, 'ObjectNumber'), '0');
    r = await obs('HEAD', `/${bucket}`, { family: 'v2', headers: { 'user-agent': 'obs-sdk-python/3.23.12' } });
    assert.equal(r.headers['x-obs-version'], '3.0', 'bucket metadata from OBS');
    r = await obs('HEAD', `/${bucket}`, { family: 'v2' });
    assert.equal(r.status, 200);
    assert.equal(r.headers['x-obs-version'], undefined, 'a plain V2 client is S3');
    // SigV4 is S3's alone.
    r = await signedRequest(t.url, `/${bucket}?storageinfo`);
    assert.equal(r.status, 501);
  });

  it('keeps OBS limits: 8 KB of metadata (S3 allows 2 KB) and valid storage classes', async () => {
    const meta = { 'x-obs-meta-big': 'v'.repeat(6000) };
    let r = await obs('PUT', `/${bucket}/meta`, { headers: meta, body: 'x' });
    assert.equal(r.status, 200);
    r = await obs('PUT', `/${bucket}/meta2`, { headers: { 'x-obs-meta-big': 'v'.repeat(9000) }, body: 'x' });
    assert.equal(r.status, 400);
    assert.equal(xmlField(r.body, 'Code'), 'MetadataTooLarge');
    r = await obs('PUT', `/${bucket}/cls`, { headers: { 'x-obs-storage-class': 'GLACIER' }, body: 'x' });
    assert.equal(r.status, 400, 'S3 names are not OBS-mode names');
    assert.equal(xmlField(r.body, 'Code'), 'InvalidStorageClass');
    r = await obs('PUT', `/${bucket}/cls`, { headers: { 'x-amz-storage-class': 'GLACIER' }, body: 'x', family: 'v2' });
    assert.equal(r.status, 200);
    r = await obs('HEAD', `/${bucket}/cls`);
    assert.equal(r.headers['x-obs-storage-class'], 'COLD');
  });

  it('speaks both storage policy documents', async () => {
    let r = await obs('PUT', `/${bucket}?storagePolicy`, { body: '<StoragePolicy><DefaultStorageClass>WARM</DefaultStorageClass></StoragePolicy>' });
    assert.equal(r.status, 200, r.body.toString());
    r = await obs('GET', `/${bucket}?storagePolicy`);
    assert.equal(xmlField(r.body, 'DefaultStorageClass'), 'WARM');
    r = await obs('PUT', `/${bucket}?storageClass`, { body: '<StorageClass xmlns="http://obs.myhwclouds.com/doc/2015-06-30/">COLD</StorageClass>' });
    assert.equal(r.status, 200, r.body.toString());
    r = await obs('GET', `/${bucket}?storageClass`);
    assert.match(r.body.toString(), /<StorageClass[^>]*>COLD<\/StorageClass>/);
    r = await obs('GET', `/${bucket}?storagePolicy`, { family: 'v2' });
    assert.equal(xmlField(r.body, 'DefaultStorageClass'), 'GLACIER');
    r = await obs('PUT', `/${bucket}?storagePolicy`, { body: '<StoragePolicy><DefaultStorageClass>SHINY</DefaultStorageClass></StoragePolicy>' });
    assert.equal(r.status, 400);
    assert.equal(xmlField(r.body, 'Code'), 'InvalidStorageClass');
    r = await obs('PUT', `/${bucket}?storagePolicy`, { body: '<StoragePolicy><Default' });
    assert.equal(xmlField(r.body, 'Code'), 'MalformedXML');
    r = await obs('PUT', `/${bucket}?storageClass`, { body: '<StorageClass>STANDARD</StorageClass>' });
    assert.equal(r.status, 200);
  });

  it('refuses a write whose declared size passes the quota before reading its body', async () => {
    const b = bucketName('obs-early');
    assert.equal((await obs('PUT', `/${b}`)).status, 200);
    assert.equal((await obs('PUT', `/${b}?quota`, { body: '<Quota><StorageQuota>1000</StorageQuota></Quota>' })).status, 200);
    const files = await storedFiles(t.dataDir);
    // Declare 10 MB and send none of it: the answer must come anyway.
    const url = new URL(`/${b}/big`, t.url);
    const headers: Record<string, string> = { 'content-length': String(10 * 1024 * 1024) };
    signObsRequest({ method: 'PUT', url, headers, credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY } });
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const req = http.request(url, { method: 'PUT', headers }, resolve);
      req.on('error', reject);
      req.flushHeaders();
    });
    const body = await new Promise<string>((resolve) => {
      let s = '';
      res.on('data', (c) => (s += c));
      res.on('end', () => resolve(s));
    });
    res.socket?.destroy();
    assert.equal(res.statusCode, 403);
    assert.equal(xmlField(body, 'Code'), 'InsufficientStorageSpace');
    assert.deepEqual(await storedFiles(t.dataDir), files);
    const quota = await obs('GET', `/${b}?quota`);
    assert.equal(xmlField(quota.body, 'StorageQuota'), '1000');
  });

  it('caps appends per object (the engine option OBS sets to 10000)', async () => {
    const caller = { accountId: 'root' };
    let pos = 0;
    for (let i = 0; i < 3; i++) {
      const r = await appendObject(t.engine, caller, bucket, 'capped', pos, Readable.from([Buffer.from('ab')]), { meta: { user: {} }, size: 2, maxAppends: 3 });
      pos = r.nextPosition;
    }
    await assert.rejects(
      appendObject(t.engine, caller, bucket, 'capped', pos, Readable.from([Buffer.from('ab')]), { meta: { user: {} }, size: 2, maxAppends: 3 }),
      (e) => isStorageError(e) && e.code === 'ObjectNotAppendable',
    );
    const r = await obs('GET', `/${bucket}/capped`);
    assert.equal(r.body.toString(), 'ababab');
  });
});
