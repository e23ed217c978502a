// Empty listing parameters, in every XML dialect: oss2 sends each marker on every page, empty on
// the first (part-number-marker=, key-marker=, upload-id-marker=, continuation-token=...), and S3
// lists from the start for an empty continuation token and echoes it (s3-tests
// test_bucket_listv2_continuationtoken_empty). An empty value counts as absent; a non-empty bad
// one is still refused.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { signObsRequest } from '../../src/auth/obs.js';
import { rawRequest, signedRequest, xmlField, xmlFields, type RawResponse } from '../helpers/raw.js';
import { ACCESS_KEY, bucketName, SECRET_KEY, type TestServer } from '../helpers/server.js';
import { startObsServer } from '../obs/helpers.js';
import { signedV1 } from '../oss/helpers.js';

type Send = (method: string, bucket: string, key: string | undefined, query: string) => Promise<RawResponse>;

describe('empty listing markers and counts', () => {
  let srv: TestServer;
  const bucket = bucketName('empty-params');
  let uploadId = '';

  const s3: Send = (method, b, key, query) => signedRequest(srv.url, `/${b}/${key ?? ''}${query ? '?' + query : ''}`, { method });
  const oss: Send = (method, b, key, query) => signedV1(srv, method, b, key, { query });
  const obs: Send = (method, b, key, query) => {
    const url = new URL(`/${b}/${key ?? ''}${query ? '?' + query : ''}`, srv.url);
    const headers: Record<string, string> = {};
    signObsRequest({ method, url, headers, credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY }, family: 'obs' });
    return rawRequest(url.toString(), { method, headers });
  };
  // What each dialect lists: OBS has no ListObjectsV2; Stratus' OSS dialect has no version listing.
  const dialects: [string, () => Send, { v2: boolean; versions: boolean }][] = [
    ['S3', () => s3, { v2: true, versions: true }],
    ['OSS', () => oss, { v2: true, versions: false }],
    ['OBS', () => obs, { v2: false, versions: true }],
  ];

  before(async () => {
    srv = await startObsServer();
    assert.equal((await s3('PUT', bucket, undefined, '')).status, 200);
    for (const k of ['a', 'b', 'c']) assert.equal((await signedRequest(srv.url, `/${bucket}/${k}`, { method: 'PUT', body: k })).status, 200);
    const init = await s3('POST', bucket, 'mpu', 'uploads');
    uploadId = xmlField(init.body, 'UploadId')!;
    const part = await signedRequest(srv.url, `/${bucket}/mpu?partNumber=1&uploadId=${uploadId}`, { method: 'PUT', body: 'part-one' });
    assert.equal(part.status, 200);
  });
  after(() => srv.stop());

  function ok(r: RawResponse): string {
    const body = r.body.toString();
    assert.equal(r.status, 200, body);
    return body;
  }

  for (const [name, dialect, has] of dialects) {
    describe(name, () => {
      if (has.v2) it('ListObjectsV2 with an empty continuation token lists from the start and echoes it', async () => {
        const body = ok(await dialect()('GET', bucket, undefined, 'list-type=2&continuation-token=&start-after=&max-keys=&prefix=&delimiter='));
        assert.deepEqual(xmlFields(body, 'Key'), ['a', 'b', 'c']);
        assert.match(body, /<ContinuationToken(\/>|><\/ContinuationToken>)/);
        assert.equal(xmlField(body, 'IsTruncated'), 'false');
        // A page's real token still continues the listing.
        const first = ok(await dialect()('GET', bucket, undefined, 'list-type=2&max-keys=1&continuation-token='));
        const token = xmlField(first, 'NextContinuationToken')!;
        const rest = ok(await dialect()('GET', bucket, undefined, `list-type=2&continuation-token=${encodeURIComponent(token)}`));
        assert.deepEqual(xmlFields(rest, 'Key'), ['b', 'c']);
      });

      it('ListObjects (V1) with an empty marker and max-keys lists everything', async () => {
        const body = ok(await dialect()('GET', bucket, undefined, 'marker=&max-keys='));
        assert.deepEqual(xmlFields(body, 'Key'), ['a', 'b', 'c']);
        assert.equal(xmlField(body, 'MaxKeys'), '1000');
      });

      it('ListParts with an empty part-number-marker and max-parts lists from the first part', async () => {
        const body = ok(await dialect()('GET', bucket, 'mpu', `uploadId=${uploadId}&part-number-marker=&max-parts=`));
        assert.deepEqual(xmlFields(body, 'PartNumber'), ['1']);
        assert.equal(xmlField(body, 'PartNumberMarker'), '0');
      });

      it('ListMultipartUploads with empty key, upload-id markers and max-uploads lists every upload', async () => {
        const body = ok(await dialect()('GET', bucket, undefined, 'uploads&key-marker=&upload-id-marker=&max-uploads='));
        assert.deepEqual(xmlFields(body, 'UploadId'), [uploadId]);
      });

      if (has.versions) it('ListObjectVersions with empty key and version-id markers lists every version', async () => {
        const body = ok(await dialect()('GET', bucket, undefined, 'versions&key-marker=&version-id-marker=&max-keys='));
        assert.deepEqual(xmlFields(body, 'Key'), ['a', 'b', 'c']);
      });

      it('non-empty bad values are still refused with InvalidArgument', async () => {
        for (const [key, query] of [
          ...(has.v2 ? ([[undefined, 'list-type=2&continuation-token=not-a-token']] as const) : []),
          [undefined, 'max-keys=many'],
          ['mpu', `uploadId=${uploadId}&part-number-marker=first`],
          [undefined, 'uploads&max-uploads=-1'],
        ] as const) {
          const r = await dialect()('GET', bucket, key, query);
          assert.equal(r.status, 400, `${query}: ${r.body}`);
          assert.equal(xmlField(r.body, 'Code'), 'InvalidArgument', query);
        }
      });
    });
  }
});
