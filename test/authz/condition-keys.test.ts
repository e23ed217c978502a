/** The condition keys' values, as the authorizer reads them from a request's facts. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { conditionKeys } from '../../src/authz/condition-keys.js';
import type { RequestFacts } from '../../src/authz/request-facts.js';

const facts = (over: Partial<RequestFacts> = {}): RequestFacts => ({
  dialect: 's3',
  sourceIp: '192.0.2.9',
  secureTransport: true,
  headers: {},
  query: new Map(),
  now: Date.UTC(2026, 5, 1, 12, 0, 0),
  authType: 'header',
  ...over,
});

describe('condition keys', () => {
  it('global keys from the request and the principal', () => {
    const f = facts({ headers: { referer: 'https://x.test/', 'user-agent': 'ua/1', authorization: 'AWS4-HMAC-SHA256 Credential=...' } });
    const k = conditionKeys({ kind: 'user', accountId: 'acct', userId: 'AID1', userName: 'bob' }, f);
    assert.deepEqual(k('aws:sourceip'), ['192.0.2.9']);
    assert.deepEqual(k('aws:securetransport'), ['true']);
    assert.deepEqual(k('aws:referer'), ['https://x.test/']);
    assert.deepEqual(k('aws:useragent'), ['ua/1']);
    assert.deepEqual(k('aws:currenttime'), ['2026-06-01T12:00:00.000Z']);
    assert.deepEqual(k('aws:epochtime'), [String(Date.UTC(2026, 5, 1, 12) / 1000)]);
    assert.deepEqual(k('aws:username'), ['bob']);
    assert.deepEqual(k('aws:userid'), ['AID1']);
    assert.deepEqual(k('aws:principalaccount'), ['acct']);
    assert.deepEqual(k('s3:signatureversion'), ['AWS4-HMAC-SHA256']);
    assert.deepEqual(k('s3:authtype'), ['REST-HEADER']);
    assert.equal(conditionKeys({ kind: 'anonymous' }, f)('aws:username'), undefined);
    assert.equal(conditionKeys({ kind: 'anonymous' }, f)('aws:principalaccount'), undefined);
  });
  it('S3 keys from the query and headers, in the dialect’s own header names', () => {
    const q = new Map([['prefix', 'docs/'], ['delimiter', '/'], ['max-keys', '5'], ['versionId', 'v1']]);
    const s3 = conditionKeys({ kind: 'root', accountId: 'a' }, facts({ query: q, headers: { 'x-amz-acl': 'public-read', 'x-amz-tagging': 'a=1&b=2', 'x-amz-server-side-encryption': 'AES256' }, authType: 'query' }));
    assert.deepEqual([s3('s3:prefix'), s3('s3:delimiter'), s3('s3:max-keys'), s3('s3:versionid')], [['docs/'], ['/'], ['5'], ['v1']]);
    assert.deepEqual(s3('s3:x-amz-acl'), ['public-read']);
    assert.deepEqual(s3('s3:x-amz-server-side-encryption'), ['AES256']);
    assert.deepEqual(s3('s3:requestobjecttag/b'), ['2']);
    assert.deepEqual(s3('s3:requestobjecttagkeys'), ['a', 'b']);
    assert.deepEqual(s3('s3:authtype'), ['REST-QUERY-STRING']);
    assert.equal(s3('s3:x-amz-copy-source'), undefined);
    const oss = conditionKeys({ kind: 'root', accountId: 'a' }, facts({ dialect: 'oss', headers: { 'x-oss-object-acl': 'private' } }));
    assert.deepEqual(oss('s3:x-amz-acl'), ['private']);
    const obs = conditionKeys({ kind: 'root', accountId: 'a' }, facts({ dialect: 'obs', headers: { 'x-obs-acl': 'public-read' } }));
    assert.deepEqual(obs('s3:x-amz-acl'), ['public-read']);
    const tags = conditionKeys({ kind: 'root', accountId: 'a' }, facts(), () => ({ Team: 'blue' }));
    assert.deepEqual(tags('s3:existingobjecttag/Team'), ['blue']);
    assert.equal(tags('s3:existingobjecttag/team'), undefined);
  });
});
