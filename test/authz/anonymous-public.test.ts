/**
 * Public buckets and objects through the anonymous door, in each XML
 * dialect: what the ACL grants AllUsers, an unsigned request gets, answered
 * in the dialect of the Host or of the bucket's creator.
 * The grants are the authorizer's ACL decision (authz-policy); a failure
 * message says who refused.
 */
import { CreateBucketCommand, ListObjectsV2Command, PutBucketAclCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ANONYMOUS_OWNER_ID } from '../../src/authz/anonymous.js';
import { ok, obsClient } from '../obs/helpers.js';
import { field, ossClient } from '../oss/helpers.js';
import { rawRequest, xmlField, type RawResponse } from '../helpers/raw.js';
import { bucketName, startTestServer, type TestServer } from '../helpers/server.js';

/** Asserts success; on failure says who refused (the reason these tests wait for the decision). */
function granted(r: RawResponse, status: number, what: string): void {
  assert.equal(r.status, status, `${what}: ${r.status} ${xmlField(r.body, 'Code') ?? ''} ${xmlField(r.body, 'Message') ?? ''}`);
}

describe('anonymous access to public buckets', () => {
  let srv: TestServer;
  const s3b = bucketName('pub-s3');
  const rw = bucketName('pub-rw');
  const ossb = bucketName('pub-oss');
  const obsb = bucketName('pub-obs');

  before(async () => {
    srv = await startTestServer();
    await srv.s3.send(new CreateBucketCommand({ Bucket: s3b, ACL: 'public-read' }));
    await srv.s3.send(new PutObjectCommand({ Bucket: s3b, Key: 'open.txt', Body: 'for everyone', ACL: 'public-read' }));
    await srv.s3.send(new PutObjectCommand({ Bucket: s3b, Key: 'closed.txt', Body: 'owner only', ACL: 'private' }));
    await srv.s3.send(new CreateBucketCommand({ Bucket: rw }));
    await srv.s3.send(new PutBucketAclCommand({ Bucket: rw, ACL: 'public-read-write' }));
    const oss = ossClient(srv, { bucket: ossb });
    await oss.putBucket(ossb, { acl: 'public-read' });
    // OSS objects default to their bucket's ACL.
    await oss.put('open.txt', Buffer.from('oss for everyone'));
    const obs = await obsClient(srv, 'v2');
    await ok(obs.createBucket({ Bucket: obsb }));
    await ok(obs.putObject({ Bucket: obsb, Key: 'open.txt', Body: 'obs for everyone', ACL: 'public-read' }));
    obs.close();
  });
  after(() => srv?.stop());

  it('S3: a public-read object reads unsigned, a private one in the same bucket does not; the public bucket lists', async () => {
    const r = await rawRequest(`${srv.url}/${s3b}/open.txt`);
    granted(r, 200, 'GET public-read object');
    assert.equal(r.body.toString(), 'for everyone');
    assert.ok(r.headers['x-amz-request-id']);
    granted(await rawRequest(`${srv.url}/${s3b}/open.txt`, { method: 'HEAD' }), 200, 'HEAD public-read object');
    granted(await rawRequest(`${srv.url}/${s3b}?list-type=2`), 200, 'list a public-read bucket');
    const closed = await rawRequest(`${srv.url}/${s3b}/closed.txt`);
    assert.deepEqual([closed.status, xmlField(closed.body, 'Code')], [403, 'AccessDenied']);
    // Reading is not writing.
    assert.equal((await rawRequest(`${srv.url}/${s3b}/new.txt`, { method: 'PUT', body: 'x' })).status, 403);
  });

  it("S3: an unsigned write to a public-read-write bucket succeeds and the object is the bucket owner's", async () => {
    granted(await rawRequest(`${srv.url}/${rw}/dropped.txt`, { method: 'PUT', body: 'from nobody' }), 200, 'PUT into public-read-write');
    // The authorizer's writer() gives an anonymous write to the bucket owner (as S3's BucketOwnerEnforced does), so the owner can read it.
    const listed = await srv.s3.send(new ListObjectsV2Command({ Bucket: rw, FetchOwner: true }));
    assert.equal(listed.Contents?.[0]?.Owner?.ID, 'root');
    assert.notEqual(listed.Contents?.[0]?.Owner?.ID, ANONYMOUS_OWNER_ID);
    // An anonymous delete there leaves no object behind.
    granted(await rawRequest(`${srv.url}/${rw}/dropped.txt`, { method: 'DELETE' }), 204, 'DELETE in public-read-write');
    assert.equal((await srv.s3.send(new ListObjectsV2Command({ Bucket: rw }))).KeyCount, 0);
  });

  it('OSS: a public-read bucket (objects on the default ACL) reads unsigned, with OSS headers, as oss2 AnonymousAuth sends', async () => {
    const r = await rawRequest(`${srv.url}/${ossb}/open.txt`);
    granted(r, 200, 'GET in a public-read OSS bucket');
    assert.equal(r.body.toString(), 'oss for everyone');
    assert.ok(r.headers['x-oss-request-id'], 'answered by OSS');
    assert.ok(r.headers['x-oss-hash-crc64ecma'], 'with the CRC-64 oss2 checks');
    // Hotlink protection still applies to anonymous readers.
    await ossClient(srv, { bucket: ossb }).putBucketReferer(ossb, false, ['http://www.example.com']);
    granted(await rawRequest(`${srv.url}/${ossb}/open.txt`, { headers: { referer: 'http://www.example.com' } }), 200, 'a listed Referer');
    const refused = await rawRequest(`${srv.url}/${ossb}/open.txt`, { headers: { referer: 'http://evil.example' } });
    assert.deepEqual([refused.status, field(refused.body, 'EC')], [403, '0003-00000503']);
  });

  it('OBS: a public-read object reads unsigned, answered by OBS', async () => {
    const r = await rawRequest(`${srv.url}/${obsb}/open.txt`);
    granted(r, 200, 'GET public-read OBS object');
    assert.equal(r.body.toString(), 'obs for everyone');
    assert.ok(r.headers['x-obs-request-id'], 'answered by OBS');
  });
});
