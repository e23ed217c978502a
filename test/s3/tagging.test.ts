import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketTaggingCommand,
  DeleteObjectCommand,
  DeleteObjectTaggingCommand,
  GetBucketTaggingCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  PutBucketTaggingCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  UploadPartCommand,
  type Tag,
} from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { signedRequest, xmlField } from '../helpers/raw.js';
import { bucketName, startTestServer, type TestServer } from '../helpers/server.js';

type SdkError = Error & { $metadata?: { httpStatusCode?: number } };

const rejectsWith = (p: Promise<unknown>, name: string, status: number, message?: RegExp) =>
  assert.rejects(p, (e: SdkError) => {
    assert.equal(e.name, name);
    assert.equal(e.$metadata?.httpStatusCode, status);
    if (message) assert.match(e.message, message);
    return true;
  });

const tagSet = (n: number, key = (i: number) => `key${i}`, value = (i: number) => `value${i}`): Tag[] =>
  Array.from({ length: n }, (_, i) => ({ Key: key(i), Value: value(i) }));
const sorted = (tags: Tag[] | undefined) => [...(tags ?? [])].sort((a, b) => (a.Key! < b.Key! ? -1 : 1));

describe('S3 object and bucket tagging', () => {
  let t: TestServer;
  const b = bucketName('tag');
  const getTags = async (Key: string, VersionId?: string) => (await t.s3.send(new GetObjectTaggingCommand({ Bucket: b, Key, VersionId }))).TagSet;
  before(async () => {
    t = await startTestServer();
    await t.s3.send(new CreateBucketCommand({ Bucket: b }));
  });
  after(() => t.stop());

  describe('object tags', () => {
    it('puts, reads and deletes a tag set; GET and HEAD report the count', async () => {
      await t.s3.send(new PutObjectCommand({ Bucket: b, Key: 'obj', Body: 'data' }));
      assert.deepEqual(await getTags('obj'), []);
      assert.equal((await t.s3.send(new HeadObjectCommand({ Bucket: b, Key: 'obj' }))).TagCount, undefined);
      const tags = [
        { Key: 'project', Value: 'blue' },
        { Key: 'Classification', Value: '' },
        { Key: 'with space', Value: 'a+b=c/d:e@f.g_h-i' },
      ];
      await t.s3.send(new PutObjectTaggingCommand({ Bucket: b, Key: 'obj', Tagging: { TagSet: tags } }));
      assert.deepEqual(sorted(await getTags('obj')), sorted(tags));
      assert.equal((await t.s3.send(new HeadObjectCommand({ Bucket: b, Key: 'obj' }))).TagCount, 3);
      const got = await t.s3.send(new GetObjectCommand({ Bucket: b, Key: 'obj' }));
      assert.equal(got.TagCount, 3);
      await got.Body!.transformToString();
      // A new set replaces the old one entirely.
      await t.s3.send(new PutObjectTaggingCommand({ Bucket: b, Key: 'obj', Tagging: { TagSet: [{ Key: 'only', Value: 'one' }] } }));
      assert.deepEqual(await getTags('obj'), [{ Key: 'only', Value: 'one' }]);
      const del = await t.s3.send(new DeleteObjectTaggingCommand({ Bucket: b, Key: 'obj' }));
      assert.equal(del.$metadata.httpStatusCode, 204);
      assert.deepEqual(await getTags('obj'), []);
      assert.equal((await t.s3.send(new HeadObjectCommand({ Bucket: b, Key: 'obj' }))).TagCount, undefined);
      // An empty set clears the tags as well.
      await t.s3.send(new PutObjectTaggingCommand({ Bucket: b, Key: 'obj', Tagging: { TagSet: [{ Key: 'a', Value: 'b' }] } }));
      await t.s3.send(new PutObjectTaggingCommand({ Bucket: b, Key: 'obj', Tagging: { TagSet: [] } }));
      assert.deepEqual(await getTags('obj'), []);
    });

    it('accepts S3 limits exactly: 10 tags, 128-character keys, 256-character values (UTF-16 units)', async () => {
      await t.s3.send(new PutObjectCommand({ Bucket: b, Key: 'limits', Body: 'x' }));
      const max = tagSet(10, (i) => `${i}`.padEnd(128, 'k'), (i) => `${i}`.padEnd(256, 'é'));
      await t.s3.send(new PutObjectTaggingCommand({ Bucket: b, Key: 'limits', Tagging: { TagSet: max } }));
      assert.deepEqual(sorted(await getTags('limits')), sorted(max));
    });

    it('refuses tag sets beyond the limits with S3 errors, keeping the previous set', async () => {
      await t.s3.send(new PutObjectCommand({ Bucket: b, Key: 'bad', Body: 'x' }));
      await t.s3.send(new PutObjectTaggingCommand({ Bucket: b, Key: 'bad', Tagging: { TagSet: [{ Key: 'keep', Value: 'me' }] } }));
      const put = (TagSet: Tag[]) => t.s3.send(new PutObjectTaggingCommand({ Bucket: b, Key: 'bad', Tagging: { TagSet } }));
      await rejectsWith(put(tagSet(11)), 'BadRequest', 400, /Object tags cannot be greater than 10/);
      await rejectsWith(put([{ Key: 'k'.repeat(129), Value: 'v' }]), 'InvalidTag', 400, /TagKey you have provided is invalid/);
      await rejectsWith(put([{ Key: 'k', Value: 'v'.repeat(257) }]), 'InvalidTag', 400, /TagValue you have provided is invalid/);
      await rejectsWith(put([{ Key: 'dup', Value: '1' }, { Key: 'dup', Value: '2' }]), 'InvalidTag', 400, /multiple Tags with the same key/);
      await rejectsWith(put([{ Key: 'aws:reserved', Value: 'v' }]), 'InvalidTag', 400, /prefixed with aws:/);
      await rejectsWith(put([{ Key: 'bad{char}', Value: 'v' }]), 'InvalidTag', 400, /TagKey/);
      await rejectsWith(put([{ Key: 'k', Value: 'semi;colon' }]), 'InvalidTag', 400, /TagValue/);
      await rejectsWith(put([{ Key: '', Value: 'v' }]), 'InvalidTag', 400);
      assert.deepEqual(await getTags('bad'), [{ Key: 'keep', Value: 'me' }]);
    });

    it('answers MalformedXML for documents that do not follow the schema', async () => {
      const cases = [
        '<Tagging><TagSet><Tag><Key>k</Key></Tag></TagSet></Tagging>',
        '<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value><Extra/></Tag></TagSet></Tagging>',
        '<Tagging></Tagging>',
        '<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet>',
        '<TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet>',
      ];
      for (const body of cases) {
        const md5 = createHash('md5').update(body).digest('base64');
        const r = await signedRequest(t.url, `/${b}/bad?tagging`, { method: 'PUT', body, headers: { 'content-md5': md5 } });
        assert.equal(r.status, 400, body);
        assert.equal(xmlField(r.body, 'Code'), 'MalformedXML', body);
      }
    });

    it('takes tags from x-amz-tagging on PutObject, with the same limits', async () => {
      await t.s3.send(new PutObjectCommand({ Bucket: b, Key: 'hdr', Body: 'x', Tagging: 'team=storage&empty=&flag' }));
      assert.deepEqual(sorted(await getTags('hdr')), [
        { Key: 'empty', Value: '' },
        { Key: 'flag', Value: '' },
        { Key: 'team', Value: 'storage' },
      ]);
      assert.equal((await t.s3.send(new HeadObjectCommand({ Bucket: b, Key: 'hdr' }))).TagCount, 3);
      await t.s3.send(new PutObjectCommand({ Bucket: b, Key: 'hdr2', Body: 'x', Tagging: 'spaced%20key=a%2Bb' }));
      assert.deepEqual(await getTags('hdr2'), [{ Key: 'spaced key', Value: 'a+b' }]);
      await rejectsWith(t.s3.send(new PutObjectCommand({ Bucket: b, Key: 'hdr3', Body: 'x', Tagging: 'a=1&a=2' })), 'InvalidArgument', 400, /x-amz-tagging/);
      await rejectsWith(t.s3.send(new PutObjectCommand({ Bucket: b, Key: 'hdr3', Body: 'x', Tagging: 'TagSet=[{Key=a,Value=b}]' })), 'InvalidArgument', 400);
      await rejectsWith(
        t.s3.send(new PutObjectCommand({ Bucket: b, Key: 'hdr3', Body: 'x', Tagging: Array.from({ length: 11 }, (_, i) => `k${i}=v`).join('&') })),
        'BadRequest',
        400,
      );
      await rejectsWith(t.s3.send(new PutObjectCommand({ Bucket: b, Key: 'hdr3', Body: 'x', Tagging: 'aws:x=1' })), 'InvalidTag', 400);
      await rejectsWith(t.s3.send(new GetObjectCommand({ Bucket: b, Key: 'hdr3' })), 'NoSuchKey', 404);
    });

    it('copies tags by default, replaces them with x-amz-tagging-directive: REPLACE', async () => {
      await t.s3.send(new PutObjectCommand({ Bucket: b, Key: 'csrc', Body: 'x', Tagging: 'a=1&b=2' }));
      await t.s3.send(new CopyObjectCommand({ Bucket: b, Key: 'c-copy', CopySource: `${b}/csrc`, Tagging: 'ignored=yes' }));
      assert.deepEqual(sorted(await getTags('c-copy')), [
        { Key: 'a', Value: '1' },
        { Key: 'b', Value: '2' },
      ]);
      await t.s3.send(new CopyObjectCommand({ Bucket: b, Key: 'c-replace', CopySource: `${b}/csrc`, TaggingDirective: 'REPLACE', Tagging: 'new=tag' }));
      assert.deepEqual(await getTags('c-replace'), [{ Key: 'new', Value: 'tag' }]);
      await t.s3.send(new CopyObjectCommand({ Bucket: b, Key: 'c-none', CopySource: `${b}/csrc`, TaggingDirective: 'REPLACE' }));
      assert.deepEqual(await getTags('c-none'), []);
      // Replacing only the tags is a valid change of an object onto itself.
      await t.s3.send(new CopyObjectCommand({ Bucket: b, Key: 'csrc', CopySource: `${b}/csrc`, TaggingDirective: 'REPLACE', Tagging: 'self=1' }));
      assert.deepEqual(await getTags('csrc'), [{ Key: 'self', Value: '1' }]);
      const bad = await signedRequest(t.url, `/${b}/c-bad`, { method: 'PUT', headers: { 'x-amz-copy-source': `${b}/csrc`, 'x-amz-tagging-directive': 'MERGE' } });
      assert.equal(bad.status, 400);
      assert.equal(xmlField(bad.body, 'Code'), 'InvalidArgument');
    });

    it('applies tags given when a multipart upload is created', async () => {
      const { UploadId } = await t.s3.send(new CreateMultipartUploadCommand({ Bucket: b, Key: 'mp', Tagging: 'source=multipart&n=1' }));
      const part = await t.s3.send(new UploadPartCommand({ Bucket: b, Key: 'mp', UploadId, PartNumber: 1, Body: 'only part' }));
      await t.s3.send(new CompleteMultipartUploadCommand({ Bucket: b, Key: 'mp', UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] } }));
      assert.deepEqual(sorted(await getTags('mp')), [
        { Key: 'n', Value: '1' },
        { Key: 'source', Value: 'multipart' },
      ]);
      assert.equal((await t.s3.send(new HeadObjectCommand({ Bucket: b, Key: 'mp' }))).TagCount, 2);
      await rejectsWith(t.s3.send(new CreateMultipartUploadCommand({ Bucket: b, Key: 'mp2', Tagging: 'a=1&a=2' })), 'InvalidArgument', 400);
    });

    it('tags versions separately; delete markers and missing objects are refused', async () => {
      const vb = bucketName('tagv');
      await t.s3.send(new CreateBucketCommand({ Bucket: vb }));
      await t.s3.send(new PutBucketVersioningCommand({ Bucket: vb, VersioningConfiguration: { Status: 'Enabled' } }));
      const v1 = await t.s3.send(new PutObjectCommand({ Bucket: vb, Key: 'k', Body: 'one', Tagging: 'v=1' }));
      const v2 = await t.s3.send(new PutObjectCommand({ Bucket: vb, Key: 'k', Body: 'two' }));
      const put = await t.s3.send(new PutObjectTaggingCommand({ Bucket: vb, Key: 'k', VersionId: v1.VersionId, Tagging: { TagSet: [{ Key: 'old', Value: 'yes' }] } }));
      assert.equal(put.VersionId, v1.VersionId);
      const latest = await t.s3.send(new GetObjectTaggingCommand({ Bucket: vb, Key: 'k' }));
      assert.equal(latest.VersionId, v2.VersionId);
      assert.deepEqual(latest.TagSet, []);
      assert.deepEqual((await t.s3.send(new GetObjectTaggingCommand({ Bucket: vb, Key: 'k', VersionId: v1.VersionId }))).TagSet, [{ Key: 'old', Value: 'yes' }]);
      const delTags = await t.s3.send(new DeleteObjectTaggingCommand({ Bucket: vb, Key: 'k', VersionId: v1.VersionId }));
      assert.equal(delTags.VersionId, v1.VersionId);
      assert.deepEqual((await t.s3.send(new GetObjectTaggingCommand({ Bucket: vb, Key: 'k', VersionId: v1.VersionId }))).TagSet, []);

      const dm = await t.s3.send(new DeleteObjectCommand({ Bucket: vb, Key: 'k' }));
      await rejectsWith(t.s3.send(new GetObjectTaggingCommand({ Bucket: vb, Key: 'k' })), 'NoSuchKey', 404);
      const onMarker = await signedRequest(t.url, `/${vb}/k?tagging&versionId=${dm.VersionId}`);
      assert.equal(onMarker.status, 405);
      assert.equal(onMarker.headers['x-amz-delete-marker'], 'true');
      assert.equal(onMarker.headers.allow, 'DELETE');
      await rejectsWith(
        t.s3.send(new PutObjectTaggingCommand({ Bucket: vb, Key: 'k', Tagging: { TagSet: [{ Key: 'a', Value: 'b' }] } })),
        'MethodNotAllowed',
        405,
      );
      await rejectsWith(
        t.s3.send(new PutObjectTaggingCommand({ Bucket: vb, Key: 'k', VersionId: 'Q'.repeat(32), Tagging: { TagSet: [{ Key: 'a', Value: 'b' }] } })),
        'NoSuchVersion',
        404,
      );
      await rejectsWith(t.s3.send(new GetObjectTaggingCommand({ Bucket: b, Key: 'no-such-object' })), 'NoSuchKey', 404);
    });
  });

  describe('bucket tags', () => {
    it('has no tag set until one is put; put replaces; delete removes', async () => {
      const bb = bucketName('btag');
      await t.s3.send(new CreateBucketCommand({ Bucket: bb }));
      await rejectsWith(t.s3.send(new GetBucketTaggingCommand({ Bucket: bb })), 'NoSuchTagSet', 404);
      await t.s3.send(new PutBucketTaggingCommand({ Bucket: bb, Tagging: { TagSet: [{ Key: 'cost-center', Value: '42' }, { Key: 'env', Value: 'test' }] } }));
      assert.deepEqual((await t.s3.send(new GetBucketTaggingCommand({ Bucket: bb }))).TagSet, [
        { Key: 'cost-center', Value: '42' },
        { Key: 'env', Value: 'test' },
      ]);
      await t.s3.send(new PutBucketTaggingCommand({ Bucket: bb, Tagging: { TagSet: [{ Key: 'env', Value: 'prod' }] } }));
      assert.deepEqual((await t.s3.send(new GetBucketTaggingCommand({ Bucket: bb }))).TagSet, [{ Key: 'env', Value: 'prod' }]);
      const del = await t.s3.send(new DeleteBucketTaggingCommand({ Bucket: bb }));
      assert.equal(del.$metadata.httpStatusCode, 204);
      await rejectsWith(t.s3.send(new GetBucketTaggingCommand({ Bucket: bb })), 'NoSuchTagSet', 404);
      await rejectsWith(t.s3.send(new GetBucketTaggingCommand({ Bucket: 'no-such-bucket-btag' })), 'NoSuchBucket', 404);
    });

    it('accepts 50 tags and refuses more, duplicate keys and aws: keys', async () => {
      const bb = bucketName('btag');
      await t.s3.send(new CreateBucketCommand({ Bucket: bb }));
      const put = (TagSet: Tag[]) => t.s3.send(new PutBucketTaggingCommand({ Bucket: bb, Tagging: { TagSet } }));
      await put(tagSet(50));
      assert.equal((await t.s3.send(new GetBucketTaggingCommand({ Bucket: bb }))).TagSet?.length, 50);
      await rejectsWith(put(tagSet(51)), 'InvalidTag', 400);
      await rejectsWith(put([{ Key: 'a', Value: '1' }, { Key: 'a', Value: '2' }]), 'InvalidTag', 400, /same key/);
      await rejectsWith(put([{ Key: 'aws:cloudformation:stack-name', Value: 's' }]), 'InvalidTag', 400, /System tags/);
      await rejectsWith(put([{ Key: 'k'.repeat(129), Value: 'v' }]), 'InvalidTag', 400);
      assert.equal((await t.s3.send(new GetBucketTaggingCommand({ Bucket: bb }))).TagSet?.length, 50);
    });
  });

  describe('through the minio client', () => {
    it('sets, reads and removes object and bucket tags', async () => {
      await t.minio.putObject(b, 'minio-obj', Buffer.from('data'));
      await t.minio.setObjectTagging(b, 'minio-obj', { tool: 'minio', stage: 'two' });
      const objTags = await t.minio.getObjectTagging(b, 'minio-obj');
      assert.deepEqual(sorted(objTags as Tag[]), [
        { Key: 'stage', Value: 'two' },
        { Key: 'tool', Value: 'minio' },
      ]);
      await t.minio.removeObjectTagging(b, 'minio-obj', { versionId: '' });
      assert.deepEqual(await t.minio.getObjectTagging(b, 'minio-obj'), []);

      await t.minio.setBucketTagging(b, { owner: 'team-a' });
      assert.deepEqual(await t.minio.getBucketTagging(b), [{ Key: 'owner', Value: 'team-a' }]);
      await t.minio.removeBucketTagging(b);
      await assert.rejects(t.minio.getBucketTagging(b), (e: Error & { code?: string }) => e.code === 'NoSuchTagSet');
    });
  });
});
