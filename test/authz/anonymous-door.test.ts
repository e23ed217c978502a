/**
 * Unsigned requests are not refused at the door: they reach a dialect (the
 * one the Host's configured domains name, else the one that created the
 * bucket, else S3) and the authorizer, once, as `{kind:'anonymous'}`. With
 * nothing granted, each dialect answers its own AccessDenied. A request that
 * carries a signature, however broken, is never treated as anonymous.
 */
import { CreateBucketCommand, HeadObjectCommand, PutBucketAclCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Principal } from '../../src/authz/principal.js';
import type { RequestFacts } from '../../src/authz/request-facts.js';
import { CosClient } from '../../src/sdk/cos/client.js';
import { ok, obsClient } from '../obs/helpers.js';
import { ossClient } from '../oss/helpers.js';
import { rawRequest, xmlField, type RawResponse, type RawOptions } from '../helpers/raw.js';
import { ACCESS_KEY, SECRET_KEY, bucketName, startTestServer, type TestServer } from '../helpers/server.js';

const APPID = '1250000000';
type Asked = { principal: Principal['kind']; action: string; facts?: Pick<RequestFacts, 'dialect' | 'authType'> };

/** The authorization questions asked while `fn` runs. */
async function asked(srv: TestServer, fn: () => Promise<unknown>): Promise<Asked[]> {
  const seen: Asked[] = [];
  const stop = srv.authorizer.observe((p, action, _r, f) => seen.push({ principal: p.kind, action, ...(f ? { facts: { dialect: f.dialect, authType: f.authType } } : {}) }));
  try {
    await fn();
  } finally {
    stop();
  }
  return seen;
}

/** Which dialect answered: by the request-id header only it sends. */
function dialectOf(r: RawResponse): string {
  if (r.headers['x-oss-request-id']) return 'oss';
  if (r.headers['x-obs-request-id']) return 'obs';
  if (r.headers['x-amz-request-id']) return 's3';
  return 'none';
}

