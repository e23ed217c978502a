/**
 * SigV2 against the examples of the S3 guide's "Signing and authenticating
 * REST requests". The published signatures were computed for the bucket
 * "johnsmith" (later editions of the page renamed the bucket in the text
 * but kept the signatures), so the vectors use that name.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  S3_V2_SUBRESOURCES,
  canonicalResourceV2,
  canonicalStringToSign,
  canonicalVendorHeaders,
  presignUrlV2,
  signRequestV2,
  signV2,
  stringToSignV2,
} from '../../src/auth/sigv2.js';

const AK = 'AKIAIOSFODNN7EXAMPLE';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

test('V2 example: Object GET (GET /photos/puppy.jpg)', () => {
  const sts = stringToSignV2({
    method: 'GET',
    headers: { host: 'johnsmith.s3.amazonaws.com', date: 'Tue, 27 Mar 2007 19:36:42 +0000' },
    resource: '/johnsmith/photos/puppy.jpg',
  });
  assert.equal(sts, 'GET\n\n\nTue, 27 Mar 2007 19:36:42 +0000\n/johnsmith/photos/puppy.jpg');
  assert.equal(signV2(SECRET, sts), 'bWq2s1WEIj+Ydj0vQ697zp+IXMU=');
});

test('V2 example: Object PUT with Content-Type', () => {
  const sts = stringToSignV2({
    method: 'PUT',
    headers: { 'content-type': 'image/jpeg', 'content-length': '94328', date: 'Tue, 27 Mar 2007 21:15:45 +0000' },
    resource: '/johnsmith/photos/puppy.jpg',
  });
  assert.equal(signV2(SECRET, sts), 'MyyxeRY7whkBe+bq8fHCL/2kKUg=');
});

test('V2 example: List (query parameters are not signed)', () => {
  const sts = stringToSignV2({
    method: 'GET',
    headers: { date: 'Tue, 27 Mar 2007 19:42:41 +0000', 'user-agent': 'Mozilla/5.0' },
    resource: '/johnsmith/',
    rawQuery: 'prefix=photos&max-keys=50&marker=puppy',
  });
  assert.equal(sts, 'GET\n\n\nTue, 27 Mar 2007 19:42:41 +0000\n/johnsmith/');
  assert.equal(signV2(SECRET, sts), 'htDYFYduRNen8P9ZfE/s9SuKy0U=');
});

test('V2 example: Fetch ?acl sub-resource', () => {
  const sts = stringToSignV2({ method: 'GET', headers: { date: 'Tue, 27 Mar 2007 19:44:46 +0000' }, resource: '/johnsmith/', rawQuery: 'acl' });
  assert.equal(sts, 'GET\n\n\nTue, 27 Mar 2007 19:44:46 +0000\n/johnsmith/?acl');
  assert.equal(signV2(SECRET, sts), 'c2WLPFtWHVgbEmeEG93a4cG37dM=');
});

test('V2 example: Upload with x-amz-* headers (sorted, lower-cased, repeated joined)', () => {
  const headers = {
    'user-agent': 'curl/7.15.5',
    host: 'static.johnsmith.net:8080',
    date: 'Tue, 27 Mar 2007 21:06:08 +0000',
    'x-amz-acl': 'public-read',
    'content-type': 'application/x-download',
    'content-md5': '4gJE4saaMU4BqNR0kLY+lw==',
    'X-Amz-Meta-ReviewedBy': ['joe@johnsmith.net', 'jane@johnsmith.net'],
    'X-Amz-Meta-FileChecksum': '0x02661779',
    'X-Amz-Meta-ChecksumAlgorithm': 'crc32',
    'content-disposition': 'attachment; filename=database.dat',
    'content-encoding': 'gzip',
    'content-length': '5913339',
  };
  const sts = stringToSignV2({ method: 'PUT', headers, resource: '/static.johnsmith.net/db-backup.dat.gz' });
  assert.equal(
    sts,
    'PUT\n4gJE4saaMU4BqNR0kLY+lw==\napplication/x-download\nTue, 27 Mar 2007 21:06:08 +0000\n' +
      'x-amz-acl:public-read\nx-amz-meta-checksumalgorithm:crc32\nx-amz-meta-filechecksum:0x02661779\n' +
      'x-amz-meta-reviewedby:joe@johnsmith.net,jane@johnsmith.net\n/static.johnsmith.net/db-backup.dat.gz',
  );
  assert.equal(signV2(SECRET, sts), 'ilyl83RwaSoYIEdixDQcA4OnAnc=');
});

test('V2 examples: list all buckets and unicode keys (path signed literally)', () => {
  assert.equal(
    signV2(SECRET, stringToSignV2({ method: 'GET', headers: { date: 'Wed, 28 Mar 2007 01:29:59 +0000' }, resource: '/' })),
    'qGdzdERIC03wnaRNKh6OqZehG9s=',
  );
  assert.equal(
    signV2(SECRET, stringToSignV2({ method: 'GET', headers: { date: 'Wed, 28 Mar 2007 01:49:49 +0000' }, resource: '/dictionary/fran%C3%A7ais/pr%c3%a9f%c3%a8re' })),
    'DNEZGsoieTZ92F3bUfSPQcbGmlM=',
  );
});

test('V2 example: query-string authentication', () => {
  const sts = stringToSignV2({ method: 'GET', headers: { host: 'johnsmith.s3.amazonaws.com' }, resource: '/johnsmith/photos/puppy.jpg', expires: '1175139620' });
  assert.equal(sts, 'GET\n\n\n1175139620\n/johnsmith/photos/puppy.jpg');
  assert.equal(signV2(SECRET, sts), 'NpgCjnDzrM+WFzoENXmpNDUsSn8=');
  const url = presignUrlV2({
    method: 'GET',
    url: new URL('https://johnsmith.s3.amazonaws.com/photos/puppy.jpg'),
    credentials: { accessKeyId: AK, secretAccessKey: SECRET },
    expires: 1175139620,
    virtualHostBucket: 'johnsmith',
  });
  assert.equal(url, 'https://johnsmith.s3.amazonaws.com/photos/puppy.jpg?AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Expires=1175139620&Signature=NpgCjnDzrM%2BWFzoENXmpNDUsSn8%3D');
});

test('x-amz-date empties the Date slot', () => {
  const sts = stringToSignV2({
    method: 'DELETE',
    headers: { date: 'Tue, 27 Mar 2007 21:20:27 +0000', 'x-amz-date': 'Tue, 27 Mar 2007 21:20:26 +0000' },
    resource: '/johnsmith/photos/puppy.jpg',
  });
  assert.equal(sts, 'DELETE\n\n\n\nx-amz-date:Tue, 27 Mar 2007 21:20:26 +0000\n/johnsmith/photos/puppy.jpg');
});

test('sub-resources: sorted, values decoded, others dropped, empty value forms', () => {
  assert.equal(
    canonicalResourceV2('/b/k', 'uploadId=a%2Fb&partNumber=3&foo=bar&response-content-type=text%2Fplain', S3_V2_SUBRESOURCES),
    '/b/k?partNumber=3&response-content-type=text/plain&uploadId=a/b',
  );
  assert.equal(canonicalResourceV2('/b', 'versioning=&acl', S3_V2_SUBRESOURCES), '/b?acl&versioning');
  assert.equal(canonicalResourceV2('/b', 'versioning=&acl', S3_V2_SUBRESOURCES, 'literal'), '/b?acl&versioning=');
  assert.equal(canonicalResourceV2('/b', 'prefix=x', S3_V2_SUBRESOURCES), '/b');
});

test('the generic form takes its own header prefix and sub-resource list (OSS/OBS shape)', () => {
  const s = canonicalStringToSign({
    method: 'GET',
    dateOrExpires: 'Wed, 28 Mar 2007 01:49:49 GMT',
    headers: { 'x-oss-meta-a': ' 1 ', 'x-amz-meta-b': '2', 'X-OSS-Date': 'z' },
    headerPrefix: 'x-oss-',
    resource: '/bucket/obj',
    rawQuery: 'acl&uploads&x=1',
    subresources: new Set(['acl']),
  });
  assert.equal(s, 'GET\n\n\nWed, 28 Mar 2007 01:49:49 GMT\nx-oss-date:z\nx-oss-meta-a:1\n/bucket/obj?acl');
  assert.equal(canonicalVendorHeaders({ 'x-obs-a': 'v\r\n  folded' }, 'x-obs-'), 'x-obs-a:v folded\n');
});

test('signRequestV2 sets Date and Authorization', () => {
  const headers: Record<string, string> = { 'Content-Type': 'text/plain' };
  const r = signRequestV2({
    method: 'PUT',
    url: new URL('http://127.0.0.1:9000/bucket/key?uploads'),
    headers,
    credentials: { accessKeyId: AK, secretAccessKey: SECRET },
    date: new Date(Date.UTC(2020, 0, 1)),
  });
  assert.equal(headers['date'], 'Wed, 01 Jan 2020 00:00:00 GMT');
  assert.equal(r.stringToSign, 'PUT\n\ntext/plain\nWed, 01 Jan 2020 00:00:00 GMT\n/bucket/key?uploads');
  assert.equal(headers['authorization'], `AWS ${AK}:${signV2(SECRET, r.stringToSign)}`);
});
