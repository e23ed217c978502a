/**
 * Every route names its action, and one authorization step runs before every
 * handler with that action: observed through the server's authorizer hook
 * (the real authorizer, not a stand-in), with each dialect's client.
 */
import { CopyObjectCommand, CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutBucketAclCommand, PutObjectCommand, ListBucketsCommand, DeleteObjectCommand } from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Action } from '../../src/authz/actions.js';
import type { Resource } from '../../src/authz/authorizer.js';
import { checkCosRoutes, COS_ROUTES } from '../../src/dialects/cos/dialect.js';
import { S3_ROUTES } from '../../src/dialects/s3/routes.js';
import { makeXmlDialect } from '../../src/dialects/xml/dialect.js';
import type { Route } from '../../src/dialects/xml/routes.js';
import { s3Vocabulary } from '../../src/dialects/s3/vocabulary.js';
import { CosClient } from '../../src/sdk/cos/client.js';
import { ok, obsClient, startObsServer } from '../obs/helpers.js';
import { ossClient } from '../oss/helpers.js';
import { rawRequest } from '../helpers/raw.js';
import { ACCESS_KEY, SECRET_KEY, bucketName, type TestServer } from '../helpers/server.js';

type Seen = { action: Action; resource: Resource; principal: string };

/** The authorization questions asked while `fn` runs. */
async function observed(srv: TestServer, fn: () => Promise<unknown>): Promise<Seen[]> {
  const seen: Seen[] = [];
  const stop = srv.authorizer.observe((p, action, resource) => seen.push({ action, resource, principal: p.kind === 'root' ? p.accountId : 'anonymous' }));
  try {
    await fn();
  } finally {
    stop();
  }
  return seen;
}

describe('route tables', () => {
  const handler = async () => ({ status: 200 });

  it('a route without an action cannot be registered', () => {
    // @ts-expect-error the type requires an action
    const bare: Route = { method: 'GET', target: 'bucket', sub: 'cors', handler };
    const spec = { name: 'test', vocabulary: () => s3Vocabulary, commonHeaders: () => ({}), authenticate: async () => undefined, plainParam: () => false };
    assert.throws(() => makeXmlDialect({ ...spec, routes: [...S3_ROUTES, bare] }), /GET bucket\?cors names no action/);
    const unknown = { ...bare, action: 's3:GetBucketCors' } as unknown as Route;
    assert.throws(() => makeXmlDialect({ ...spec, routes: [unknown] }), /names no action/);
    assert.doesNotThrow(() => makeXmlDialect({ ...spec, routes: S3_ROUTES }));
    const { list } = COS_ROUTES;
    assert.throws(() => checkCosRoutes({ list, cors: { ...list!, action: undefined as unknown as Action } }), /op cors names no action/);
  });
});

