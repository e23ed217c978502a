/**
 * S3 Put/Get/DeleteBucketLifecycleConfiguration through @aws-sdk/client-s3:
 * the document round-trips, bad documents get S3's codes, and reads and
 * writes announce the expiration a rule gives the object.
 */
import {
  CreateBucketCommand,
  DeleteBucketLifecycleCommand,
  GetBucketLifecycleConfigurationCommand,
  HeadObjectCommand,
  PutBucketLifecycleConfigurationCommand,
  PutObjectCommand,
  type LifecycleRule,
} from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createHash } from 'node:crypto';
import { assertS3Error, signedRequest } from '../helpers/raw.js';
import { bucketName, startTestServer, type TestServer } from '../helpers/server.js';
import { sdkRejects } from '../helpers/sdk.js';

let srv: TestServer;
before(async () => {
  srv = await startTestServer({ workers: false });
});
after(async () => {
  await srv?.stop();
});

async function newBucket(): Promise<string> {
  const b = bucketName('lc');
  await srv.s3.send(new CreateBucketCommand({ Bucket: b }));
  return b;
}

const put = (Bucket: string, Rules: LifecycleRule[]) => srv.s3.send(new PutBucketLifecycleConfigurationCommand({ Bucket, LifecycleConfiguration: { Rules } }));

