import { PutBucketCorsCommand } from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startCosServer, type CosTestServer } from '../cos/helpers.js';

describe('CORS on the COS JSON v4 API (rules set through S3)', () => {
  let t: CosTestServer;
  before(async () => {
    t = await startCosServer();
  });
  after(() => t.stop());

  it('a preflight without rules is refused (-97, 403); with rules answered before authentication', async () => {
    const path = t.apiPath('/a.txt');
    const pre = { method: 'OPTIONS', sign: null, headers: { origin: 'http://app.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' } };
    const none = await t.api(path, pre);
    assert.equal(none.status, 403);
    assert.equal(none.json.code, -97);
    await t.s3.send(new PutBucketCorsCommand({ Bucket: t.bucket, CORSConfiguration: { CORSRules: [{ AllowedOrigins: ['http://app.example'], AllowedMethods: ['GET', 'POST'], AllowedHeaders: ['Authorization'] }] } }));
    const ok = await t.api(path, pre);
    assert.equal(ok.status, 200);
    assert.equal(ok.headers['access-control-allow-origin'], 'http://app.example');
    assert.equal(ok.headers['access-control-allow-headers'], 'authorization');
  });

  it('API answers (successes and errors) carry the rule for an allowed origin', async () => {
    const stat = await t.api(t.apiPath('/'), { method: 'GET', query: 'op=stat', headers: { origin: 'http://app.example' } });
    assert.equal(stat.json.code, 0);
    assert.equal(stat.headers['access-control-allow-origin'], 'http://app.example');
    const missing = await t.api(t.apiPath('/missing.txt'), { method: 'GET', query: 'op=stat', headers: { origin: 'http://app.example' } });
    assert.notEqual(missing.json.code, 0);
    assert.equal(missing.headers['access-control-allow-origin'], 'http://app.example');
    const other = await t.api(t.apiPath('/'), { method: 'GET', query: 'op=stat', headers: { origin: 'http://other.example' } });
    assert.equal(other.headers['access-control-allow-origin'], undefined);
  });
});