describe('the anonymous door', () => {
  let srv: TestServer;
  const s3b = bucketName('anon-s3');
  const ossb = bucketName('anon-oss');
  const obsb = bucketName('anon-obs');

  before(async () => {
    srv = await startTestServer({ ossDomains: ['oss.stratus.test'], obsDomains: ['obs.stratus.test'], s3Domains: ['s3.stratus.test'] });
    await srv.s3.send(new CreateBucketCommand({ Bucket: s3b }));
    await srv.s3.send(new PutObjectCommand({ Bucket: s3b, Key: 'k', Body: 'private s3' }));
    const oss = ossClient(srv, { bucket: ossb });
    await oss.putBucket(ossb);
    await oss.put('k', Buffer.from('private oss'));
    const obs = await obsClient(srv, 'v2');
    await ok(obs.createBucket({ Bucket: obsb }));
    await ok(obs.putObject({ Bucket: obsb, Key: 'k', Body: 'private obs' }));
    obs.close();
  });
  after(() => srv?.stop());

  /** GET, HEAD, PUT and a listing, unsigned, on a private bucket: each is asked once as anonymous and refused in `dialect`'s words. */
  async function refusedEverywhere(bucket: string, dialect: 's3' | 'oss' | 'obs', opts: RawOptions = {}, base = srv.url) {
    const cases: [string, string, string, string | undefined][] = [
      ['GET', `/${bucket}/k`, 's3:GetObject', undefined],
      ['HEAD', `/${bucket}/k`, 's3:GetObject', undefined],
      ['PUT', `/${bucket}/new`, 's3:PutObject', 'anonymous bytes'],
      ['GET', `/${bucket}`, 's3:ListBucket', undefined],
    ];
    for (const [method, path, action, body] of cases) {
      let r!: RawResponse;
      const q = await asked(srv, async () => (r = await rawRequest(base + path, { ...opts, method, ...(body ? { body } : {}) })));
      assert.deepEqual(q, [{ principal: 'anonymous', action, facts: { dialect, authType: 'none' } }], `${method} ${path}`);
      assert.equal(r.status, 403, `${method} ${path}`);
      assert.equal(dialectOf(r), dialect, `${method} ${path} answered by ${dialect}`);
      if (method === 'HEAD') assert.equal(r.body.length, 0);
      else {
        assert.equal(xmlField(r.body, 'Code'), 'AccessDenied');
        assert.ok(xmlField(r.body, 'RequestId'), 'RequestId');
        assert.ok(xmlField(r.body, 'HostId'), 'HostId');
      }
    }
    // Nothing was written.
    await assert.rejects(srv.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'new' })), { name: 'NotFound' });
  }

  it('S3: a private bucket refuses unsigned GET, HEAD, PUT and listing with S3 AccessDenied', async () => {
    await refusedEverywhere(s3b, 's3');
  });

  it('OSS: a bucket OSS created answers unsigned requests (no x-oss- header, as oss2 AnonymousAuth sends) in OSS XML', async () => {
    await refusedEverywhere(ossb, 'oss');
    const head = await rawRequest(`${srv.url}/${ossb}/k`, { method: 'HEAD' });
    // OSS puts the whole error of a HEAD in x-oss-err.
    assert.match(Buffer.from(String(head.headers['x-oss-err']), 'base64').toString(), /<Code>AccessDenied<\/Code>/);
  });

  it('OBS: a bucket OBS created answers unsigned requests in OBS XML', async () => {
    await refusedEverywhere(obsb, 'obs');
  });

  it("the Host's configured dialect domains come before the bucket's dialect", async () => {
    const connectTo = { host: '127.0.0.1', port: srv.port };
    // Virtual-hosted under a dialect's domain: that dialect, whoever created the bucket.
    await refusedEverywhere(s3b, 'oss', { connectTo, headers: { host: `oss.stratus.test:${srv.port}` } });
    let r = await rawRequest(`http://${s3b}.oss.stratus.test:${srv.port}/k`, { connectTo });
    assert.deepEqual([r.status, dialectOf(r), xmlField(r.body, 'Code')], [403, 'oss', 'AccessDenied']);
    r = await rawRequest(`http://${ossb}.obs.stratus.test:${srv.port}/k`, { connectTo });
    assert.deepEqual([r.status, dialectOf(r)], [403, 'obs']);
    r = await rawRequest(`http://s3.stratus.test:${srv.port}/${obsb}/k`, { connectTo });
    assert.deepEqual([r.status, dialectOf(r)], [403, 's3']);
    // A bucket that does not exist, on no dialect's host: S3.
    r = await rawRequest(`${srv.url}/${bucketName('missing')}/k`);
    assert.equal(dialectOf(r), 's3');
    assert.ok(r.status === 403 || r.status === 404, String(r.status));
  });

  it('COS: an unsigned download of a private file is refused with the download error; API operations need a signature', async () => {
    const cos = new CosClient({ appid: APPID, secretId: ACCESS_KEY, secretKey: SECRET_KEY, endpoint: srv.url });
    assert.equal((await cos.uploadFile({ bucket: s3b, cosPath: '/private.txt', data: Buffer.from('cos private') })).code, 0);
    let r!: RawResponse;
    const q = await asked(srv, async () => (r = await rawRequest(`${srv.url}/cos-download/${s3b}-${APPID}/private.txt`)));
    assert.deepEqual(q, [{ principal: 'anonymous', action: 's3:GetObject', facts: { dialect: 'cos', authType: 'none' } }]);
    assert.equal(r.status, 403);
    assert.equal(JSON.parse(r.body.toString()).code, -403);
    const head = await rawRequest(`${srv.url}/cos-download/${s3b}-${APPID}/private.txt`, { method: 'HEAD' });
    assert.deepEqual([head.status, head.body.length], [403, 0]);
    // The download host form too.
    r = await rawRequest(`http://${s3b}-${APPID}.file.localhost:${srv.port}/private.txt`, { connectTo: { host: '127.0.0.1', port: srv.port } });
    assert.equal(r.status, 403);
    // A file under another appid is not there at all.
    r = await rawRequest(`${srv.url}/cos-download/${s3b}-1250000001/private.txt`);
    assert.equal(r.status, 404);
    // The JSON API has no anonymous operations: the envelope's signature error, the authorizer is not asked.
    const api = await asked(srv, async () => (r = await rawRequest(`${srv.url}/files/v2/${APPID}/${s3b}/private.txt?op=stat`)));
    assert.deepEqual(api, []);
    const env = JSON.parse(r.body.toString()) as { code: number; message: string; data?: unknown };
    assert.ok(env.code < 0, JSON.stringify(env));
    assert.equal(env.data, undefined);
  });

  it("OBS's signature probe answers alike for a private, a public and a missing bucket", async () => {
    const pub = bucketName('anon-pub');
    await srv.s3.send(new CreateBucketCommand({ Bucket: pub }));
    await srv.s3.send(new PutBucketAclCommand({ Bucket: pub, ACL: 'public-read' }));
    const answers: RawResponse[] = [];
    for (const b of [obsb, s3b, pub, bucketName('no-such')]) {
      const q = await asked(srv, async () => answers.push(await rawRequest(`${srv.url}/${b}?apiversion`, { method: 'HEAD' })));
      assert.deepEqual(q.map((x) => [x.principal, x.action]), [['anonymous', 's3:GetApiVersion']]);
    }
    const shape = (r: RawResponse) => [r.status, r.headers['x-obs-api'], Object.keys(r.headers).filter((h) => h !== 'x-obs-request-id' && h !== 'x-obs-id-2' && h !== 'date').sort().join()];
    // The SDKs need a 2xx carrying x-obs-api to choose OBS signing, and nothing tells the buckets apart.
    assert.deepEqual(shape(answers[0]!), [200, '3.0', shape(answers[0]!)[2]]);
    for (const r of answers.slice(1)) assert.deepEqual(shape(r), shape(answers[0]!));
    // Anything else about the bucket, unsigned, is the authorizer's to refuse.
    const get = await rawRequest(`${srv.url}/${obsb}?apiversion`);
    assert.equal(get.status, 403);
  });
});

