/**
 * Signing regions, as MinIO: with no --region, a SigV4 client may sign for
 * any region and a bucket it creates reports that region; with --region set,
 * any other region is AuthorizationHeaderMalformed (or the query form's error).
 */
import { CreateBucketCommand, GetBucketLocationCommand, HeadBucketCommand, ListBucketsCommand, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { presignUrlV4 } from '../../src/auth/sigv4.js';
import { assertS3Error, rawRequest, xmlField } from '../helpers/raw.js';
import { ACCESS_KEY, SECRET_KEY, bucketName, startTestServer, type TestServer } from '../helpers/server.js';

const credentials = { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY };
const clientFor = (t: TestServer, region: string) => new S3Client({ endpoint: t.url, region, forcePathStyle: true, credentials });

describe('SigV4 signing regions without --region', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.stop());

  it('@aws-sdk/client-s3 in eu-west-1 works, and its bucket reports eu-west-1', async () => {
    const c = clientFor(t, 'eu-west-1');
    const bucket = bucketName('euw1');
    await c.send(new CreateBucketCommand({ Bucket: bucket }));
    await c.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'v' }));
    assert.equal((await c.send(new GetBucketLocationCommand({ Bucket: bucket }))).LocationConstraint, 'eu-west-1');
    assert.equal((await c.send(new HeadBucketCommand({ Bucket: bucket }))).BucketRegion, 'eu-west-1');
    const listed = (await t.s3.send(new ListBucketsCommand({}))).Buckets?.find((b) => b.Name === bucket);
    assert.equal(listed?.BucketRegion, 'eu-west-1');
    // A client of another region reads the bucket's region unchanged.
    assert.equal((await t.s3.send(new GetBucketLocationCommand({ Bucket: bucket }))).LocationConstraint, 'eu-west-1');
    c.destroy();
  });

  it('a bucket created by a us-east-1 client, or with no signing region (V2), is us-east-1', async () => {
    const bucket = bucketName('use1');
    await t.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    assert.equal((await t.s3.send(new HeadBucketCommand({ Bucket: bucket }))).BucketRegion, 'us-east-1');
  });
});

describe('SigV4 signing regions with --region', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ region: 'ap-southeast-1' });
  });
  after(() => t.stop());

  it('the configured region works and new buckets get it', async () => {
    const c = clientFor(t, 'ap-southeast-1');
    const bucket = bucketName('apse1');
    await c.send(new CreateBucketCommand({ Bucket: bucket }));
    assert.equal((await c.send(new GetBucketLocationCommand({ Bucket: bucket }))).LocationConstraint, 'ap-southeast-1');
    c.destroy();
  });

  it('another region is AuthorizationHeaderMalformed naming the expected region', async () => {
    const c = clientFor(t, 'eu-west-1');
    await assert.rejects(c.send(new ListBucketsCommand({})), (e: unknown) => {
      assert.ok(e instanceof S3ServiceException);
      assert.equal(e.name, 'AuthorizationHeaderMalformed');
      assert.equal(e.$metadata.httpStatusCode, 400);
      assert.equal(e.message, "The authorization header is malformed; the region 'eu-west-1' is wrong; expecting 'ap-southeast-1'");
      return true;
    });
    c.destroy();
    const url = presignUrlV4({ method: 'GET', url: new URL('/', t.url), credentials, region: 'eu-west-1' });
    const r = await rawRequest(url);
    assertS3Error(r, 400, 'AuthorizationQueryParametersError');
    assert.equal(xmlField(r.body, 'Region'), 'ap-southeast-1');
  });
});
