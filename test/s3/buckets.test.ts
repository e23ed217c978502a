import {
  CreateBucketCommand,
  GetBucketAclCommand,
  ListObjectsV2Command,
  DeleteBucketCommand,
  GetBucketLocationCommand,
  HeadBucketCommand,
  ListBucketsCommand,
  PutObjectCommand,
  DeleteObjectCommand,
} from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as Minio from 'minio';
import { assertS3Error, signedRequest, xmlField, xmlFields } from '../helpers/raw.js';
import { md5b64, minioRejects, sdkRejects, sha256hex } from '../helpers/sdk.js';
import { ACCESS_KEY, SECRET_KEY, bucketName, startTestServer, type TestServer } from '../helpers/server.js';

const XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/';

describe('buckets', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.stop());

  describe('through @aws-sdk/client-s3', () => {
    it('creates, lists, heads, locates and deletes a bucket', async () => {
      const b = bucketName('sdk');
      const created = await t.s3.send(new CreateBucketCommand({ Bucket: b }));
      assert.equal(created.Location, `/${b}`);
      const list = await t.s3.send(new ListBucketsCommand({}));
      const entry = list.Buckets?.find((x) => x.Name === b);
      assert.ok(entry, 'bucket listed');
      assert.ok(entry.CreationDate instanceof Date && Math.abs(entry.CreationDate.getTime() - Date.now()) < 60_000);
      assert.ok(list.Owner?.ID);
      const head = await t.s3.send(new HeadBucketCommand({ Bucket: b }));
      assert.equal(head.BucketRegion, 'us-east-1');
      const loc = await t.s3.send(new GetBucketLocationCommand({ Bucket: b }));
      // us-east-1 is reported as an empty constraint, as S3 does.
      assert.ok(!loc.LocationConstraint);
      await t.s3.send(new DeleteBucketCommand({ Bucket: b }));
      const after = await t.s3.send(new ListBucketsCommand({}));
      assert.ok(!after.Buckets?.some((x) => x.Name === b));
      await sdkRejects(t.s3.send(new HeadBucketCommand({ Bucket: b })), 'NotFound', 404);
      await sdkRejects(t.s3.send(new DeleteBucketCommand({ Bucket: b })), 'NoSuchBucket', 404);
      await sdkRejects(t.s3.send(new GetBucketLocationCommand({ Bucket: b })), 'NoSuchBucket', 404);
    });

    it('lists buckets sorted by name', async () => {
      const names = [bucketName('zz-sort'), bucketName('aa-sort'), bucketName('mm-sort')];
      for (const n of names) await t.s3.send(new CreateBucketCommand({ Bucket: n }));
      const list = (await t.s3.send(new ListBucketsCommand({}))).Buckets!.map((b) => b.Name!);
      const mine = list.filter((n) => names.includes(n));
      assert.deepEqual(mine, [...names].sort());
      assert.deepEqual(list, [...list].sort());
    });

    it('keeps a LocationConstraint and reports it', async () => {
      const b = bucketName('loc');
      await t.s3.send(new CreateBucketCommand({ Bucket: b, CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
      const loc = await t.s3.send(new GetBucketLocationCommand({ Bucket: b }));
      assert.equal(loc.LocationConstraint, 'eu-west-1');
      const head = await t.s3.send(new HeadBucketCommand({ Bucket: b }));
      assert.equal(head.BucketRegion, 'eu-west-1');
      const list = await t.s3.send(new ListBucketsCommand({}));
      assert.equal(list.Buckets?.find((x) => x.Name === b)?.BucketRegion, 'eu-west-1');
    });

    it('answers BucketAlreadyOwnedByYou when an owned bucket outside us-east-1 is created again', async () => {
      const b = bucketName('dup');
      await t.s3.send(new CreateBucketCommand({ Bucket: b, CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
      await sdkRejects(t.s3.send(new CreateBucketCommand({ Bucket: b })), 'BucketAlreadyOwnedByYou', 409);
      await sdkRejects(t.s3.send(new CreateBucketCommand({ Bucket: b, CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } })), 'BucketAlreadyOwnedByYou', 409);
    });

    it('lists buckets in pages (max-buckets, continuation token) filtered by prefix and region', async () => {
      const tag = bucketName('pg');
      const names = [`${tag}-a`, `${tag}-b`, `${tag}-c`];
      for (const n of names) await t.s3.send(new CreateBucketCommand({ Bucket: n, ...(n.endsWith('-b') ? { CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' as const } } : {}) }));
      const seen: string[] = [];
      let token: string | undefined;
      for (let page = 0; ; page++) {
        assert.ok(page < 5, 'too many pages');
        const r = await t.s3.send(new ListBucketsCommand({ Prefix: tag, MaxBuckets: 2, ContinuationToken: token }));
        assert.equal(r.Prefix, tag);
        assert.ok((r.Buckets?.length ?? 0) <= 2);
        seen.push(...r.Buckets!.map((b) => b.Name!));
        token = r.ContinuationToken;
        if (!token) break;
      }
      assert.deepEqual(seen, names);
      const eu = await t.s3.send(new ListBucketsCommand({ Prefix: tag, BucketRegion: 'eu-west-1' }));
      assert.deepEqual(eu.Buckets?.map((b) => b.Name), [`${tag}-b`]);
      assert.equal(eu.ContinuationToken, undefined);
      for (const q of ['max-buckets=0', 'max-buckets=10001', 'max-buckets=x', 'continuation-token=%21%21']) {
        assertS3Error(await signedRequest(t.url, `/?${q}`), 400, 'InvalidArgument');
      }
    });

    it('re-creates an owned us-east-1 bucket with 200 and resets its ACL, as AWS does', async () => {
      const b = bucketName('dup-use1');
      await t.s3.send(new CreateBucketCommand({ Bucket: b, ACL: 'public-read' }));
      await t.s3.send(new PutObjectCommand({ Bucket: b, Key: 'k', Body: 'x' }));
      assert.equal((await t.s3.send(new GetBucketAclCommand({ Bucket: b }))).Grants?.length, 2);
      await t.s3.send(new CreateBucketCommand({ Bucket: b }));
      const acl = await t.s3.send(new GetBucketAclCommand({ Bucket: b }));
      assert.deepEqual(acl.Grants?.map((g) => g.Permission), ['FULL_CONTROL']);
      // The bucket and its content are untouched.
      assert.equal((await t.s3.send(new ListObjectsV2Command({ Bucket: b }))).KeyCount, 1);
      await t.s3.send(new CreateBucketCommand({ Bucket: b, ACL: 'public-read' }));
      assert.equal((await t.s3.send(new GetBucketAclCommand({ Bucket: b }))).Grants?.length, 2);
    });

    it('refuses to delete a bucket that holds an object', async () => {
      const b = bucketName('full');
      await t.s3.send(new CreateBucketCommand({ Bucket: b }));
      await t.s3.send(new PutObjectCommand({ Bucket: b, Key: 'a/b', Body: 'x' }));
      await sdkRejects(t.s3.send(new DeleteBucketCommand({ Bucket: b })), 'BucketNotEmpty', 409);
      await t.s3.send(new HeadBucketCommand({ Bucket: b }));
      await t.s3.send(new DeleteObjectCommand({ Bucket: b, Key: 'a/b' }));
      await t.s3.send(new DeleteBucketCommand({ Bucket: b }));
    });

    it('refuses bucket names that break S3 naming rules', async () => {
      const bad = [
        'ab', // too short
        'a'.repeat(64), // too long
        'Upper-case',
        '192.168.5.4', // formatted as an IP address
        'adjacent..dots',
        'dash.-dot',
        '-leading-dash',
        'trailing-dash-',
        'under_score',
        'xn--punycode',
      ];
      for (const name of bad) {
        await sdkRejects(t.s3.send(new CreateBucketCommand({ Bucket: name })), 'InvalidBucketName', 400);
      }
      const list = (await t.s3.send(new ListBucketsCommand({}))).Buckets!.map((b) => b.Name);
      for (const name of bad) assert.ok(!list.includes(name), name);
    });

    it('accepts names at the limits of the rules', async () => {
      for (const name of ['abc', 'a'.repeat(63), 'dots.in.name', '1-2-3', '192.168.5']) {
        await t.s3.send(new CreateBucketCommand({ Bucket: name }));
        await t.s3.send(new HeadBucketCommand({ Bucket: name }));
        await t.s3.send(new DeleteBucketCommand({ Bucket: name }));
      }
    });
  });

  describe('through minio', () => {
    it('makes, checks, lists and removes a bucket', async () => {
      const b = bucketName('minio');
      await t.minio.makeBucket(b);
      assert.equal(await t.minio.bucketExists(b), true);
      const list = await t.minio.listBuckets();
      assert.ok(list.some((x) => x.name === b && x.creationDate instanceof Date));
      await t.minio.makeBucket(b); // us-east-1: re-creating an owned bucket succeeds, as on AWS
      await t.minio.putObject(b, 'k', Buffer.from('v'));
      await minioRejects(t.minio.removeBucket(b), 'BucketNotEmpty');
      await t.minio.removeObject(b, 'k');
      await t.minio.removeBucket(b);
      assert.equal(await t.minio.bucketExists(b), false);
    });

    it('discovers a bucket region through GetBucketLocation when the client has none', async () => {
      const b = bucketName('minio-loc');
      await t.s3.send(new CreateBucketCommand({ Bucket: b, CreateBucketConfiguration: { LocationConstraint: 'ap-south-1' } }));
      // Without a region minio asks ?location first, then signs for that region.
      const client = new Minio.Client({ endPoint: '127.0.0.1', port: t.port, useSSL: false, accessKey: ACCESS_KEY, secretKey: SECRET_KEY });
      await client.putObject(b, 'k', Buffer.from('located'));
      const stream = await client.getObject(b, 'k');
      const chunks: Buffer[] = [];
      for await (const c of stream) chunks.push(c as Buffer);
      assert.equal(Buffer.concat(chunks).toString(), 'located');
    });

    it('makes a bucket in a region', async () => {
      const b = bucketName('minio-reg');
      const client = new Minio.Client({ endPoint: '127.0.0.1', port: t.port, useSSL: false, accessKey: ACCESS_KEY, secretKey: SECRET_KEY, region: 'eu-central-1' });
      await client.makeBucket(b, 'eu-central-1');
      const loc = await t.s3.send(new GetBucketLocationCommand({ Bucket: b }));
      assert.equal(loc.LocationConstraint, 'eu-central-1');
    });
  });

  describe('on the wire', () => {
    it('renders ListAllMyBucketsResult and an empty LocationConstraint in S3 XML', async () => {
      const b = bucketName('wire');
      await t.s3.send(new CreateBucketCommand({ Bucket: b }));
      const list = await signedRequest(t.url, '/');
      assert.equal(list.status, 200);
      assert.match(list.body.toString(), new RegExp(`<ListAllMyBucketsResult xmlns="${XMLNS}">`));
      assert.ok(xmlFields(list.body, 'Name').includes(b));
      const loc = await signedRequest(t.url, `/${b}?location`);
      assert.equal(loc.status, 200);
      assert.match(loc.body.toString(), new RegExp(`<LocationConstraint xmlns="${XMLNS}"\\s*(/>|></LocationConstraint>)`));
    });

    it('answers a malformed CreateBucketConfiguration with MalformedXML and creates nothing', async () => {
      const b = bucketName('badxml');
      for (const body of ['<CreateBucketConfiguration><LocationConstraint>eu-west-1</CreateBucketConfiguration>', 'not xml at all', '<Other/>']) {
        const r = await signedRequest(t.url, `/${b}`, { method: 'PUT', body });
        assertS3Error(r, 400, 'MalformedXML');
      }
      const head = await signedRequest(t.url, `/${b}`, { method: 'HEAD' });
      assert.equal(head.status, 404);
    });

    it('checks the configuration body against the signed sha256 and Content-MD5', async () => {
      const b = bucketName('signedconf');
      const body = `<CreateBucketConfiguration xmlns="${XMLNS}"><LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>`;
      assertS3Error(await signedRequest(t.url, `/${b}`, { method: 'PUT', body, payloadHash: sha256hex(body.replace('eu', 'us')) }), 400, 'XAmzContentSHA256Mismatch');
      assertS3Error(await signedRequest(t.url, `/${b}`, { method: 'PUT', body, headers: { 'content-md5': md5b64('other') } }), 400, 'BadDigest');
      assert.equal((await signedRequest(t.url, `/${b}`, { method: 'HEAD' })).status, 404);
      const ok = await signedRequest(t.url, `/${b}`, { method: 'PUT', body, payloadHash: sha256hex(body), headers: { 'content-md5': md5b64(body) } });
      assert.equal(ok.status, 200, ok.body.toString());
      assert.match((await signedRequest(t.url, `/${b}?location`)).body.toString(), /<LocationConstraint[^>]*>eu-west-1<\/LocationConstraint>/);
    });

    it('answers an invalid LocationConstraint with InvalidLocationConstraint', async () => {
      const b = bucketName('badloc');
      const r = await signedRequest(t.url, `/${b}`, {
        method: 'PUT',
        body: `<CreateBucketConfiguration xmlns="${XMLNS}"><LocationConstraint>Not A Region!</LocationConstraint></CreateBucketConfiguration>`,
      });
      assertS3Error(r, 400, 'InvalidLocationConstraint');
    });

    it('answers InvalidBucketName in S3 XML with the bucket name', async () => {
      const r = await signedRequest(t.url, '/Bad_Name', { method: 'PUT' });
      assertS3Error(r, 400, 'InvalidBucketName');
      assert.equal(xmlField(r.body, 'BucketName'), 'Bad_Name');
    });

    it('answers BucketNotEmpty and NoSuchBucket with S3 XML', async () => {
      const b = bucketName('wire-full');
      await t.s3.send(new CreateBucketCommand({ Bucket: b }));
      await t.s3.send(new PutObjectCommand({ Bucket: b, Key: 'k', Body: 'x' }));
      assertS3Error(await signedRequest(t.url, `/${b}`, { method: 'DELETE' }), 409, 'BucketNotEmpty');
      assertS3Error(await signedRequest(t.url, `/${bucketName('nope')}`, { method: 'DELETE' }), 404, 'NoSuchBucket');
      assert.equal((await signedRequest(t.url, `/${b}`, { method: 'PUT' })).status, 200); // us-east-1, as on AWS
    });
  });
});
