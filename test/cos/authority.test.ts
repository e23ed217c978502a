/**
 * COS authority: a file's (eWPrivateRPublic, eWRPrivate, eInvalid = the
 * bucket's) decides what an unsigned download gets; signed requests need the
 * bucket owner's appid. Downloads go through the authorizer once, as
 * anonymous when unsigned; COS's own rules are the authorizer's COS gate.
 * Public reads are the authorizer's ACL decision: AllUsers grants, and an
 * object without an ACL of its own taking the bucket's for COS (eInvalid).
 */
import { PutBucketAclCommand, CreateBucketCommand } from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { signDownload, signMore } from '../../src/auth/cos-v4.js';
import type { RequestFacts } from '../../src/authz/request-facts.js';
import { CosClient } from '../../src/sdk/cos/client.js';
import { rawRequest, type RawResponse } from '../helpers/raw.js';
import { bucketName } from '../helpers/server.js';
import { APPID, assertOk, startCosServer, type CosTestServer } from './helpers.js';

const OTHER_APPID = '1250000099';
const OTHER = { accessKeyId: 'STRATUSOTHERKEY00001', secret: 'other-account-secret-000000000000000001' };

function cosFacts(authType: RequestFacts['authType']): RequestFacts {
  return { dialect: 'cos', sourceIp: '127.0.0.1', secureTransport: false, headers: {}, query: new Map(), now: Date.now(), authType };
}