describe('one authorization per request, with the route action', () => {
  let srv: TestServer;
  let bucket: string;
  before(async () => {
    srv = await startObsServer();
    bucket = bucketName('authz');
  });
  after(() => srv?.stop());

  it('S3 (aws-sdk)', async () => {
    const cases: [Action, Resource, () => Promise<unknown>][] = [
      ['s3:CreateBucket', { bucket }, () => srv.s3.send(new CreateBucketCommand({ Bucket: bucket }))],
      ['s3:PutObject', { bucket, key: 'a/b.txt' }, () => srv.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'a/b.txt', Body: 'hello' }))],
      ['s3:GetObject', { bucket, key: 'a/b.txt' }, () => srv.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'a/b.txt' }))],
      ['s3:ListBucket', { bucket }, () => srv.s3.send(new ListObjectsV2Command({ Bucket: bucket }))],
      ['s3:PutBucketAcl', { bucket }, () => srv.s3.send(new PutBucketAclCommand({ Bucket: bucket, ACL: 'private' }))],
      ['s3:ListAllMyBuckets', {}, () => srv.s3.send(new ListBucketsCommand({}))],
    ];
    for (const [action, resource, call] of cases) assert.deepEqual(await observed(srv, call), [{ action, resource, principal: 'root' }], action);
    // Naming a version makes it the version's action, as S3's IAM has it.
    const versioned = await observed(srv, () => srv.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'a/b.txt', VersionId: 'null' })));
    assert.deepEqual(versioned, [{ action: 's3:GetObjectVersion', resource: { bucket, key: 'a/b.txt' }, principal: 'root' }]);
    const versionedCopy = await observed(srv, () => srv.s3.send(new CopyObjectCommand({ Bucket: bucket, Key: 'copy2', CopySource: `${bucket}/a/b.txt?versionId=null` })));
    assert.deepEqual(versionedCopy.map((q) => q.action), ['s3:PutObject', 's3:GetObjectVersion']);
    // A copy asks twice: writing the target, reading the source.
    const copy = await observed(srv, () => srv.s3.send(new CopyObjectCommand({ Bucket: bucket, Key: 'copy', CopySource: `${bucket}/a/b.txt` })));
    assert.deepEqual(copy, [
      { action: 's3:PutObject', resource: { bucket, key: 'copy' }, principal: 'root' },
      { action: 's3:GetObject', resource: { bucket, key: 'a/b.txt' }, principal: 'root' },
    ]);
  });

  it('OSS (ali-oss)', async () => {
    const oss = ossClient(srv, { bucket });
    const cases: [Action, Resource, () => Promise<unknown>][] = [
      ['s3:PutObject', { bucket, key: 'log' }, () => oss.append('log', Buffer.from('abc'))],
      ['s3:GetObject', { bucket, key: 'log' }, () => oss.getObjectMeta('log')],
      ['s3:GetBucketInfo', { bucket }, () => oss.getBucketInfo(bucket)],
      ['s3:GetBucketStorageInfo', { bucket }, () => oss.getBucketStat(bucket)],
      ['s3:GetObjectAcl', { bucket, key: 'log' }, () => oss.getACL('log')],
    ];
    for (const [action, resource, call] of cases) assert.deepEqual(await observed(srv, call), [{ action, resource, principal: 'root' }], action);
  });

  it('OBS (esdk-obs-nodejs)', async () => {
    const obs = await obsClient(srv, 'v2');
    const cases: [Action, Resource, () => Promise<unknown>][] = [
      ['s3:PutBucketQuota', { bucket }, () => ok(obs.setBucketQuota({ Bucket: bucket, StorageQuota: 1 << 30 }))],
      ['s3:GetBucketStorageInfo', { bucket }, () => ok(obs.getBucketStorageInfo({ Bucket: bucket }))],
      ['s3:GetBucketStoragePolicy', { bucket }, () => ok(obs.getBucketStoragePolicy({ Bucket: bucket }))],
      ['s3:DeleteObject', { bucket, key: 'a/b.txt' }, () => ok(obs.deleteObject({ Bucket: bucket, Key: 'a/b.txt' }))],
    ];
    for (const [action, resource, call] of cases) assert.deepEqual(await observed(srv, call), [{ action, resource, principal: 'root' }], action);
    // The SDKs' unsigned signature negotiation is the one thing an anonymous caller may do today.
    const probe = await observed(srv, async () => assert.equal((await rawRequest(`${srv.url}/${bucket}?apiversion`, { method: 'HEAD' })).status, 200));
    assert.deepEqual(probe, [{ action: 's3:GetApiVersion', resource: { bucket }, principal: 'anonymous' }]);
  });

  it('COS JSON v4', async () => {
    const cos = new CosClient({ appid: '1250000000', secretId: ACCESS_KEY, secretKey: SECRET_KEY, endpoint: srv.url });
    const cases: [Action, Resource, () => Promise<unknown>][] = [
      ['s3:PutObject', { bucket, key: 'dir/' }, () => cos.createFolder({ bucket, cosPath: '/dir/' })],
      ['s3:PutObject', { bucket, key: 'dir/f.txt' }, () => cos.uploadFile({ bucket, cosPath: '/dir/f.txt', data: Buffer.from('x') })],
      ['s3:ListBucket', { bucket, key: 'dir/' }, () => cos.listFolder({ bucket, cosPath: '/dir/' })],
      ['s3:GetObject', { bucket, key: 'dir/f.txt' }, () => cos.statFile({ bucket, cosPath: '/dir/f.txt' })],
      ['s3:GetObject', { bucket, key: 'dir/f.txt' }, async () => {
        const chunks: Buffer[] = [];
        for await (const c of await cos.downloadObject({ bucket, cosPath: '/dir/f.txt' })) chunks.push(c as Buffer);
        assert.equal(Buffer.concat(chunks).toString(), 'x');
        return { code: 0 };
      }],
      ['s3:DeleteObject', { bucket, key: 'dir/f.txt' }, () => cos.delFile({ bucket, cosPath: '/dir/f.txt' })],
    ];
    for (const [action, resource, call] of cases) {
      const seen = await observed(srv, async () => assert.equal(((await call()) as { code: number }).code, 0, action));
      assert.deepEqual(seen, [{ action, resource, principal: 'root' }], action);
    }
  });

  it("another account's bucket is refused before its handler runs", async () => {
    const theirs = bucketName('theirs');
    await srv.engine.createBucket({ accountId: 'someone-else' }, theirs);
    await assert.rejects(srv.s3.send(new ListObjectsV2Command({ Bucket: theirs })), (e: { name: string; $metadata: { httpStatusCode: number } }) => e.name === 'AccessDenied' && e.$metadata.httpStatusCode === 403);
    await assert.rejects(srv.s3.send(new PutObjectCommand({ Bucket: theirs, Key: 'k', Body: 'x' })), { name: 'AccessDenied' });
    await assert.rejects(srv.s3.send(new DeleteObjectCommand({ Bucket: theirs, Key: 'k' })), { name: 'AccessDenied' });
    const ossErr = await ossClient(srv, { bucket: theirs }).getBucketInfo(theirs).then(() => undefined, (e: { code: string; status: number }) => e);
    assert.deepEqual([ossErr?.code, ossErr?.status], ['AccessDenied', 403], 'OSS');
    const obsMsg = (await (await obsClient(srv, 'obs')).getBucketStorageInfo({ Bucket: theirs })).CommonMsg;
    assert.deepEqual([obsMsg.Code, obsMsg.Status], ['AccessDenied', 403], 'OBS');
    assert.equal((await srv.engine.listObjects(theirs, { maxKeys: 10 })).objects.length, 0, 'nothing was written');
    // Nor can their objects be read by copying them into one's own bucket, in any dialect.
    await srv.engine.putObject({ accountId: 'someone-else' }, theirs, 'secret', (async function* () { yield Buffer.from('theirs'); })(), { meta: { user: {} }, size: 6 });
    await assert.rejects(srv.s3.send(new CopyObjectCommand({ Bucket: bucket, Key: 'stolen', CopySource: `${theirs}/secret` })), { name: 'AccessDenied' });
    const ossCopy = await ossClient(srv, { bucket }).copy('stolen', `/${theirs}/secret`).then(() => undefined, (e: { code: string }) => e);
    assert.equal(ossCopy?.code, 'AccessDenied', 'OSS copy');
    const obsCopy = (await (await obsClient(srv, 'obs')).copyObject({ Bucket: bucket, Key: 'stolen', CopySource: `${theirs}/secret` })).CommonMsg;
    assert.deepEqual([obsCopy.Code, obsCopy.Status], ['AccessDenied', 403], 'OBS copy');
    await assert.rejects(srv.engine.getObject(bucket, 'stolen'), { code: 'NoSuchKey' });
    // A bucket that does not exist is the handler's answer, not a refusal.
    await assert.rejects(srv.s3.send(new ListObjectsV2Command({ Bucket: bucketName('none') })), { name: 'NoSuchBucket' });
  });
});
