import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, it } from 'node:test';
import pino from 'pino';
import { HttpContext } from '../../src/http/context.js';
import { pickDialect } from '../../src/http/front-door.js';

function ctx(method: string, url: string, headers: Record<string, string> = {}): HttpContext {
  const req = { method, url, headers } as unknown as IncomingMessage;
  return new HttpContext(req, {} as ServerResponse, pino({ level: 'silent' }));
}

const V2 = 'AWS AK:c2lnbmF0dXJl';

describe('front door', () => {
  it('sends OSS-signed requests to OSS, even with sub-resources and headers the OBS rule looks for', () => {
    const ossHeaders = { 'x-oss-date': 'x', 'user-agent': 'aliyun-sdk-nodejs/6.0' };
    assert.equal(pickDialect(ctx('POST', '/b/k?append&position=0', { ...ossHeaders, authorization: 'OSS AK:sig' })), 'oss');
    assert.equal(pickDialect(ctx('GET', '/b/k?metadata', { ...ossHeaders, authorization: 'OSS AK:sig', 'x-obs-meta-a': '1' })), 'oss');
    assert.equal(pickDialect(ctx('PUT', '/b/k?acl', { authorization: 'OSS4-HMAC-SHA256 Credential=AK/20250101/cn-hangzhou/oss/aliyun_v4_request,Signature=s' })), 'oss');
    assert.equal(pickDialect(ctx('GET', '/b/k?append&OSSAccessKeyId=AK&Expires=1&Signature=s')), 'oss');
    assert.equal(pickDialect(ctx('GET', '/b/k?storageinfo&x-oss-signature-version=OSS4-HMAC-SHA256&x-oss-credential=c')), 'oss');
    assert.equal(pickDialect(ctx('GET', '/b/k', { 'x-oss-meta-a': '1' })), 'oss');
    // oss2.AuthV2: the header form and the signed-URL form.
    assert.equal(pickDialect(ctx('GET', '/b/k', { authorization: 'OSS2 AccessKeyId:AK,Signature:c2ln' })), 'oss');
    assert.equal(pickDialect(ctx('GET', '/b/k?x-oss-access-key-id=AK&x-oss-expires=1&x-oss-signature=s')), 'oss');
  });

  it('sends V2-signed requests to OBS only on an OBS marker', () => {
    assert.equal(pickDialect(ctx('POST', '/b/k?append&position=0', { authorization: V2 })), 'obs');
    assert.equal(pickDialect(ctx('PUT', '/b/k', { authorization: V2, 'x-obs-meta-a': '1' })), 'obs');
    assert.equal(pickDialect(ctx('PUT', '/b', { authorization: V2, 'x-default-storage-class': 'STANDARD' })), 'obs');
    assert.equal(pickDialect(ctx('GET', '/b/k', { authorization: V2, 'user-agent': 'obs-sdk-nodejs/3.24' })), 'obs');
    assert.equal(pickDialect(ctx('GET', '/b?storageinfo&AWSAccessKeyId=AK&Expires=1&Signature=s')), 'obs');
    assert.equal(pickDialect(ctx('GET', '/b/k', { authorization: V2 })), 's3');
    assert.equal(pickDialect(ctx('GET', '/b/k?AWSAccessKeyId=AK&Expires=1&Signature=s')), 's3');
    assert.equal(pickDialect(ctx('POST', '/b/k?append', { authorization: 'AWS4-HMAC-SHA256 Credential=AK/20250101/us-east-1/s3/aws4_request' })), 's3');
  });

  it('knows OBS, COS and unsigned requests', () => {
    assert.equal(pickDialect(ctx('GET', '/b/k', { authorization: 'OBS AK:sig' })), 'obs');
    assert.equal(pickDialect(ctx('GET', '/b/k?AccessKeyId=AK&Expires=1&Signature=s')), 'obs');
    assert.equal(pickDialect(ctx('HEAD', '/b?apiversion')), 'obs');
    assert.equal(pickDialect(ctx('GET', '/b/k', { 'x-obs-meta-a': '1' })), 'obs');
    assert.equal(pickDialect(ctx('GET', '/files/v2/app/b/k')), 'cos');
    assert.equal(pickDialect(ctx('GET', '/b/k')), 's3');
  });
});
