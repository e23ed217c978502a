import { CopyObjectCommand, CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { LookupFunction } from 'node:net';
import { after, before, describe, it } from 'node:test';
import * as Minio from 'minio';
import { presignUrlV4 } from '../../src/auth/sigv4.js';
import { presignUrlV2, signRequestV2 } from '../../src/auth/sigv2.js';
import { awsUriEncode } from '../../src/auth/uri.js';
import { assertS3Error, rawRequest, signedRequest, xmlField, xmlFields } from '../helpers/raw.js';
import { md5b64, readAll } from '../helpers/sdk.js';
import { ACCESS_KEY, SECRET_KEY, bucketName, startTestServer, type TestServer } from '../helpers/server.js';

const DOMAIN = 'stratus.test';
const credentials = { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY };

/** Names the clients looked up: proves they addressed the bucket through the Host. */
const looked = new Set<string>();

/** Resolves every name under the test domain to the loopback address, so real clients can use virtual hosts. */
const lookup: LookupFunction = ((hostname: string, options: { all?: boolean }, cb: (...args: unknown[]) => void) => {
  looked.add(hostname);
  if (hostname !== DOMAIN && !hostname.endsWith('.' + DOMAIN)) return cb(new Error(`unexpected lookup of ${hostname}`));
  if (options.all) cb(null, [{ address: '127.0.0.1', family: 4 }]);
  else cb(null, '127.0.0.1', 4);
}) as LookupFunction;

describe('virtual-hosted-style addressing', () => {
  let t: TestServer;
  const bucket = bucketName('vhost');
  let host: (b?: string) => string;
  const vreq = (b: string | undefined, pathAndQuery: string, opts: Parameters<typeof signedRequest>[2] = {}) =>
    signedRequest(`http://${host(b)}`, pathAndQuery, { ...opts, connectTo: { host: '127.0.0.1', port: t.port } });

  before(async () => {
    t = await startTestServer({ domains: [DOMAIN] });
    host = (b?: string) => `${b ? b + '.' : ''}${DOMAIN}:${t.port}`;
  });
  after(() => t.stop());

  it('creates a bucket, writes, reads, lists and deletes through the Host header', async () => {
    assert.equal((await vreq(bucket, '/', { method: 'PUT' })).status, 200);
    const put = await vreq(bucket, '/dir/hello.txt', { method: 'PUT', body: 'hello vhost', headers: { 'content-type': 'text/plain' } });
    assert.equal(put.status, 200, put.body.toString());
    const get = await vreq(bucket, '/dir/hello.txt');
    assert.equal(get.status, 200);
    assert.equal(get.body.toString(), 'hello vhost');
    assert.equal(get.headers['content-type'], 'text/plain');
    // The same object by path style on the bare domain and on the IP address.
    assert.equal((await vreq(undefined, `/${bucket}/dir/hello.txt`)).body.toString(), 'hello vhost');
    assert.equal((await signedRequest(t.url, `/${bucket}/dir/hello.txt`)).body.toString(), 'hello vhost');
    const list = await vreq(bucket, '/?list-type=2&prefix=dir%2F');
    assert.equal(list.status, 200);
    assert.equal(xmlField(list.body, 'Name'), bucket);
    assert.deepEqual(xmlFields(list.body, 'Key'), ['dir/hello.txt']);
    const loc = await vreq(bucket, '/?location');
    assert.equal(loc.status, 200);
    assert.match(loc.body.toString(), /<LocationConstraint/);
    assert.equal((await vreq(bucket, '/', { method: 'HEAD' })).status, 200);
    assert.equal((await vreq(bucket, '/dir/hello.txt', { method: 'DELETE' })).status, 204);
    assertS3Error(await vreq(bucket, '/dir/hello.txt'), 404, 'NoSuchKey');
  });

  it('treats the bare domain as the service endpoint', async () => {
    const r = await vreq(undefined, '/');
    assert.equal(r.status, 200);
    assert.ok(xmlFields(r.body, 'Name').includes(bucket));
  });

  it('keeps keys with spaces, unicode and slashes intact', async () => {
    const key = 'a b/ü/😀 +.txt';
    const path = '/' + awsUriEncode(key, false);
    assert.equal((await vreq(bucket, path, { method: 'PUT', body: 'odd key' })).status, 200);
    assert.equal((await vreq(bucket, path)).body.toString(), 'odd key');
    const list = await vreq(bucket, '/?list-type=2&prefix=a%20b%2F');
    assert.deepEqual(xmlFields(list.body, 'Key'), [key]);
  });

  it('copies and multi-deletes', async () => {
    await vreq(bucket, '/src', { method: 'PUT', body: 'source' });
    const copy = await vreq(bucket, '/dst', { method: 'PUT', headers: { 'x-amz-copy-source': `/${bucket}/src` } });
    assert.equal(copy.status, 200, copy.body.toString());
    assert.equal((await vreq(bucket, '/dst')).body.toString(), 'source');
    const body = '<Delete><Object><Key>src</Key></Object><Object><Key>dst</Key></Object></Delete>';
    const del = await vreq(bucket, '/?delete', { method: 'POST', body, headers: { 'content-md5': md5b64(body) } });
    assert.equal(del.status, 200, del.body.toString());
    assert.deepEqual(xmlFields(del.body, 'Key').sort(), ['dst', 'src']);
  });

  it('answers NoSuchBucket for an unknown bucket host', async () => {
    assertS3Error(await vreq(bucketName('nobody'), '/key'), 404, 'NoSuchBucket');
  });

  it('verifies SigV2 with the bucket from the Host in the resource', async () => {
    await vreq(bucket, '/v2.txt', { method: 'PUT', body: 'v2 body' });
    const url = new URL(`http://${host(bucket)}/v2.txt`);
    const headers: Record<string, string> = {};
    signRequestV2({ method: 'GET', url, headers, credentials, virtualHostBucket: bucket });
    const r = await rawRequest(url.toString(), { headers, connectTo: { host: '127.0.0.1', port: t.port } });
    assert.equal(r.status, 200, r.body.toString());
    assert.equal(r.body.toString(), 'v2 body');
    // Signed without the bucket in the resource: the server's string to sign differs.
    const wrong: Record<string, string> = {};
    signRequestV2({ method: 'GET', url, headers: wrong, credentials });
    assertS3Error(await rawRequest(url.toString(), { headers: wrong, connectTo: { host: '127.0.0.1', port: t.port } }), 403, 'SignatureDoesNotMatch');
  });

  it('serves presigned V4 and V2 URLs on a virtual host', async () => {
    const v4 = presignUrlV4({ method: 'GET', url: new URL(`http://${host(bucket)}/v2.txt`), credentials, region: 'us-east-1', expiresSeconds: 60 });
    const r4 = await rawRequest(v4, { connectTo: { host: '127.0.0.1', port: t.port } });
    assert.equal(r4.status, 200, r4.body.toString());
    assert.equal(r4.body.toString(), 'v2 body');
    const v2 = presignUrlV2({ method: 'GET', url: new URL(`http://${host(bucket)}/v2.txt`), credentials, virtualHostBucket: bucket, expiresSeconds: 60 });
    const r2 = await rawRequest(v2, { connectTo: { host: '127.0.0.1', port: t.port } });
    assert.equal(r2.status, 200, r2.body.toString());
  });

  describe('official clients in virtual-host mode', () => {
    let s3: S3Client;
    let minio: Minio.Client;
    let agent: http.Agent;
    before(() => {
      agent = new http.Agent({ lookup, keepAlive: true });
      s3 = new S3Client({ endpoint: `http://${DOMAIN}:${t.port}`, region: 'us-east-1', forcePathStyle: false, credentials, requestHandler: { httpAgent: agent } });
      minio = new Minio.Client({ endPoint: DOMAIN, port: t.port, useSSL: false, accessKey: ACCESS_KEY, secretKey: SECRET_KEY, region: 'us-east-1', pathStyle: false, transportAgent: agent });
    });
    after(() => {
      s3.destroy();
      agent.destroy();
    });

    it('@aws-sdk/client-s3 puts, gets, copies and lists', async () => {
      const b = bucketName('vsdk');
      await s3.send(new CreateBucketCommand({ Bucket: b }));
      await s3.send(new PutObjectCommand({ Bucket: b, Key: 'k 1', Body: 'sdk vhost' }));
      await s3.send(new CopyObjectCommand({ Bucket: b, Key: 'k 2', CopySource: `${b}/${encodeURIComponent('k 1')}` }));
      assert.equal(await (await s3.send(new GetObjectCommand({ Bucket: b, Key: 'k 2' }))).Body!.transformToString(), 'sdk vhost');
      const list = await s3.send(new ListObjectsV2Command({ Bucket: b }));
      assert.deepEqual(list.Contents?.map((c) => c.Key), ['k 1', 'k 2']);
      assert.ok(looked.has(`${b}.${DOMAIN}`), [...looked].join(' '));
      // The bucket really went through the Host: it exists for path-style clients too.
      assert.equal(await (await t.s3.send(new GetObjectCommand({ Bucket: b, Key: 'k 1' }))).Body!.transformToString(), 'sdk vhost');
    });

    it('minio puts, stats and gets', async () => {
      const b = bucketName('vminio');
      await minio.makeBucket(b);
      await minio.putObject(b, 'm/obj', Buffer.from('minio vhost'));
      assert.equal((await minio.statObject(b, 'm/obj')).size, 11);
      assert.equal((await readAll(await minio.getObject(b, 'm/obj'))).toString(), 'minio vhost');
      assert.ok(looked.has(`${b}.${DOMAIN}`), [...looked].join(' '));
      assert.ok(await t.minio.bucketExists(b));
    });
  });
});
