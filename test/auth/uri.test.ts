import { test } from 'node:test';
import assert from 'node:assert/strict';
import { awsUriEncode, encodeQueryPairs, parseRawQuery, safeDecodeURIComponent, splitRawQuery } from '../../src/auth/uri.js';
import { StorageError } from '../../src/engine/errors.js';

test('awsUriEncode keeps only the unreserved set', () => {
  assert.equal(awsUriEncode('AZaz09-._~', true), 'AZaz09-._~');
  assert.equal(awsUriEncode('a b+c*d!e$f', true), 'a%20b%2Bc%2Ad%21e%24f');
  assert.equal(awsUriEncode("'()@:,;=&?#[]", true), '%27%28%29%40%3A%2C%3B%3D%26%3F%23%5B%5D');
});

test('awsUriEncode encodes the slash only when asked', () => {
  assert.equal(awsUriEncode('a/b c', true), 'a%2Fb%20c');
  assert.equal(awsUriEncode('a/b c', false), 'a/b%20c');
});

test('awsUriEncode writes upper-case %XX of the UTF-8 bytes', () => {
  assert.equal(awsUriEncode('français', true), 'fran%C3%A7ais');
  assert.equal(awsUriEncode('日本', true), '%E6%97%A5%E6%9C%AC');
  assert.equal(awsUriEncode('😀', true), '%F0%9F%98%80');
  assert.equal(awsUriEncode('%', true), '%25');
});

test('safeDecodeURIComponent decodes and rejects malformed escapes with InvalidArgument', () => {
  assert.equal(safeDecodeURIComponent('a%20b%2Fc+d'), 'a b/c+d');
  for (const bad of ['%', '%zz', 'abc%2', '%FF', '%C3']) {
    assert.throws(
      () => safeDecodeURIComponent(bad),
      (e: unknown) => e instanceof StorageError && e.code === 'InvalidArgument',
      bad,
    );
  }
});

test('parseRawQuery decodes %XX only, keeps + literal, order and bare names', () => {
  assert.deepEqual(parseRawQuery('prefix=a%20b&marker=x+y&acl&empty=&k=v=w'), [
    ['prefix', 'a b'],
    ['marker', 'x+y'],
    ['acl', ''],
    ['empty', ''],
    ['k', 'v=w'],
  ]);
  assert.deepEqual(parseRawQuery('?a=1&&b=2'), [
    ['a', '1'],
    ['b', '2'],
  ]);
  assert.deepEqual(parseRawQuery(''), []);
  assert.throws(() => parseRawQuery('a=%E0%A4%A'), (e: unknown) => e instanceof StorageError && e.code === 'InvalidArgument');
});

test('splitRawQuery tells "acl" from "acl="', () => {
  assert.deepEqual(splitRawQuery('acl&versionId='), [
    { name: 'acl', value: '', hasEquals: false },
    { name: 'versionId', value: '', hasEquals: true },
  ]);
});

test('encodeQueryPairs encodes names and values strictly', () => {
  assert.equal(encodeQueryPairs([['a b', 'c/d+e']]), 'a%20b=c%2Fd%2Be');
});