describe('S3 lifecycle configuration', () => {
  it('GET without one is NoSuchLifecycleConfiguration; DELETE answers 204 either way', async () => {
    const b = await newBucket();
    await sdkRejects(srv.s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: b })), 'NoSuchLifecycleConfiguration', 404);
    assert.equal((await srv.s3.send(new DeleteBucketLifecycleCommand({ Bucket: b }))).$metadata.httpStatusCode, 204);
    await put(b, [{ ID: 'r', Filter: { Prefix: 'a/' }, Status: 'Enabled', Expiration: { Days: 3 } }]);
    assert.equal((await srv.s3.send(new DeleteBucketLifecycleCommand({ Bucket: b }))).$metadata.httpStatusCode, 204);
    await sdkRejects(srv.s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: b })), 'NoSuchLifecycleConfiguration', 404);
  });

  it('round-trips every rule form', async () => {
    const b = await newBucket();
    const rules: LifecycleRule[] = [
      { ID: 'legacy', Prefix: 'logs/', Status: 'Enabled', Expiration: { Days: 31 } },
      { ID: 'date', Filter: { Prefix: 'old/' }, Status: 'Disabled', Expiration: { Date: new Date('2030-01-01T00:00:00Z') } },
      { ID: 'tag', Filter: { Tag: { Key: 'k', Value: 'v' } }, Status: 'Enabled', Expiration: { Days: 2 } },
      {
        ID: 'and',
        Filter: { And: { Prefix: 'p/', Tags: [{ Key: 'a', Value: '1' }, { Key: 'b', Value: '2' }], ObjectSizeGreaterThan: 10, ObjectSizeLessThan: 1000 } },
        Status: 'Enabled',
        Transitions: [{ Days: 0, StorageClass: 'STANDARD_IA' }, { Days: 30, StorageClass: 'GLACIER' }],
      },
      { ID: 'size', Filter: { ObjectSizeGreaterThan: 2000 }, Status: 'Enabled', Expiration: { Days: 1 } },
      {
        ID: 'noncurrent',
        Filter: {},
        Status: 'Enabled',
        NoncurrentVersionExpiration: { NoncurrentDays: 4, NewerNoncurrentVersions: 2 },
        NoncurrentVersionTransitions: [{ NoncurrentDays: 1, StorageClass: 'STANDARD_IA' }],
        Expiration: { ExpiredObjectDeleteMarker: true },
      },
      { ID: 'mpu', Filter: { Prefix: 'up/' }, Status: 'Enabled', AbortIncompleteMultipartUpload: { DaysAfterInitiation: 2 } },
    ];
    await put(b, rules);
    const got = await srv.s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: b }));
    assert.deepEqual(got.Rules, rules);
  });

  it('gives a rule sent without an ID one', async () => {
    const b = await newBucket();
    await put(b, [{ Prefix: 'x/', Status: 'Enabled', Expiration: { Days: 1 } }]);
    const got = await srv.s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: b }));
    assert.match(got.Rules![0].ID!, /^\w{1,255}$/);
  });

  it('refuses bad documents with S3 codes', async () => {
    const b = await newBucket();
    const rule = (r: Partial<LifecycleRule>): LifecycleRule => ({ ID: 'r', Filter: { Prefix: '' }, Status: 'Enabled', Expiration: { Days: 1 }, ...r });
    await sdkRejects(put(b, [rule({ ID: 'a'.repeat(256) })]), 'InvalidArgument', 400);
    await sdkRejects(put(b, [rule({}), rule({ Expiration: { Days: 2 } })]), 'InvalidArgument', 400);
    await sdkRejects(put(b, [rule({ Status: 'enabled' as 'Enabled' })]), 'MalformedXML', 400);
    await sdkRejects(put(b, [rule({ Expiration: { Days: 0 } })]), 'InvalidArgument', 400);
    await sdkRejects(put(b, [rule({ Expiration: { Date: new Date('2030-01-01T12:00:00Z') } })]), 'InvalidArgument', 400);
    await sdkRejects(put(b, [rule({ Expiration: undefined })]), 'InvalidRequest', 400);
    await sdkRejects(put(b, [rule({ NoncurrentVersionExpiration: { NoncurrentDays: 0 } })]), 'InvalidArgument', 400);
    await sdkRejects(put(b, [rule({ Expiration: undefined, Transitions: [{ Days: 1, StorageClass: 'NOPE' as 'GLACIER' }] })]), 'InvalidStorageClass', 400);
    await sdkRejects(
      put(b, [rule({ Filter: { Tag: { Key: 'k', Value: 'v' } }, Expiration: undefined, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } })]),
      'InvalidRequest',
      400,
    );
    await sdkRejects(put(b, Array.from({ length: 1001 }, (_, i) => rule({ ID: `r${i}` }))), 'InvalidArgument', 400);
    await sdkRejects(put(b, []), 'MalformedXML', 400);
    // Nothing was stored by any of them.
    await sdkRejects(srv.s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: b })), 'NoSuchLifecycleConfiguration', 404);
  });

  it('refuses a document with both Prefix and Filter, or neither, and one sent without Content-MD5', async () => {
    const b = await newBucket();
    const doc = (inner: string) =>
      `<LifecycleConfiguration><Rule><ID>r</ID>${inner}<Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule></LifecycleConfiguration>`;
    const send = (body: string, md5 = true) =>
      signedRequest(srv.url, `/${b}?lifecycle`, {
        method: 'PUT',
        body,
        headers: md5 ? { 'content-md5': createHash('md5').update(body).digest('base64') } : {},
      });
    for (const inner of ['<Prefix>a</Prefix><Filter><Prefix>a</Prefix></Filter>', '', '<Filter><Prefix>a</Prefix></Filter><Bogus']) {
      assertS3Error(await send(doc(inner)), 400, 'MalformedXML');
    }
    assertS3Error(await send(doc('<Prefix>a</Prefix>'), false), 400, 'InvalidRequest');
    assert.equal((await send(doc('<Prefix>a</Prefix>'))).status, 200);
  });

  it('announces the expiration on PUT and HEAD (midnight UTC after creation + days), only where a rule applies', async () => {
    const b = await newBucket();
    await put(b, [
      { ID: 'one-day', Filter: { Prefix: 'days1/' }, Status: 'Enabled', Expiration: { Days: 1 } },
      { ID: 'tagged', Filter: { Tag: { Key: 'k', Value: 'v' } }, Status: 'Enabled', Expiration: { Days: 5 } },
      { ID: 'off', Filter: { Prefix: 'off/' }, Status: 'Disabled', Expiration: { Days: 1 } },
    ]);
    const before = Date.now();
    const written = await srv.s3.send(new PutObjectCommand({ Bucket: b, Key: 'days1/x', Body: 'x' }));
    const expected = new Date(Math.ceil((before + 86_400_000) / 86_400_000) * 86_400_000).toUTCString();
    assert.equal(written.Expiration, `expiry-date="${expected}", rule-id="one-day"`);
    const head = await srv.s3.send(new HeadObjectCommand({ Bucket: b, Key: 'days1/x' }));
    assert.equal(head.Expiration, `expiry-date="${expected}", rule-id="one-day"`);

    await srv.s3.send(new PutObjectCommand({ Bucket: b, Key: 't', Body: 'x', Tagging: 'k=v' }));
    assert.match((await srv.s3.send(new HeadObjectCommand({ Bucket: b, Key: 't' }))).Expiration ?? '', /rule-id="tagged"/);
    await srv.s3.send(new PutObjectCommand({ Bucket: b, Key: 'off/x', Body: 'x' }));
    assert.equal((await srv.s3.send(new HeadObjectCommand({ Bucket: b, Key: 'off/x' }))).Expiration, undefined);
    await srv.s3.send(new PutObjectCommand({ Bucket: b, Key: 'other', Body: 'x' }));
    assert.equal((await srv.s3.send(new HeadObjectCommand({ Bucket: b, Key: 'other' }))).Expiration, undefined);
  });
});