describe('a request that carries a signature is never anonymous', () => {
  let srv: TestServer;
  const bucket = bucketName('anon-hostile');

  before(async () => {
    srv = await startTestServer();
    await srv.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await srv.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'secret' }));
    const cos = new CosClient({ appid: APPID, secretId: ACCESS_KEY, secretKey: SECRET_KEY, endpoint: srv.url });
    assert.equal((await cos.uploadFile({ bucket, cosPath: '/f.txt', data: Buffer.from('cos') })).code, 0);
    // Even where anonymous reads would be granted, a broken signature must not fall back to them.
    await srv.s3.send(new PutBucketAclCommand({ Bucket: bucket, ACL: 'public-read' }));
  });
  after(() => srv?.stop());

  /** The request is refused with `status` and `code`, and the authorizer never sees it. */
  async function refusedBeforeAuthorization(url: string, status: number, code: string | RegExp, opts: RawOptions = {}) {
    let r!: RawResponse;
    const q = await asked(srv, async () => (r = await rawRequest(url, opts)));
    assert.deepEqual(q, [], `${url}: the authorizer was asked`);
    assert.equal(r.status, status, `${url}: ${r.body.toString()}`);
    if (typeof code === 'string') assert.equal(xmlField(r.body, 'Code'), code);
    else assert.match(r.body.toString(), code);
  }

  it('malformed Authorization headers stay signature errors, in every dialect', async () => {
    const url = `${srv.url}/${bucket}/k`;
    await refusedBeforeAuthorization(url, 400, 'AuthorizationHeaderMalformed', { headers: { authorization: 'AWS4-HMAC-SHA256 Credential=garbage' } });
    await refusedBeforeAuthorization(url, 400, 'InvalidArgument', { headers: { authorization: 'Bearer not-a-signature' } });
    await refusedBeforeAuthorization(url, 400, 'InvalidArgument', { headers: { authorization: '' } });
    await refusedBeforeAuthorization(url, 403, 'AccessDenied', { headers: { authorization: 'OBS no-colon-here', date: new Date().toUTCString() } });
    await refusedBeforeAuthorization(url, 400, 'InvalidArgument', { headers: { authorization: 'OSS4-HMAC-SHA256 nonsense' } });
    await refusedBeforeAuthorization(url, 403, /<Code>(SignatureDoesNotMatch|InvalidAccessKeyId|AccessDenied)<\/Code>/, { headers: { authorization: 'OSS STRATUSTESTKEY000001:bm90IGEgc2lnbmF0dXJl', date: new Date().toUTCString() } });
  });

  it('presigned URLs with a wrong signature are refused, not downgraded', async () => {
    const good = await srv.minio.presignedGetObject(bucket, 'k', 300);
    assert.equal((await rawRequest(good)).status, 200, 'the untouched URL works');
    const u = new URL(good);
    u.searchParams.set('X-Amz-Signature', '0'.repeat(64));
    await refusedBeforeAuthorization(u.toString(), 403, 'SignatureDoesNotMatch');
    u.searchParams.delete('X-Amz-Signature');
    await refusedBeforeAuthorization(u.toString(), 400, /AuthorizationQueryParametersError|InvalidArgument/);
    // A V2 query signature, and OSS's V1 URL, both tampered.
    const exp = Math.floor(Date.now() / 1000) + 300;
    await refusedBeforeAuthorization(`${srv.url}/${bucket}/k?AWSAccessKeyId=${ACCESS_KEY}&Expires=${exp}&Signature=AAAA`, 403, 'SignatureDoesNotMatch');
    await refusedBeforeAuthorization(`${srv.url}/${bucket}/k?OSSAccessKeyId=${ACCESS_KEY}&Expires=${exp}&Signature=AAAA`, 403, 'SignatureDoesNotMatch');
    // A lone Signature parameter is a broken signature, not an unsigned request.
    await refusedBeforeAuthorization(`${srv.url}/${bucket}/k?Signature=AAAA`, 403, /Query-string authentication requires/);
  });

  it('COS downloads with an empty or broken sign are refused, never served as anonymous', async () => {
    const base = `${srv.url}/cos-download/${bucket}-${APPID}/f.txt`;
    // Empty: COS's "no signature" 403; not Base64, or no plaintext fields: malformed, 400.
    for (const [sign, status] of [['', 403], ['garbage', 400], [Buffer.from('x'.repeat(40)).toString('base64'), 400]] as const) {
      let r!: RawResponse;
      const q = await asked(srv, async () => (r = await rawRequest(`${base}?sign=${encodeURIComponent(sign)}`)));
      assert.deepEqual(q, [], `sign=${sign}`);
      assert.equal(r.status, status, `sign=${sign}: ${r.body.toString()}`);
    }
    const q = await asked(srv, async () => assert.equal((await rawRequest(base, { headers: { authorization: 'not base64!' } })).status, 400));
    assert.deepEqual(q, []);
  });
});
