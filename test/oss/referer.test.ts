/**
 * OSS hotlink protection (PutBucketReferer / GetBucketReferer), through
 * ali-oss and raw requests: the configuration round-trips, and requests
 * signed in the URL (and anonymous ones) are admitted or refused by their
 * Referer as OSS documents; requests signed in the Authorization header are
 * never checked.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { rawRequest, type RawResponse } from '../helpers/raw.js';
import { bucketName, startTestServer, type TestServer } from '../helpers/server.js';
import { field, ossClient, signedV1 } from './helpers.js';

const DENIED = 'You are denied by bucket referer policy.';

function refererXml(o: { allowEmpty?: string; truncQuery?: string; truncPath?: string; allow?: string[]; deny?: string[] }): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n<RefererConfiguration>' +
    (o.allowEmpty !== undefined ? `<AllowEmptyReferer>${o.allowEmpty}</AllowEmptyReferer>` : '') +
    (o.truncQuery !== undefined ? `<AllowTruncateQueryString>${o.truncQuery}</AllowTruncateQueryString>` : '') +
    (o.truncPath !== undefined ? `<TruncatePath>${o.truncPath}</TruncatePath>` : '') +
    `<RefererList>${(o.allow ?? []).map((r) => `<Referer>${r}</Referer>`).join('')}</RefererList>` +
    (o.deny ? `<RefererBlacklist>${o.deny.map((r) => `<Referer>${r}</Referer>`).join('')}</RefererBlacklist>` : '') +
    '</RefererConfiguration>'
  );
}

function assertRefused(r: RawResponse, ec: string, what: string): void {
  assert.equal(r.status, 403, `${what}: ${r.body.toString()}`);
  assert.equal(field(r.body, 'Code'), 'AccessDenied', what);
  assert.equal(field(r.body, 'Message'), DENIED, what);
  assert.equal(field(r.body, 'EC'), ec, what);
  assert.equal(r.headers['x-oss-ec'], ec, what);
}

describe('OSS referer (hotlink protection)', () => {
  let srv: TestServer;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let oss: any;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let byName: any;
  const bucket = bucketName('referer');

  before(async () => {
    srv = await startTestServer();
    oss = ossClient(srv, { bucket });
    await oss.putBucket(bucket);
    await oss.put('img.png', Buffer.from('picture'));
    // ali-oss builds signed URLs only for a named endpoint (path style with sldEnable).
    byName = ossClient(srv, { bucket, endpoint: `http://localhost:${srv.port}`, sldEnable: true, region: 'oss-us-east-1' });
  });
  after(() => srv?.stop());

  /** A GET through a fresh signed URL (signature in the query), with the given Referer (none when undefined). */
  const viaUrl = (referer: string | undefined, key = 'img.png') =>
    rawRequest(byName.signatureUrl(key, { expires: 300 }), referer === undefined ? {} : { headers: { referer } });

  it('a bucket without a configuration answers OSS defaults, and admits every Referer', async () => {
    const got = await oss.getBucketReferer(bucket);
    assert.equal(got.allowEmpty, true);
    assert.deepEqual(got.referers ?? [], []);
    for (const referer of [undefined, '', 'http://anything.example']) assert.equal((await viaUrl(referer)).status, 200, String(referer));
  });

  it('ali-oss putBucketReferer / getBucketReferer round-trip a white list', async () => {
    await oss.putBucketReferer(bucket, false, ['http://www.example.com', 'https://*.example.org', 'http://?.short.net']);
    const got = await oss.getBucketReferer(bucket);
    assert.equal(got.allowEmpty, false);
    assert.deepEqual(got.referers, ['http://www.example.com', 'https://*.example.org', 'http://?.short.net']);
    const raw = await signedV1(srv, 'GET', bucket, undefined, { query: 'referer' });
    assert.equal(raw.status, 200);
    assert.equal(field(raw.body, 'AllowTruncateQueryString'), 'true');
    assert.equal(field(raw.body, 'TruncatePath'), 'false');
    assert.equal(field(raw.body, 'RefererBlacklist'), undefined, 'no black list, no element');
  });

  it('signed URLs are admitted by the white list (wildcards * and ?, case-insensitive) and refused otherwise', async () => {
    await oss.putBucketReferer(bucket, false, ['http://www.example.com', 'https://*.example.org', 'http://?.short.net']);
    for (const ok of ['http://www.example.com', 'HTTP://WWW.EXAMPLE.COM', 'https://a.example.org', 'https://a.b.example.org', 'http://x.short.net', 'http://www.example.com?from=feed']) {
      const r = await viaUrl(ok);
      assert.equal(r.status, 200, ok);
      assert.equal(r.body.toString(), 'picture');
    }
    assertRefused(await viaUrl(undefined), '0003-00000503', 'no Referer, empty not allowed');
    assertRefused(await viaUrl(''), '0003-00000503', 'an empty Referer');
    for (const bad of ['http://evil.example', 'http://a.example.org', 'http://xy.short.net', 'http://www.example.com.evil', 'http://www.example.com/page']) {
      assertRefused(await viaUrl(bad), '0003-00000503', bad);
    }
    // HEAD answers the same refusal, in x-oss-err and x-oss-ec.
    const head = await rawRequest(byName.signatureUrl('img.png', { expires: 300, method: 'HEAD' }), { method: 'HEAD', headers: { referer: 'http://evil.example' } });
    assert.equal(head.status, 403);
    assert.equal(head.headers['x-oss-ec'], '0003-00000503');
    assert.match(Buffer.from(String(head.headers['x-oss-err']), 'base64').toString(), /denied by bucket referer policy/);
  });

  it('requests signed in the Authorization header are not checked', async () => {
    await oss.putBucketReferer(bucket, false, ['http://www.example.com']);
    const got = await oss.get('img.png', { headers: { Referer: 'http://evil.example' } });
    assert.equal(got.content.toString(), 'picture');
    const raw = await signedV1(srv, 'GET', bucket, 'img.png', { headers: { referer: 'http://evil.example' } });
    assert.equal(raw.status, 200);
  });

  it('the black list wins over the white list; truncation options as configured', async () => {
    let r = await signedV1(srv, 'PUT', bucket, undefined, {
      query: 'referer',
      body: refererXml({ allowEmpty: 'true', truncQuery: 'false', allow: ['https://*.example.org', 'http://www.example.com/*'], deny: ['https://bad.example.org', 'http://*.hack.com'] }),
    });
    assert.equal(r.status, 200, r.body.toString());
    const raw = await signedV1(srv, 'GET', bucket, undefined, { query: 'referer' });
    assert.equal(field(raw.body, 'AllowTruncateQueryString'), 'false');
    assert.match(raw.body.toString(), /<RefererBlacklist><Referer>https:\/\/bad\.example\.org<\/Referer><Referer>http:\/\/\*\.hack\.com<\/Referer><\/RefererBlacklist>/);

    assert.equal((await viaUrl(undefined)).status, 200, 'empty allowed');
    assert.equal((await viaUrl('https://good.example.org')).status, 200);
    assertRefused(await viaUrl('https://bad.example.org'), '0003-00000502', 'black-listed');
    assertRefused(await viaUrl('http://www.hack.com'), '0003-00000502', 'black-listed by wildcard');
    // Without query-string truncation the whole Referer is matched.
    assert.equal((await viaUrl('http://www.example.com/a?b=c')).status, 200, 'the path pattern covers the query');
    assertRefused(await viaUrl('https://good.example.org?x=1'), '0003-00000503', 'a query string the pattern does not cover');

    // TruncatePath: only scheme, host and port are matched.
    r = await signedV1(srv, 'PUT', bucket, undefined, { query: 'referer', body: refererXml({ allowEmpty: 'false', truncQuery: 'true', truncPath: 'true', allow: ['http://www.example.com'] }) });
    assert.equal(r.status, 200);
    assert.equal((await viaUrl('http://www.example.com/deep/page.html?q=1')).status, 200);
    assertRefused(await viaUrl('http://www.example.co/deep'), '0003-00000503', 'another host');
  });

  it('unsigned requests are checked too (before anything is granted)', async () => {
    await oss.putBucketReferer(bucket, false, ['http://www.example.com']);
    assertRefused(await rawRequest(`${srv.url}/${bucket}/img.png`, { headers: { referer: 'http://evil.example' } }), '0003-00000503', 'anonymous, bad Referer');
    assertRefused(await rawRequest(`${srv.url}/${bucket}/img.png`), '0003-00000503', 'anonymous, no Referer');
  });

  it('malformed configurations are refused and change nothing', async () => {
    await oss.putBucketReferer(bucket, true, ['http://kept.example']);
    const bodies = [
      '<RefererConfiguration><AllowEmptyReferer>true</AllowEmptyReferer>',
      refererXml({ allow: ['http://x.example'] }),
      refererXml({ allowEmpty: 'maybe' }),
      refererXml({ allowEmpty: 'true', truncPath: 'yes' }),
      '<?xml version="1.0"?><Other><AllowEmptyReferer>true</AllowEmptyReferer></Other>',
      '<RefererConfiguration><AllowEmptyReferer>true</AllowEmptyReferer><RefererList><Other>x</Other></RefererList></RefererConfiguration>',
      refererXml({ allowEmpty: 'true', allow: ['x'.repeat(1025)] }),
    ];
    for (const body of bodies) {
      const r = await signedV1(srv, 'PUT', bucket, undefined, { query: 'referer', body });
      assert.equal(r.status, 400, body.slice(0, 80));
      assert.match(String(field(r.body, 'Code')), /^(MalformedXML|InvalidArgument)$/, body.slice(0, 80));
      assert.ok(r.headers['x-oss-request-id']);
    }
    const got = await oss.getBucketReferer(bucket);
    assert.deepEqual([got.allowEmpty, got.referers], [true, ['http://kept.example']]);
  });

  it('deleteBucketReferer (allow empty, no lists) turns protection off', async () => {
    await oss.putBucketReferer(bucket, false, ['http://www.example.com']);
    assertRefused(await viaUrl('http://evil.example'), '0003-00000503', 'before');
    await oss.deleteBucketReferer(bucket);
    const got = await oss.getBucketReferer(bucket);
    assert.deepEqual([got.allowEmpty, got.referers ?? []], [true, []]);
    assert.equal((await viaUrl('http://evil.example')).status, 200);
  });

  it('the referer routes are authorized as s3:PutBucketReferer / s3:GetBucketReferer', async () => {
    const seen: string[] = [];
    const stop = srv.authorizer.observe((_p, action) => seen.push(action));
    try {
      await oss.putBucketReferer(bucket, true, null);
      await oss.getBucketReferer(bucket);
    } finally {
      stop();
    }
    assert.deepEqual(seen, ['s3:PutBucketReferer', 's3:GetBucketReferer']);
  });
});
