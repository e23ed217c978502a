import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { signedRequest, xmlField } from '../helpers/raw.js';
import { bucketName, startTestServer, storedFiles, type TestServer } from '../helpers/server.js';

type SdkError = Error & { $metadata?: { httpStatusCode?: number }; $response?: { headers?: Record<string, string> } };

const rejectsWith = (p: Promise<unknown>, name: string, status: number) =>
  assert.rejects(p, (e: SdkError) => {
    assert.equal(e.name, name);
    assert.equal(e.$metadata?.httpStatusCode, status);
    return true;
  });

async function text(s3: S3Client, Bucket: string, Key: string, VersionId?: string) {
  const r = await s3.send(new GetObjectCommand({ Bucket, Key, VersionId }));
  return { body: await r.Body!.transformToString(), versionId: r.VersionId };
}

async function listing(s3: S3Client, Bucket: string, Prefix?: string) {
  const r = await s3.send(new ListObjectVersionsCommand({ Bucket, Prefix }));
  return {
    versions: (r.Versions ?? []).map((v) => ({ key: v.Key, id: v.VersionId, latest: v.IsLatest, size: v.Size, etag: v.ETag })),
    markers: (r.DeleteMarkers ?? []).map((m) => ({ key: m.Key, id: m.VersionId, latest: m.IsLatest })),
  };
}

