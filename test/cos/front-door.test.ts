/** The front door sends COS API paths and COS download addresses to the COS front end. */
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { test } from 'node:test';
import pino from 'pino';
import { HttpContext } from '../../src/http/context.js';
import { pickDialect } from '../../src/http/front-door.js';

const D = { domain: 'file.localhost', path: '/cos-download' };
const pick = (method: string, url: string, headers: Record<string, string> = {}) =>
  pickDialect(new HttpContext({ method, url, headers } as unknown as IncomingMessage, {} as ServerResponse, pino({ level: 'silent' })), D);

test('COS API paths, whatever the method', () => {
  assert.equal(pick('POST', '/files/v2/1250000000/b/x.txt'), 'cos');
  assert.equal(pick('GET', '/files/v2/1250000000/b/?op=list'), 'cos');
});

test('download host and path forms, for GET and HEAD only', () => {
  assert.equal(pick('GET', '/a/b.txt?sign=x', { host: 'mybucket-1250000000.file.localhost:9000' }), 'cos');
  assert.equal(pick('HEAD', '/cos-download/mybucket-1250000000/a.txt', { host: '127.0.0.1:9000' }), 'cos');
  assert.equal(pick('PUT', '/cos-download/mybucket-1250000000/a.txt', { host: '127.0.0.1:9000' }), 's3');
  assert.equal(pick('GET', '/a.txt', { host: 'mybucket.file.localhost' }), 's3', 'no -<appid>: an S3 virtual host');
});

test('a request signed for another dialect keeps its dialect', () => {
  assert.equal(pick('GET', '/cos-download/key', { authorization: 'AWS4-HMAC-SHA256 Credential=x' }), 's3');
  assert.equal(pick('GET', '/cos-download/key?X-Amz-Algorithm=AWS4-HMAC-SHA256'), 's3');
  assert.equal(pick('GET', '/x', { host: 'b-1.file.localhost', authorization: 'OSS id:sig' }), 'oss');
});
