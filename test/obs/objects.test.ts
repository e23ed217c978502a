import type ObsClient from 'esdk-obs-nodejs';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { bucketName, type TestServer } from '../helpers/server.js';
import { fails, obsClient, ok, OBS_MODES, readAll, startObsServer } from './helpers.js';

const md5 = (b: Buffer | string) => createHash('md5').update(b).digest('hex');

for (const mode of OBS_MODES) {
  describe(`OBS objects through esdk-obs-nodejs (${mode} mode)`, () => {
    let t: TestServer;
    let c: ObsClient;
    const bucket = bucketName('obs-obj');
    let tmp: string;
    before(async () => {
      t = await startObsServer();
      c = await obsClient(t, mode);
      await ok(c.createBucket({ Bucket: bucket }));
      tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'obs-test-'));
    });
    after(async () => {
      c.close();
      await t.stop();
      await fs.rm(tmp, { recursive: true, force: true });
    });

    const getBytes = async (params: Record<string, unknown>) => {
      const r = await ok(c.getObject({ Bucket: bucket, SaveAsStream: true, ...params }));
      return { result: r, bytes: await readAll(r.Content) };
    };

    it('puts text, a stream and a file, with metadata, and reads them back', async () => {
      const put = await ok(c.putObject({ Bucket: bucket, Key: 'text.txt', Body: 'Hello OBS', Metadata: { owner: 'me', project: 'stratus' } }));
      assert.equal(put.ETag, `"${md5('Hello OBS')}"`);
      const md = await ok(c.getObjectMetadata({ Bucket: bucket, Key: 'text.txt' }));
      assert.equal(md.ContentLength, '9');
      // (With a Body the SDK always sends Content-Type: application/json; what it sent is what is stored.)
      assert.equal(md.ContentType, 'application/json');
      assert.deepEqual(md.Metadata, { owner: 'me', project: 'stratus' });

      const data = randomBytes(300 * 1024 + 7);
      await ok(c.putObject({ Bucket: bucket, Key: 'stream.bin', Body: Readable.from([data.subarray(0, 1000), data.subarray(1000)]), ContentLength: data.length }));
      assert.equal(md5((await getBytes({ Key: 'stream.bin' })).bytes), md5(data));

      const file = path.join(tmp, 'upload.bin');
      await fs.writeFile(file, data);
      await ok(c.putObject({ Bucket: bucket, Key: 'file.bin', SourceFile: file, ContentType: 'application/x-test' }));
      assert.equal((await ok(c.getObjectMetadata({ Bucket: bucket, Key: 'file.bin' }))).ContentType, 'application/x-test');
      const got = await getBytes({ Key: 'file.bin' });
      assert.equal(got.bytes.length, data.length);
      assert.equal(md5(got.bytes), md5(data));
      assert.equal(got.result.ETag, `"${md5(data)}"`);
    });

    it('creates a folder: a zero-byte object whose key ends with "/"', async () => {
      await ok(c.putObject({ Bucket: bucket, Key: 'parent/child/' }));
      const md = await ok(c.getObjectMetadata({ Bucket: bucket, Key: 'parent/child/' }));
      assert.equal(md.ContentLength, '0');
      const list = await ok(c.listObjects({ Bucket: bucket, Prefix: 'parent/' }));
      assert.deepEqual(list.Contents.map((o: any) => [o.Key, o.Size]), [['parent/child/', '0']]);
    });

    it('reads ranges, honours conditions and response overrides', async () => {
      const body = 'abcdefghijklmnopqrstuvwxyz';
      const put = await ok(c.putObject({ Bucket: bucket, Key: 'alpha', Body: body }));
      const r = await getBytes({ Key: 'alpha', Range: 'bytes=2-5' });
      assert.equal(r.bytes.toString(), 'cdef');
      assert.equal(r.result.ContentLength, '4');
      // The guide: a range past the end gives the whole object (invalid syntax is ignored).
      assert.equal((await getBytes({ Key: 'alpha', Range: 'bytes=5-1' })).bytes.toString(), body);
      const past = await getBytes({ Key: 'alpha', Range: 'bytes=100-200' });
      assert.equal(past.bytes.toString(), body);
      assert.equal(past.result.ContentLength, String(body.length));
      await fails(c.getObject({ Bucket: bucket, Key: 'alpha', IfMatch: '"0123456789abcdef0123456789abcdef"' }), 412, 'PreconditionFailed');
      await fails(c.getObject({ Bucket: bucket, Key: 'alpha', IfNoneMatch: put.ETag }), 304);
      await fails(c.getObject({ Bucket: bucket, Key: 'alpha', IfModifiedSince: new Date(Date.now() + 3600_000).toUTCString() }), 304);
      await fails(c.getObject({ Bucket: bucket, Key: 'alpha', IfUnmodifiedSince: 'Wed, 01 Jan 2020 00:00:00 GMT' }), 412);
      assert.equal((await getBytes({ Key: 'alpha', IfMatch: put.ETag })).bytes.toString(), body);
      const over = await getBytes({ Key: 'alpha', ResponseContentType: 'application/x-test', ResponseContentDisposition: 'attachment; filename="a.txt"', ResponseCacheControl: 'no-cache' });
      assert.equal(over.result.ContentType, 'application/x-test');
      assert.equal(over.result.ContentDisposition, 'attachment; filename="a.txt"');
      assert.equal(over.result.CacheControl, 'no-cache');
      await fails(c.getObject({ Bucket: bucket, Key: 'no-such-key' }), 404, 'NoSuchKey');
      assert.equal((await fails(c.getObjectMetadata({ Bucket: bucket, Key: 'no-such-key' }), 404)).Code, 'NoSuchKey');
    });

    it('copies with COPY and REPLACE directives and source conditions', async () => {
      const file = path.join(tmp, 'src.txt');
      await fs.writeFile(file, 'copy me');
      await ok(c.putObject({ Bucket: bucket, Key: 'src', SourceFile: file, Metadata: { a: '1' } }));
      const cp = await ok(c.copyObject({ Bucket: bucket, Key: 'dst-copy', CopySource: `${bucket}/src` }));
      assert.equal(cp.ETag, `"${md5('copy me')}"`);
      let md = await ok(c.getObjectMetadata({ Bucket: bucket, Key: 'dst-copy' }));
      assert.deepEqual(md.Metadata, { a: '1' });
      assert.equal(md.ContentType, 'text/plain');
      await ok(c.copyObject({ Bucket: bucket, Key: 'dst-replace', CopySource: `${bucket}/src`, MetadataDirective: 'REPLACE', Metadata: { b: '2' }, ContentType: 'application/x-new' }));
      md = await ok(c.getObjectMetadata({ Bucket: bucket, Key: 'dst-replace' }));
      assert.deepEqual(md.Metadata, { b: '2' });
      assert.equal(md.ContentType, 'application/x-new');
      assert.equal((await getBytes({ Key: 'dst-replace' })).bytes.toString(), 'copy me');
      await fails(c.copyObject({ Bucket: bucket, Key: 'dst-cond', CopySource: `${bucket}/src`, CopySourceIfMatch: '"ffffffffffffffffffffffffffffffff"' }), 412, 'PreconditionFailed');
      await fails(c.copyObject({ Bucket: bucket, Key: 'dst-cond', CopySource: `${bucket}/src`, CopySourceIfNoneMatch: cp.ETag }), 412, 'PreconditionFailed');
      await ok(c.copyObject({ Bucket: bucket, Key: 'dst-cond', CopySource: `${bucket}/src`, CopySourceIfMatch: cp.ETag }));
      await fails(c.copyObject({ Bucket: bucket, Key: 'dst-missing', CopySource: `${bucket}/nope` }), 404, 'NoSuchKey');
    });

    it('lists with prefix, marker, max-keys and delimiter', async () => {
      const b = bucketName('obs-list');
      await ok(c.createBucket({ Bucket: b }));
      for (const k of ['a/1', 'a/2', 'a/b/3', 'b/1', 'c']) await ok(c.putObject({ Bucket: b, Key: k, Body: k }));
      let l = await ok(c.listObjects({ Bucket: b, Prefix: 'a/' }));
      assert.deepEqual(l.Contents.map((o: any) => o.Key), ['a/1', 'a/2', 'a/b/3']);
      l = await ok(c.listObjects({ Bucket: b, Delimiter: '/' }));
      assert.deepEqual(l.Contents.map((o: any) => o.Key), ['c']);
      assert.deepEqual(l.CommonPrefixes.map((p: any) => p.Prefix), ['a/', 'b/']);
      l = await ok(c.listObjects({ Bucket: b, MaxKeys: 2 }));
      assert.deepEqual(l.Contents.map((o: any) => o.Key), ['a/1', 'a/2']);
      assert.equal(l.IsTruncated, 'true');
      l = await ok(c.listObjects({ Bucket: b, Marker: 'a/2', MaxKeys: 2 }));
      assert.deepEqual(l.Contents.map((o: any) => o.Key), ['a/b/3', 'b/1']);
      l = await ok(c.listObjects({ Bucket: b, Prefix: 'a/', Delimiter: '/', Marker: 'a/1' }));
      assert.deepEqual(l.Contents.map((o: any) => o.Key), ['a/2']);
      assert.deepEqual(l.CommonPrefixes.map((p: any) => p.Prefix), ['a/b/']);
    });

    it('deletes objects one by one and in batches, quiet and verbose', async () => {
      const keys = Array.from({ length: 12 }, (_, i) => `del/${i}`);
      for (const k of keys) await ok(c.putObject({ Bucket: bucket, Key: k, Body: 'x' }));
      await ok(c.deleteObject({ Bucket: bucket, Key: 'del/0' }));
      await fails(c.getObjectMetadata({ Bucket: bucket, Key: 'del/0' }), 404);
      const verbose = await ok(c.deleteObjects({ Bucket: bucket, Quiet: false, Objects: keys.slice(1, 6).map((Key) => ({ Key })) }));
      assert.deepEqual(verbose.Deleteds.map((d: any) => d.Key).sort(), keys.slice(1, 6).sort());
      const quiet = await ok(c.deleteObjects({ Bucket: bucket, Quiet: true, Objects: keys.slice(6).map((Key) => ({ Key })) }));
      assert.equal((quiet.Deleteds ?? []).length, 0);
      assert.equal((quiet.Errors ?? []).length, 0);
      const l = await ok(c.listObjects({ Bucket: bucket, Prefix: 'del/' }));
      assert.equal(l.Contents.length, 0);
    });

    it('sets and reads object ACLs, canned and explicit', async () => {
      await ok(c.putObject({ Bucket: bucket, Key: 'acl-obj', Body: 'x', ACL: 'public-read' }));
      let acl = await ok(c.getObjectAcl({ Bucket: bucket, Key: 'acl-obj' }));
      const everyone = mode === 'obs' ? 'Everyone' : 'http://acs.amazonaws.com/groups/global/AllUsers';
      assert.ok(acl.Grants.some((g: any) => g.Grantee.URI === everyone && g.Permission === 'READ'), JSON.stringify(acl));
      assert.ok(acl.Owner.ID);
      await ok(c.setObjectAcl({ Bucket: bucket, Key: 'acl-obj', ACL: 'private' }));
      acl = await ok(c.getObjectAcl({ Bucket: bucket, Key: 'acl-obj' }));
      assert.equal(acl.Grants.length, 1);
      assert.equal(acl.Grants[0].Permission, 'FULL_CONTROL');
      const owner = acl.Owner.ID;
      await ok(
        c.setObjectAcl({
          Bucket: bucket,
          Key: 'acl-obj',
          Owner: { ID: owner },
          Grants: [
            { Grantee: { Type: 'CanonicalUser', ID: owner }, Permission: 'FULL_CONTROL' },
            { Grantee: { Type: 'Group', URI: 'AllUsers' }, Permission: 'READ_ACP' },
          ],
        }),
      );
      acl = await ok(c.getObjectAcl({ Bucket: bucket, Key: 'acl-obj' }));
      assert.deepEqual(
        acl.Grants.map((g: any) => [g.Grantee.ID || g.Grantee.URI, g.Permission]),
        [
          [owner, 'FULL_CONTROL'],
          [everyone, 'READ_ACP'],
        ],
      );
      // The object's data is untouched.
      assert.equal((await getBytes({ Key: 'acl-obj' })).bytes.toString(), 'x');
      await fails(c.getObjectAcl({ Bucket: bucket, Key: 'no-such-key' }), 404, 'NoSuchKey');
    });
  });
}
