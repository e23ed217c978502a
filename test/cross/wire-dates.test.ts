import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CreateBucketCommand, CreateMultipartUploadCommand, PutBucketVersioningCommand, PutObjectCommand, UploadPartCommand } from '@aws-sdk/client-s3';
import { signObsRequest } from '../../src/auth/obs.js';
import { rawRequest, signedRequest, type RawResponse } from '../helpers/raw.js';
import { ACCESS_KEY, bucketName, SECRET_KEY, startTestServer, type TestServer } from '../helpers/server.js';
import { OBS_DOMAIN } from '../obs/helpers.js';
import { ossClient, signedV1 } from '../oss/helpers.js';

// Every date in an XML body is written with whole seconds and `.000Z`, as S3
// and OSS write it; oss2 parses nothing else (issue 11, item 1). Last-Modified
// and the conditional headers agree with the listed second.

const WHOLE_SECONDS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/;
const DATE_ELEMENTS = ['LastModified', 'CreationDate', 'Initiated'];

let srv: TestServer;
const bucket = bucketName('dates');
let uploadId: string;

/** Every date element of a body; at least `min` of them, each in whole seconds. */
function assertDates(r: RawResponse, min = 1): string[] {
  const body = r.body.toString();
  assert.ok(r.status < 300, `${r.status}: ${body}`);
  const dates = DATE_ELEMENTS.flatMap((n) => [...body.matchAll(new RegExp(`<${n}>([^<]*)</${n}>`, 'g'))].map((m) => m[1]));
  assert.ok(dates.length >= min, `expected at least ${min} dates in ${body}`);
  for (const d of dates) assert.match(d, WHOLE_SECONDS, body);
  return dates;
}

before(async () => {
  srv = await startTestServer({ domains: ['localhost', OBS_DOMAIN] });
  await srv.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await srv.s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
  await srv.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'obj', Body: 'data' }));
  ({ UploadId: uploadId } = (await srv.s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'mp' }))) as { UploadId: string });
  await srv.s3.send(new UploadPartCommand({ Bucket: bucket, Key: 'mp', UploadId: uploadId, PartNumber: 1, Body: 'part' }));
});
after(() => srv.stop());

describe('S3 writes whole seconds', () => {
  const cases: [string, string, { method?: string; headers?: Record<string, string> }?][] = [
    ['ListBuckets', '/'],
    ['ListObjects', `/${bucket}`],
    ['ListObjectsV2', `/${bucket}?list-type=2`],
    ['ListObjectVersions', `/${bucket}?versions`],
    ['ListMultipartUploads', `/${bucket}?uploads`],
    ['ListParts', `/${bucket}/mp?uploadId=UPLOAD`],
    ['CopyObject', `/${bucket}/copy`, { method: 'PUT', headers: { 'x-amz-copy-source': `/${bucket}/obj` } }],
    ['UploadPartCopy', `/${bucket}/mp?partNumber=2&uploadId=UPLOAD`, { method: 'PUT', headers: { 'x-amz-copy-source': `/${bucket}/obj` } }],
  ];
  for (const [name, path, opts] of cases) {
    test(name, async () => {
      assertDates(await signedRequest(srv.url, path.replace('UPLOAD', uploadId), opts));
    });
  }

  test('the listed second is the one conditional requests compare with', async () => {
    const [listed] = assertDates(await signedRequest(srv.url, `/${bucket}?list-type=2&prefix=obj`));
    const head = await signedRequest(srv.url, `/${bucket}/obj`, { method: 'HEAD' });
    assert.equal(Date.parse(String(head.headers['last-modified'])), Date.parse(listed));
    const since = new Date(listed).toUTCString();
    assert.equal((await signedRequest(srv.url, `/${bucket}/obj`, { headers: { 'if-modified-since': since } })).status, 304);
    assert.equal((await signedRequest(srv.url, `/${bucket}/obj`, { headers: { 'if-unmodified-since': since } })).status, 200);
  });
});

describe('OSS writes whole seconds', () => {
  test('ListBuckets, ListObjects, ListObjectsV2, uploads, parts, GetBucketInfo', async () => {
    for (const [b, query] of [
      ['', ''],
      [bucket, ''],
      [bucket, 'list-type=2'],
      [bucket, 'uploads'],
      [bucket, 'bucketInfo'],
    ]) {
      const r = await signedV1(srv, 'GET', b, undefined, { query });
      assertDates(r);
    }
    assertDates(await signedV1(srv, 'GET', bucket, 'mp', { query: `uploadId=${uploadId}` }));
  });

  test('ali-oss reads them as such', async () => {
    const oss = ossClient(srv, { bucket });
    const list = await oss.list({ prefix: 'obj' });
    assert.match(list.objects[0].lastModified, WHOLE_SECONDS);
    const copy = await oss.copy('copy2', 'obj');
    assert.match(copy.data.lastModified, WHOLE_SECONDS);
  });
});

describe('OBS writes whole seconds', () => {
  async function obs(path: string) {
    const url = new URL(path, srv.url);
    const headers: Record<string, string> = {};
    signObsRequest({ method: 'GET', url, headers, credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY }, family: 'obs' });
    return rawRequest(url.toString(), { headers });
  }
  test('ListBuckets, ListObjects, versions, uploads, parts', async () => {
    for (const path of ['/', `/${bucket}`, `/${bucket}?versions`, `/${bucket}?uploads`, `/${bucket}/mp?uploadId=${uploadId}`]) assertDates(await obs(path));
  });
});
