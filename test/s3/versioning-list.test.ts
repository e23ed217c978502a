import {
  CreateBucketCommand,
  DeleteObjectCommand,
  ListObjectVersionsCommand,
  type ListObjectVersionsCommandOutput,
  PutBucketVersioningCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { signedRequest, xmlField } from '../helpers/raw.js';
import { bucketName, startTestServer, type TestServer } from '../helpers/server.js';

/** Every `<Version>` / `<DeleteMarker>` element of a raw listing, in document order. */
function entries(xml: string): { kind: string; key: string; id: string }[] {
  return [...xml.matchAll(/<(Version|DeleteMarker)><Key>([^<]*)<\/Key><VersionId>([^<]*)<\/VersionId>/g)].map((m) => ({ kind: m[1], key: m[2], id: m[3] }));
}

describe('S3 ListObjectVersions', () => {
  let t: TestServer;
  const b = bucketName('lov');
  /** key -> version ids, newest first (markers included). */
  const history = new Map<string, { id: string; marker: boolean }[]>();
  const record = (key: string, id: string, marker = false) => history.set(key, [{ id, marker }, ...(history.get(key) ?? [])]);

  before(async () => {
    t = await startTestServer();
    await t.s3.send(new CreateBucketCommand({ Bucket: b }));
    await t.s3.send(new PutBucketVersioningCommand({ Bucket: b, VersioningConfiguration: { Status: 'Enabled' } }));
    const keys = ['alpha', 'photos/2024/a.jpg', 'photos/2024/b.jpg', 'photos/2025/c.jpg', 'space key', 'zeta', 'é-accent'];
    for (const key of keys) {
      for (let i = 0; i < 2; i++) record(key, (await t.s3.send(new PutObjectCommand({ Bucket: b, Key: key, Body: `${key} ${i}` }))).VersionId!);
    }
    for (const key of ['alpha', 'zeta']) record(key, (await t.s3.send(new DeleteObjectCommand({ Bucket: b, Key: key }))).VersionId!, true);
    record('alpha', (await t.s3.send(new PutObjectCommand({ Bucket: b, Key: 'alpha', Body: 'back' }))).VersionId!);
  });
  after(() => t.stop());

  const expected = () =>
    [...history.keys()]
      .sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)))
      .flatMap((key) => history.get(key)!.map((v) => ({ kind: v.marker ? 'DeleteMarker' : 'Version', key, id: v.id })));

  it('interleaves versions and delete markers by key, newest first, with IsLatest on the newest only', async () => {
    const raw = await signedRequest(t.url, `/${b}?versions`);
    assert.equal(raw.status, 200);
    const xml = raw.body.toString();
    assert.deepEqual(entries(xml), expected());
    assert.equal(xmlField(xml, 'IsTruncated'), 'false');
    assert.equal(xmlField(xml, 'KeyMarker'), '');
    assert.equal(xmlField(xml, 'VersionIdMarker'), '');
    assert.equal(xmlField(xml, 'MaxKeys'), '1000');
    const r = await t.s3.send(new ListObjectVersionsCommand({ Bucket: b }));
    for (const v of [...(r.Versions ?? []), ...(r.DeleteMarkers ?? [])]) {
      assert.equal(v.IsLatest, history.get(v.Key!)![0].id === v.VersionId, `${v.Key} ${v.VersionId}`);
    }
    const zeta = r.DeleteMarkers!.find((m) => m.Key === 'zeta')!;
    assert.equal(zeta.IsLatest, true);
    assert.ok(zeta.Owner?.ID);
    const alpha = r.Versions!.find((v) => v.Key === 'alpha' && v.IsLatest)!;
    assert.equal(alpha.Size, 4);
    assert.equal(alpha.StorageClass, 'STANDARD');
    assert.match(alpha.ETag!, /^"[0-9a-f]{32}"$/);
  });

  it('pages through everything with NextKeyMarker / NextVersionIdMarker, for several page sizes', async () => {
    for (const pageSize of [1, 2, 3, 4, 7]) {
      const seen: { kind: string; key: string; id: string }[] = [];
      let pages = 0;
      let page: ListObjectVersionsCommandOutput | undefined;
      do {
        page = await t.s3.send(
          new ListObjectVersionsCommand({ Bucket: b, MaxKeys: pageSize, KeyMarker: page?.NextKeyMarker, VersionIdMarker: page?.NextVersionIdMarker }),
        );
        pages++;
        // Within one page the SDK separates the two lists; the document order is checked above.
        const all = [
          ...(page.Versions ?? []).map((v) => ({ kind: 'Version', key: v.Key!, id: v.VersionId! })),
          ...(page.DeleteMarkers ?? []).map((m) => ({ kind: 'DeleteMarker', key: m.Key!, id: m.VersionId! })),
        ];
        assert.ok(all.length <= pageSize);
        if (page.IsTruncated) {
          assert.ok(page.NextKeyMarker);
          assert.ok(page.NextVersionIdMarker);
        }
        seen.push(...all);
      } while (page.IsTruncated && pages < 100);
      const order = expected();
      const pos = (e: { id: string }) => order.findIndex((o) => o.id === e.id);
      assert.deepEqual(seen.sort((x, y) => pos(x) - pos(y)), order, `page size ${pageSize}`);
      assert.ok(pages >= Math.ceil(order.length / pageSize));
    }
  });

  it('continues from a key marker and a version-id marker', async () => {
    const photos = history.get('photos/2024/a.jpg')!;
    const r = await t.s3.send(new ListObjectVersionsCommand({ Bucket: b, KeyMarker: 'photos/2024/a.jpg', VersionIdMarker: photos[0].id, MaxKeys: 2 }));
    assert.deepEqual(
      (r.Versions ?? []).map((v) => [v.Key, v.VersionId]),
      [
        ['photos/2024/a.jpg', photos[1].id],
        ['photos/2024/b.jpg', history.get('photos/2024/b.jpg')![0].id],
      ],
    );
    assert.equal(r.KeyMarker, 'photos/2024/a.jpg');
    assert.equal(r.VersionIdMarker, photos[0].id);
    assert.equal(r.IsTruncated, true);
    assert.equal(r.NextKeyMarker, 'photos/2024/b.jpg');
    assert.equal(r.NextVersionIdMarker, history.get('photos/2024/b.jpg')![0].id);
    const after = await t.s3.send(new ListObjectVersionsCommand({ Bucket: b, KeyMarker: 'space key' }));
    assert.deepEqual([...new Set([...(after.Versions ?? []), ...(after.DeleteMarkers ?? [])].map((v) => v.Key))].sort(), ['zeta', 'é-accent']);
  });

  it('rolls keys up under a delimiter and a prefix', async () => {
    const top = await t.s3.send(new ListObjectVersionsCommand({ Bucket: b, Delimiter: '/' }));
    assert.deepEqual(top.CommonPrefixes?.map((p) => p.Prefix), ['photos/']);
    assert.ok(!(top.Versions ?? []).some((v) => v.Key!.includes('/')));
    assert.equal(top.Delimiter, '/');
    const photos = await t.s3.send(new ListObjectVersionsCommand({ Bucket: b, Prefix: 'photos/', Delimiter: '/' }));
    assert.deepEqual(photos.CommonPrefixes?.map((p) => p.Prefix), ['photos/2024/', 'photos/2025/']);
    assert.equal(photos.Versions, undefined);
    assert.equal(photos.Prefix, 'photos/');
    const y2024 = await t.s3.send(new ListObjectVersionsCommand({ Bucket: b, Prefix: 'photos/2024/' }));
    assert.deepEqual(y2024.Versions?.map((v) => v.Key), ['photos/2024/a.jpg', 'photos/2024/a.jpg', 'photos/2024/b.jpg', 'photos/2024/b.jpg']);
    // A common prefix used as the key marker is not repeated.
    const next = await t.s3.send(new ListObjectVersionsCommand({ Bucket: b, Prefix: 'photos/', Delimiter: '/', KeyMarker: 'photos/2024/', MaxKeys: 5 }));
    assert.deepEqual(next.CommonPrefixes?.map((p) => p.Prefix), ['photos/2025/']);
    const paged = await t.s3.send(new ListObjectVersionsCommand({ Bucket: b, Prefix: 'photos/', Delimiter: '/', MaxKeys: 1 }));
    assert.equal(paged.IsTruncated, true);
    assert.equal(paged.NextKeyMarker, 'photos/2024/');
  });

  it('URL-encodes keys and markers with encoding-type=url', async () => {
    const raw = await signedRequest(t.url, `/${b}?versions&encoding-type=url&prefix=space%20&key-marker=space`);
    const xml = raw.body.toString();
    assert.equal(xmlField(xml, 'EncodingType'), 'url');
    assert.equal(xmlField(xml, 'Prefix'), 'space%20');
    assert.deepEqual([...new Set(entries(xml).map((e) => e.key))], ['space%20key']);
    const accent = await signedRequest(t.url, `/${b}?versions&encoding-type=url&prefix=%C3%A9`);
    assert.deepEqual([...new Set(entries(accent.body.toString()).map((e) => e.key))], ['%C3%A9-accent']);
  });

  it('refuses bad parameters', async () => {
    const cases: [string, string, string][] = [
      [`/${b}?versions&version-id-marker=${history.get('alpha')![0].id}`, 'InvalidArgument', 'A version-id marker cannot be specified without a key marker.'],
      [`/${b}?versions&key-marker=alpha&version-id-marker=nope`, 'InvalidArgument', 'Invalid version id specified'],
      [`/${b}?versions&max-keys=-1`, 'InvalidArgument', ''],
      [`/${b}?versions&max-keys=ten`, 'InvalidArgument', ''],
      [`/${b}?versions&encoding-type=base64`, 'InvalidArgument', ''],
    ];
    for (const [path, code, message] of cases) {
      const r = await signedRequest(t.url, path);
      assert.equal(r.status, 400, path);
      assert.equal(xmlField(r.body, 'Code'), code, path);
      if (message) assert.equal(xmlField(r.body, 'Message'), message, path);
    }
    const none = await signedRequest(t.url, '/no-such-bucket-lov?versions');
    assert.equal(none.status, 404);
    assert.equal(xmlField(none.body, 'Code'), 'NoSuchBucket');
    const zero = await t.s3.send(new ListObjectVersionsCommand({ Bucket: b, MaxKeys: 0 }));
    assert.equal(zero.Versions, undefined);
  });
});