describe('S3 versioning through @aws-sdk/client-s3', () => {
  let t: TestServer;
  const create = async (status?: 'Enabled' | 'Suspended') => {
    const b = bucketName('ver');
    await t.s3.send(new CreateBucketCommand({ Bucket: b }));
    if (status) await t.s3.send(new PutBucketVersioningCommand({ Bucket: b, VersioningConfiguration: { Status: status } }));
    return b;
  };
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.stop());

  describe('bucket versioning configuration', () => {
    it('reports nothing for a new bucket, then Enabled and Suspended as set', async () => {
      const b = await create();
      const fresh = await t.s3.send(new GetBucketVersioningCommand({ Bucket: b }));
      assert.equal(fresh.Status, undefined);
      const raw = await signedRequest(t.url, `/${b}?versioning`);
      assert.equal(raw.status, 200);
      assert.match(raw.body.toString(), /<VersioningConfiguration xmlns="http:\/\/s3\.amazonaws\.com\/doc\/2006-03-01\/"><\/VersioningConfiguration>/);
      for (const Status of ['Enabled', 'Suspended', 'Enabled'] as const) {
        await t.s3.send(new PutBucketVersioningCommand({ Bucket: b, VersioningConfiguration: { Status } }));
        assert.equal((await t.s3.send(new GetBucketVersioningCommand({ Bucket: b }))).Status, Status);
      }
    });

    it('refuses bad configurations with S3 errors', async () => {
      const b = await create();
      const put = (body: string) => signedRequest(t.url, `/${b}?versioning`, { method: 'PUT', body });
      const cases: [string, number, string][] = [
        ['<VersioningConfiguration><Status>On</Status></VersioningConfiguration>', 400, 'MalformedXML'],
        ['<VersioningConfiguration><Status>Enabled</Status>', 400, 'MalformedXML'],
        ['<Other><Status>Enabled</Status></Other>', 400, 'MalformedXML'],
        ['<VersioningConfiguration></VersioningConfiguration>', 400, 'IllegalVersioningConfigurationException'],
        ['<VersioningConfiguration><Status></Status></VersioningConfiguration>', 400, 'IllegalVersioningConfigurationException'],
        ['<VersioningConfiguration><Status>Enabled</Status><MfaDelete>Maybe</MfaDelete></VersioningConfiguration>', 400, 'MalformedXML'],
        ['<VersioningConfiguration><Status>Enabled</Status><MfaDelete>Enabled</MfaDelete></VersioningConfiguration>', 501, 'NotImplemented'],
      ];
      for (const [body, status, code] of cases) {
        const r = await put(body);
        assert.equal(r.status, status, body);
        assert.equal(xmlField(r.body, 'Code'), code, body);
      }
      assert.equal((await t.s3.send(new GetBucketVersioningCommand({ Bucket: b }))).Status, undefined);
      const ok = await put('<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Status>Suspended</Status><MfaDelete>Disabled</MfaDelete></VersioningConfiguration>');
      assert.equal(ok.status, 200);
      assert.equal((await t.s3.send(new GetBucketVersioningCommand({ Bucket: b }))).Status, 'Suspended');
      await rejectsWith(t.s3.send(new GetBucketVersioningCommand({ Bucket: 'no-such-bucket-ver' })), 'NoSuchBucket', 404);
    });
  });

  describe('enabled bucket', () => {
    let b: string;
    const ids: string[] = [];
    let markerId: string;
    before(async () => {
      b = await create('Enabled');
      for (const body of ['one', 'two', 'three']) {
        const r = await t.s3.send(new PutObjectCommand({ Bucket: b, Key: 'doc.txt', Body: body }));
        assert.match(r.VersionId!, /^[0-9A-Za-z]{32}$/);
        ids.push(r.VersionId!);
      }
      const del = await t.s3.send(new DeleteObjectCommand({ Bucket: b, Key: 'doc.txt' }));
      assert.equal(del.DeleteMarker, true);
      markerId = del.VersionId!;
    });

    it('lists every version and the delete marker, then reads each version back', async () => {
      const l = await listing(t.s3, b);
      assert.deepEqual(
        l.versions.map((v) => [v.id, v.latest, v.size]),
        [
          [ids[2], false, 5],
          [ids[1], false, 3],
          [ids[0], false, 3],
        ],
      );
      assert.deepEqual(l.markers, [{ key: 'doc.txt', id: markerId, latest: true }]);
      for (const [i, body] of ['one', 'two', 'three'].entries()) {
        const got = await text(t.s3, b, 'doc.txt', ids[i]);
        assert.deepEqual(got, { body, versionId: ids[i] });
        const head = await t.s3.send(new HeadObjectCommand({ Bucket: b, Key: 'doc.txt', VersionId: ids[i] }));
        assert.equal(head.VersionId, ids[i]);
        assert.equal(head.ContentLength, body.length);
      }
    });

    it('answers 404 with delete-marker headers for the key, and 405 for the marker by version id', async () => {
      await rejectsWith(t.s3.send(new GetObjectCommand({ Bucket: b, Key: 'doc.txt' })), 'NoSuchKey', 404);
      const get = await signedRequest(t.url, `/${b}/doc.txt`);
      assert.equal(get.status, 404);
      assert.equal(get.headers['x-amz-delete-marker'], 'true');
      assert.equal(get.headers['x-amz-version-id'], markerId);
      const head = await signedRequest(t.url, `/${b}/doc.txt`, { method: 'HEAD' });
      assert.equal(head.status, 404);
      assert.equal(head.headers['x-amz-delete-marker'], 'true');

      const byId = await signedRequest(t.url, `/${b}/doc.txt?versionId=${markerId}`);
      assert.equal(byId.status, 405);
      assert.equal(xmlField(byId.body, 'Code'), 'MethodNotAllowed');
      assert.equal(xmlField(byId.body, 'Method'), 'GET');
      assert.equal(xmlField(byId.body, 'ResourceType'), 'DeleteMarker');
      assert.equal(byId.headers['x-amz-delete-marker'], 'true');
      assert.equal(byId.headers['x-amz-version-id'], markerId);
      assert.equal(byId.headers.allow, 'DELETE');
      assert.ok(byId.headers['last-modified']);
      const headById = await signedRequest(t.url, `/${b}/doc.txt?versionId=${markerId}`, { method: 'HEAD' });
      assert.equal(headById.status, 405);
      assert.equal(headById.headers['x-amz-delete-marker'], 'true');
      await rejectsWith(t.s3.send(new GetObjectCommand({ Bucket: b, Key: 'doc.txt', VersionId: markerId })), 'MethodNotAllowed', 405);
    });

    it('refuses malformed version ids and answers NoSuchVersion for unknown ones', async () => {
      const bad = await signedRequest(t.url, `/${b}/doc.txt?versionId=not-a-version`);
      assert.equal(bad.status, 400);
      assert.equal(xmlField(bad.body, 'Code'), 'InvalidArgument');
      assert.equal(xmlField(bad.body, 'Message'), 'Invalid version id specified');
      const empty = await signedRequest(t.url, `/${b}/doc.txt?versionId=`);
      assert.equal(empty.status, 400);
      assert.equal(xmlField(empty.body, 'Message'), 'Version id cannot be the empty string');
      await rejectsWith(t.s3.send(new GetObjectCommand({ Bucket: b, Key: 'doc.txt', VersionId: 'Z'.repeat(32) })), 'NoSuchVersion', 404);
    });

    it('deleting the delete marker makes the object reappear; deleting the latest version promotes the previous one', async () => {
      const k = 'promote.txt';
      const v1 = await t.s3.send(new PutObjectCommand({ Bucket: b, Key: k, Body: 'first' }));
      const v2 = await t.s3.send(new PutObjectCommand({ Bucket: b, Key: k, Body: 'second' }));
      const dm = await t.s3.send(new DeleteObjectCommand({ Bucket: b, Key: k }));
      const undo = await t.s3.send(new DeleteObjectCommand({ Bucket: b, Key: k, VersionId: dm.VersionId }));
      assert.equal(undo.DeleteMarker, true);
      assert.equal(undo.VersionId, dm.VersionId);
      assert.deepEqual(await text(t.s3, b, k), { body: 'second', versionId: v2.VersionId });
      const gone = await t.s3.send(new DeleteObjectCommand({ Bucket: b, Key: k, VersionId: v2.VersionId }));
      assert.equal(gone.VersionId, v2.VersionId);
      assert.equal(gone.DeleteMarker, undefined);
      assert.deepEqual(await text(t.s3, b, k), { body: 'first', versionId: v1.VersionId });
      const l = await listing(t.s3, b, k);
      assert.deepEqual(l.versions.map((v) => [v.id, v.latest]), [[v1.VersionId, true]]);
      assert.deepEqual(l.markers, []);
    });

    it('copies from a named source version (x-amz-copy-source-version-id) and refuses a delete marker source', async () => {
      const r = await t.s3.send(new CopyObjectCommand({ Bucket: b, Key: 'copy.txt', CopySource: `${b}/doc.txt?versionId=${ids[0]}` }));
      assert.equal(r.CopySourceVersionId, ids[0]);
      assert.match(r.VersionId!, /^[0-9A-Za-z]{32}$/);
      assert.equal((await text(t.s3, b, 'copy.txt')).body, 'one');
      await rejectsWith(t.s3.send(new CopyObjectCommand({ Bucket: b, Key: 'copy2.txt', CopySource: `${b}/doc.txt` })), 'NoSuchKey', 404);
      const dm = await signedRequest(t.url, `/${b}/copy3.txt`, { method: 'PUT', headers: { 'x-amz-copy-source': `${b}/doc.txt?versionId=${markerId}` } });
      assert.equal(dm.status, 400);
      assert.equal(xmlField(dm.body, 'Code'), 'InvalidRequest');
      assert.equal(xmlField(dm.body, 'Message'), 'The source of a copy request may not specifically refer to a delete marker by version id.');
    });

    it('deletes versions in a batch with DeleteObjects', async () => {
      const k = 'batch.txt';
      const v1 = await t.s3.send(new PutObjectCommand({ Bucket: b, Key: k, Body: 'a' }));
      const v2 = await t.s3.send(new PutObjectCommand({ Bucket: b, Key: k, Body: 'b' }));
      const r = await t.s3.send(
        new DeleteObjectsCommand({
          Bucket: b,
          Delete: { Objects: [{ Key: k, VersionId: v1.VersionId }, { Key: 'other.txt' }, { Key: k, VersionId: 'bad-version' }] },
        }),
      );
      const deleted = r.Deleted ?? [];
      assert.deepEqual(deleted.find((d) => d.Key === k), { Key: k, VersionId: v1.VersionId });
      const other = deleted.find((d) => d.Key === 'other.txt')!;
      assert.equal(other.DeleteMarker, true);
      assert.match(other.DeleteMarkerVersionId!, /^[0-9A-Za-z]{32}$/);
      assert.deepEqual(
        (r.Errors ?? []).map((e) => [e.Key, e.VersionId, e.Code]),
        [[k, 'bad-version', 'InvalidArgument']],
      );
      const l = await listing(t.s3, b, k);
      assert.deepEqual(l.versions.map((v) => v.id), [v2.VersionId]);
      // Deleting the marker it created, and the remaining version, by id.
      const r2 = await t.s3.send(
        new DeleteObjectsCommand({ Bucket: b, Delete: { Objects: [{ Key: 'other.txt', VersionId: other.DeleteMarkerVersionId }, { Key: k, VersionId: v2.VersionId }] } }),
      );
      assert.deepEqual(
        (r2.Deleted ?? []).map((d) => [d.Key, d.VersionId, d.DeleteMarker ?? false]),
        [
          ['other.txt', other.DeleteMarkerVersionId, true],
          [k, v2.VersionId, false],
        ],
      );
      assert.deepEqual(await listing(t.s3, b, 'other.txt'), { versions: [], markers: [] });
    });
  });

  describe('suspended bucket', () => {
    it('replaces the null version, announces it as null on reads, and keeps older versions', async () => {
      const b = await create('Enabled');
      const v1 = await t.s3.send(new PutObjectCommand({ Bucket: b, Key: 'k', Body: 'versioned' }));
      await t.s3.send(new PutBucketVersioningCommand({ Bucket: b, VersioningConfiguration: { Status: 'Suspended' } }));
      const p1 = await t.s3.send(new PutObjectCommand({ Bucket: b, Key: 'k', Body: 'null one' }));
      assert.equal(p1.VersionId, undefined, 'S3 sends no version id for a write in a suspended bucket');
      const files = (await storedFiles(t.dataDir)).length;
      await t.s3.send(new PutObjectCommand({ Bucket: b, Key: 'k', Body: 'null two' }));
      assert.equal((await storedFiles(t.dataDir)).length, files, 'the replaced null version left nothing behind');
      assert.deepEqual(await text(t.s3, b, 'k'), { body: 'null two', versionId: 'null' });
      assert.deepEqual(await text(t.s3, b, 'k', 'null'), { body: 'null two', versionId: 'null' });
      assert.equal((await t.s3.send(new HeadObjectCommand({ Bucket: b, Key: 'k' }))).VersionId, 'null');
      assert.deepEqual(await text(t.s3, b, 'k', v1.VersionId), { body: 'versioned', versionId: v1.VersionId });
      let l = await listing(t.s3, b);
      assert.deepEqual(l.versions.map((v) => [v.id, v.latest, v.size]), [
        ['null', true, 8],
        [v1.VersionId, false, 9],
      ]);

      const del = await t.s3.send(new DeleteObjectCommand({ Bucket: b, Key: 'k' }));
      assert.equal(del.DeleteMarker, true);
      assert.equal(del.VersionId, 'null');
      l = await listing(t.s3, b);
      assert.deepEqual(l.markers, [{ key: 'k', id: 'null', latest: true }]);
      assert.deepEqual(l.versions.map((v) => [v.id, v.latest]), [[v1.VersionId, false]]);
      await rejectsWith(t.s3.send(new GetObjectCommand({ Bucket: b, Key: 'k' })), 'NoSuchKey', 404);
      // Removing the null marker by id restores the older version.
      await t.s3.send(new DeleteObjectCommand({ Bucket: b, Key: 'k', VersionId: 'null' }));
      assert.deepEqual(await text(t.s3, b, 'k'), { body: 'versioned', versionId: v1.VersionId });
    });

    it('a never-versioned bucket sends no version id, but serves ?versionId=null', async () => {
      const b = await create();
      const p = await t.s3.send(new PutObjectCommand({ Bucket: b, Key: 'k', Body: 'plain' }));
      assert.equal(p.VersionId, undefined);
      const raw = await signedRequest(t.url, `/${b}/k`);
      assert.equal(raw.headers['x-amz-version-id'], undefined);
      assert.deepEqual(await text(t.s3, b, 'k', 'null'), { body: 'plain', versionId: undefined });
      const l = await listing(t.s3, b);
      assert.deepEqual(l.versions.map((v) => [v.key, v.id, v.latest]), [['k', 'null', true]]);
      const d = await t.s3.send(new DeleteObjectCommand({ Bucket: b, Key: 'k' }));
      assert.equal(d.DeleteMarker, undefined);
      assert.deepEqual(await listing(t.s3, b), { versions: [], markers: [] });
    });
  });
});

