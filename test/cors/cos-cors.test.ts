import { PutBucketCorsCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { signDownload } from '../../src/auth/cos-v4.js';
import { rawRequest } from '../helpers/raw.js';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { APPID, CRED, startCosServer, type CosTestServer } from '../cos/helpers.js';

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

  it('signed downloads carry the rule too, refusals included', async () => {
    await t.s3.send(new PutObjectCommand({ Bucket: t.bucket, Key: 'dl.txt', Body: 'downloaded' }));
    const url = (path: string) => `${t.url}/cos-download/${t.bucket}-${APPID}${path}?sign=${encodeURIComponent(signDownload(CRED, t.bucket, path, 300))}`;
    const ok = await rawRequest(url('/dl.txt'), { headers: { origin: 'http://app.example' } });
    assert.equal(ok.status, 200);
    assert.equal(ok.body.toString(), 'downloaded');
    assert.equal(ok.headers['access-control-allow-origin'], 'http://app.example');
    const missing = await rawRequest(url('/none.txt'), { headers: { origin: 'http://app.example' } });
    assert.equal(missing.status, 404);
    assert.equal(missing.headers['access-control-allow-origin'], 'http://app.example');
  });
});