describe('COS authority', () => {
  let t: CosTestServer;
  let publicBucket: string;

  const unsigned = (bucket: string, path: string, method = 'GET'): Promise<RawResponse> => rawRequest(`${t.url}/cos-download/${bucket}-${APPID}${path}`, { method });

  before(async () => {
    t = await startCosServer();
    for (const [path, authority] of [
      ['/public.txt', 'eWPrivateRPublic'],
      ['/private.txt', 'eWRPrivate'],
      ['/inherit.txt', 'eInvalid'],
    ] as const) {
      assertOk(await t.cos.uploadFile({ bucket: t.bucket, cosPath: path, data: Buffer.from(`content of ${path}`) }));
      assertOk(await t.cos.updateFile({ bucket: t.bucket, cosPath: path, authority }), `update ${path}`);
    }
    publicBucket = bucketName('cos-pub');
    await t.s3.send(new CreateBucketCommand({ Bucket: publicBucket }));
    // A bucket's authority is its ACL (COS v4 has no bucket API): public-read is eWPrivateRPublic.
    await t.s3.send(new PutBucketAclCommand({ Bucket: publicBucket, ACL: 'public-read' }));
    assertOk(await t.cos.uploadFile({ bucket: publicBucket, cosPath: '/inherit.txt', data: Buffer.from('inherited') }));
    assertOk(await t.cos.uploadFile({ bucket: publicBucket, cosPath: '/own-private.txt', data: Buffer.from('own private') }));
    assertOk(await t.cos.updateFile({ bucket: publicBucket, cosPath: '/own-private.txt', authority: 'eWRPrivate' }));
    // A second account with its own appid and key.
    await t.meta.putAccount({ id: 'other', displayName: 'other', createdAt: Date.now(), appid: OTHER_APPID });
    await t.meta.putAccessKey({ accessKeyId: OTHER.accessKeyId, secretAccessKey: OTHER.secret, accountId: 'other', sessionToken: null, expiresAt: null, createdAt: Date.now() });
  });
  after(() => t?.stop());

  it('stat and list show each file its authority; signed downloads read every file', async () => {
    for (const [path, authority] of [['/public.txt', 'eWPrivateRPublic'], ['/private.txt', 'eWRPrivate'], ['/inherit.txt', 'eInvalid']]) {
      assert.equal(assertOk(await t.cos.statFile({ bucket: t.bucket, cosPath: path! })).data!.authority, authority);
      const chunks: Buffer[] = [];
      for await (const c of await t.cos.downloadObject({ bucket: t.bucket, cosPath: path! })) chunks.push(c as Buffer);
      assert.equal(Buffer.concat(chunks).toString(), `content of ${path}`);
    }
    const listed = assertOk(await t.cos.listFolder({ bucket: t.bucket, cosPath: '/' })).data!.infos as { name: string; authority: string }[];
    assert.deepEqual(Object.fromEntries(listed.map((e) => [e.name, e.authority])), { 'inherit.txt': 'eInvalid', 'private.txt': 'eWRPrivate', 'public.txt': 'eWPrivateRPublic' });
  });

  it('an unsigned download of eWRPrivate, or eInvalid in a private bucket, is refused (-403), HEAD too', async () => {
    for (const path of ['/private.txt', '/inherit.txt']) {
      const r = await unsigned(t.bucket, path);
      assert.equal(r.status, 403, path);
      assert.equal(JSON.parse(r.body.toString()).code, -403, path);
      assert.equal((await unsigned(t.bucket, path, 'HEAD')).status, 403, path);
    }
    // eWRPrivate overrides a public bucket.
    assert.equal((await rawRequest(`${t.url}/cos-download/${publicBucket}-${APPID}/own-private.txt`)).status, 403);
  });

  it('an unsigned download is asked once, as anonymous s3:GetObject, with the COS dialect', async () => {
    const seen: unknown[] = [];
    const stop = t.authorizer.observe((p, action, resource, f) => seen.push([p.kind, action, resource, f?.dialect, f?.authType]));
    try {
      await unsigned(t.bucket, '/public.txt');
    } finally {
      stop();
    }
    assert.deepEqual(seen, [['anonymous', 's3:GetObject', { bucket: t.bucket, key: 'public.txt' }, 'cos', 'none']]);
  });

  it('an unsigned download of an eWPrivateRPublic file succeeds', async () => {
    const r = await unsigned(t.bucket, '/public.txt');
    assert.equal(r.status, 200, `refused: ${r.body.toString()}`);
    assert.equal(r.body.toString(), 'content of /public.txt');
    const range = await rawRequest(`${t.url}/cos-download/${t.bucket}-${APPID}/public.txt`, { headers: { range: 'bytes=0-6' } });
    assert.deepEqual([range.status, range.body.toString()], [206, 'content']);
    // The download host form, as the SDKs' access_url has it.
    const host = await rawRequest(`http://${t.bucket}-${APPID}.file.localhost:${t.port}/public.txt`, { connectTo: { host: '127.0.0.1', port: t.port } });
    assert.equal(host.status, 200);
  });

  it("an eInvalid file in a public-read bucket takes the bucket's authority", async () => {
    const r = await rawRequest(`${t.url}/cos-download/${publicBucket}-${APPID}/inherit.txt`);
    assert.equal(r.status, 200, `refused: ${r.body.toString()}`);
    assert.equal(r.body.toString(), 'inherited');
  });

  it("a signature's appid must be the bucket owner's", async () => {
    const other = { appid: OTHER_APPID, secretId: OTHER.accessKeyId, secretKey: OTHER.secret };
    // Under its own appid, the other account does not see the bucket at all.
    const otherClient = new CosClient({ appid: OTHER_APPID, secretId: OTHER.accessKeyId, secretKey: OTHER.secret, endpoint: t.url });
    assert.equal((await otherClient.statFile({ bucket: t.bucket, cosPath: '/public.txt' })).code, -166);
    assert.equal((await otherClient.listFolder({ bucket: t.bucket, cosPath: '/' })).code, -166);
    let r = await rawRequest(`${t.url}/cos-download/${t.bucket}-${OTHER_APPID}/public.txt?sign=${encodeURIComponent(signDownload(other, t.bucket, '/public.txt', 300))}`);
    assert.equal(r.status, 404);
    // Its signature under the owner's appid is refused, even for a public file.
    r = await rawRequest(`${t.url}/cos-download/${t.bucket}-${APPID}/public.txt?sign=${encodeURIComponent(signDownload(other, t.bucket, '/public.txt', 300))}`);
    assert.equal(r.status, 403);
    r = await rawRequest(`${t.url}/files/v2/${APPID}/${t.bucket}/public.txt?op=stat`, { headers: { authorization: signMore(other, t.bucket, '/public.txt', 300) } });
    assert.ok((JSON.parse(r.body.toString()) as { code: number }).code < 0);
    // The rule itself, in the authorizer's COS gate: another account is refused whatever the ACLs say.
    await assert.rejects(t.authorizer.authorize({ kind: 'root', accountId: 'other' }, 's3:GetObject', { bucket: publicBucket, key: 'inherit.txt' }, cosFacts('query')), {
      code: 'AccessDenied',
      message: "The signature's appid is not the bucket owner's.",
    });
    // Anonymous COS callers may only download.
    await assert.rejects(t.authorizer.authorize({ kind: 'anonymous' }, 's3:ListBucket', { bucket: publicBucket }, cosFacts('none')), {
      code: 'AccessDenied',
      message: 'COS operations other than downloads need a signature.',
    });
    // The owner passes the gate.
    await t.authorizer.authorize({ kind: 'root', accountId: 'root' }, 's3:GetObject', { bucket: t.bucket, key: 'private.txt' }, cosFacts('header'));
  });
});