describe('S3 versioning through the minio client', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.stop());

  it('configures versioning, lists versions, reads and removes them by id', async () => {
    const b = bucketName('mver');
    await t.minio.makeBucket(b, 'us-east-1');
    await t.minio.setBucketVersioning(b, { Status: 'Enabled' });
    assert.deepEqual(await t.minio.getBucketVersioning(b), { Status: 'Enabled' });
    const v1 = await t.minio.putObject(b, 'dir/file.txt', Buffer.from('one'));
    const v2 = await t.minio.putObject(b, 'dir/file.txt', Buffer.from('two'));
    assert.ok(v1.versionId && v2.versionId && v1.versionId !== v2.versionId);
    const stat = await t.minio.statObject(b, 'dir/file.txt', { versionId: v1.versionId! });
    assert.equal(stat.size, 3);
    assert.equal(stat.versionId, v1.versionId);

    const listed: { name?: string; versionId?: string | null; isLatest?: boolean; isDeleteMarker?: boolean }[] = [];
    for await (const o of t.minio.listObjects(b, '', true, { IncludeVersion: true })) listed.push(o);
    assert.deepEqual(
      listed.map((o) => [o.name, o.versionId, o.isLatest, o.isDeleteMarker]),
      [
        ['dir/file.txt', v2.versionId, true, false],
        ['dir/file.txt', v1.versionId, false, false],
      ],
    );

    await t.minio.removeObject(b, 'dir/file.txt', { versionId: v2.versionId! });
    const chunks: Buffer[] = [];
    for await (const c of await t.minio.getObject(b, 'dir/file.txt')) chunks.push(c as Buffer);
    assert.equal(Buffer.concat(chunks).toString(), 'one');
    await t.minio.removeObjects(b, [{ name: 'dir/file.txt', versionId: v1.versionId! }]);
    const rest: unknown[] = [];
    for await (const o of t.minio.listObjects(b, '', true, { IncludeVersion: true })) rest.push(o);
    assert.deepEqual(rest, []);
    await t.minio.removeBucket(b);
  });
});
