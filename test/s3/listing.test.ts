import { CreateBucketCommand, ListObjectsCommand, ListObjectsV2Command, PutObjectCommand, paginateListObjectsV2 } from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertS3Error, signedRequest, xmlField, xmlFields } from '../helpers/raw.js';
import { bucketName, startTestServer, type TestServer } from '../helpers/server.js';

const utf8Order = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** What a complete listing must return, in order: keys as 'K:key', common prefixes as 'P:prefix'. */
function model(keys: string[], prefix = '', delimiter = ''): string[] {
  const out: string[] = [];
  for (const k of [...keys].sort(utf8Order)) {
    if (!k.startsWith(prefix)) continue;
    const cut = delimiter ? k.indexOf(delimiter, prefix.length) : -1;
    const e = cut >= 0 ? 'P:' + k.slice(0, cut + delimiter.length) : 'K:' + k;
    if (out[out.length - 1] !== e) out.push(e);
  }
  return out;
}

// A few prefixes with many keys each, plus keys that sort right around the delimiter.
const MANY: string[] = [];
for (const p of ['alpha/', 'beta/', 'gamma/']) for (let i = 0; i < 30; i++) MANY.push(`${p}${String(i).padStart(3, '0')}`);
for (let i = 0; i < 6; i++) MANY.push(`beta/sub/${i}`, `gamma/sub${i}/x`);
MANY.push('alpha', 'alpha.txt', 'alpha-', 'alpha0', 'beta/', 'top1', 'top2', 'top3', 'zeta/only', 'z', '\uFFFD', '\u{1F600}', '\u{1F600}/x', 'é/1', 'é/2');

// Keys that need URL encoding in listings.
const ENC = ['enc/a b.txt', 'enc/ü+.txt', 'enc/sub dir/x', 'enc/%41', 'enc/\u{1F600}'];

describe('listing', () => {
  let t: TestServer;
  const bucket = bucketName('list');
  before(async () => {
    t = await startTestServer();
    await t.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const queue = [...MANY];
    await Promise.all(
      Array.from({ length: 6 }, async () => {
        for (let k = queue.shift(); k !== undefined; k = queue.shift()) await t.s3.send(new PutObjectCommand({ Bucket: bucket, Key: k, Body: 'x' }));
      }),
    );
  });
  after(() => t.stop());

  async function allV2(opts: { Prefix?: string; Delimiter?: string; MaxKeys: number; StartAfter?: string }): Promise<string[]> {
    const out: string[] = [];
    let token: string | undefined;
    for (let pages = 0; ; pages++) {
      assert.ok(pages < 500, 'too many pages');
      const r = await t.s3.send(new ListObjectsV2Command({ Bucket: bucket, ...opts, ContinuationToken: token }));
      const page = [...(r.Contents ?? []).map((c) => 'K:' + c.Key), ...(r.CommonPrefixes ?? []).map((p) => 'P:' + p.Prefix)];
      assert.ok(page.length <= opts.MaxKeys, `page of ${page.length} > ${opts.MaxKeys}`);
      assert.equal(r.KeyCount, page.length);
      // Contents and prefixes come as two lists: merge them back into key order.
      out.push(...page.sort((a, b) => utf8Order(a.slice(2), b.slice(2))));
      if (!r.IsTruncated) {
        assert.equal(r.NextContinuationToken, undefined);
        return out;
      }
      assert.ok(r.NextContinuationToken, 'a truncated V2 page has a token');
      assert.ok(page.length > 0, 'a truncated page is not empty');
      token = r.NextContinuationToken;
    }
  }

  async function allV1(opts: { Prefix?: string; Delimiter?: string; MaxKeys: number }): Promise<string[]> {
    const out: string[] = [];
    let marker: string | undefined;
    for (let pages = 0; ; pages++) {
      assert.ok(pages < 500, 'too many pages');
      const r = await t.s3.send(new ListObjectsCommand({ Bucket: bucket, ...opts, Marker: marker }));
      const page = [...(r.Contents ?? []).map((c) => 'K:' + c.Key), ...(r.CommonPrefixes ?? []).map((p) => 'P:' + p.Prefix)].sort((a, b) =>
        utf8Order(a.slice(2), b.slice(2)),
      );
      assert.ok(page.length <= opts.MaxKeys);
      assert.equal(r.Marker ?? '', marker ?? '');
      out.push(...page);
      if (!r.IsTruncated) return out;
      if (opts.Delimiter) {
        // With a delimiter S3 gives NextMarker: the last key or prefix of the page.
        assert.equal(r.NextMarker, page[page.length - 1].slice(2));
        marker = r.NextMarker;
      } else {
        assert.equal(r.NextMarker, undefined);
        marker = page[page.length - 1].slice(2);
      }
    }
  }

  describe('order', () => {
    it('orders keys by their UTF-8 bytes, not UTF-16 units', async () => {
      // In UTF-16 U+1F600 (a surrogate pair, 0xD83D...) sorts before U+FFFD; in UTF-8 (F0 9F...) after EF BF BD.
      assert.ok('\u{1F600}' < '\uFFFD');
      const r = await t.s3.send(new ListObjectsV2Command({ Bucket: bucket }));
      const keys = r.Contents!.map((c) => c.Key!);
      assert.deepEqual(keys, [...MANY].sort(utf8Order));
      assert.ok(keys.indexOf('\uFFFD') < keys.indexOf('\u{1F600}'));
      assert.ok(keys.indexOf('é/2') < keys.indexOf('\uFFFD'));
    });

    it('pages across astral keys with start-after and tokens', async () => {
      const r = await t.s3.send(new ListObjectsV2Command({ Bucket: bucket, StartAfter: '\uFFFD' }));
      assert.deepEqual(r.Contents!.map((c) => c.Key), ['\u{1F600}', '\u{1F600}/x']);
      assert.deepEqual(await allV2({ MaxKeys: 1, StartAfter: 'é/2' }), ['K:\uFFFD', 'K:\u{1F600}', 'K:\u{1F600}/x']);
      assert.deepEqual(await allV2({ MaxKeys: 1, StartAfter: 'é/2', Delimiter: '/' }), ['K:\uFFFD', 'K:\u{1F600}', 'P:\u{1F600}/']);
    });
  });

  describe('pages with small max-keys: no duplicates, no gaps', () => {
    // Every page size for the delimiter listings; fewer for the long flat ones (they cost a request per page).
    const cases: [{ Prefix?: string; Delimiter?: string }, number[]][] = [
      [{ Delimiter: '/' }, [1, 2, 7]],
      [{ Prefix: 'beta/', Delimiter: '/' }, [1, 2, 7]],
      [{ Prefix: 'gamma/', Delimiter: '/' }, [1, 7]],
      [{ Prefix: 'alpha', Delimiter: '/' }, [1, 2, 7]],
      [{ Prefix: 'gamma/s', Delimiter: '/' }, [1, 2]],
      [{ Delimiter: 'a' }, [1, 2, 7]],
      [{ Delimiter: '/sub' }, [3, 7]],
      [{}, [5, 50]],
      [{ Prefix: 'beta/' }, [2, 7]],
    ];
    for (const [c, sizes] of cases) {
      for (const maxKeys of sizes) {
        it(`V2 and V1 with ${JSON.stringify(c)} and max-keys ${maxKeys}`, async () => {
          const want = model(MANY, c.Prefix ?? '', c.Delimiter ?? '');
          assert.ok(want.length > 0);
          assert.deepEqual(await allV2({ ...c, MaxKeys: maxKeys }), want);
          assert.deepEqual(await allV1({ ...c, MaxKeys: maxKeys }), want);
        });
      }
    }

    it('the SDK paginator walks every key once', async () => {
      const seen: string[] = [];
      for await (const page of paginateListObjectsV2({ client: t.s3, pageSize: 13 }, { Bucket: bucket, Prefix: 'gamma/' })) {
        for (const c of page.Contents ?? []) seen.push(c.Key!);
      }
      assert.deepEqual(seen, MANY.filter((k) => k.startsWith('gamma/')).sort(utf8Order));
    });
  });

  describe('parameters', () => {
    it('answers a delimiter listing with keys and common prefixes', async () => {
      const r = await t.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'beta/', Delimiter: '/' }));
      assert.equal(r.Prefix, 'beta/');
      assert.equal(r.Delimiter, '/');
      assert.deepEqual(r.CommonPrefixes?.map((p) => p.Prefix), ['beta/sub/']);
      assert.equal(r.Contents?.[0].Key, 'beta/'); // the "folder" key itself is content under its own prefix
      assert.equal(r.Contents?.length, 31);
      assert.equal(r.KeyCount, 32);
    });

    it('starts after a marker (V1) and start-after (V2), also one outside the prefix', async () => {
      const v1 = await t.s3.send(new ListObjectsCommand({ Bucket: bucket, Prefix: 'alpha/', Marker: 'alpha/027' }));
      assert.deepEqual(v1.Contents?.map((c) => c.Key), ['alpha/028', 'alpha/029']);
      const v2 = await t.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'alpha/', StartAfter: 'alpha/027' }));
      assert.deepEqual(v2.Contents?.map((c) => c.Key), ['alpha/028', 'alpha/029']);
      assert.equal(v2.StartAfter, 'alpha/027');
      const before = await t.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'top', StartAfter: 'a' }));
      assert.deepEqual(before.Contents?.map((c) => c.Key), ['top1', 'top2', 'top3']);
      const beyond = await t.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'top', StartAfter: 'u' }));
      assert.equal(beyond.KeyCount, 0);
      assert.equal(beyond.IsTruncated, false);
    });

    it('a continuation token wins over start-after', async () => {
      const first = await t.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'top', MaxKeys: 1 }));
      assert.equal(first.IsTruncated, true);
      const next = await t.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'top', StartAfter: 'top2', ContinuationToken: first.NextContinuationToken }));
      assert.equal(next.ContinuationToken, first.NextContinuationToken);
      assert.deepEqual(next.Contents?.map((c) => c.Key), ['top2', 'top3']);
    });

    it('caps max-keys at 1000 and returns IsTruncated when it cuts', async () => {
      const r = await t.s3.send(new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 5000 }));
      assert.equal(r.KeyCount, MANY.length);
      assert.equal(r.IsTruncated, false);
      const cut = await t.s3.send(new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 3 }));
      assert.equal(cut.KeyCount, 3);
      assert.equal(cut.MaxKeys, 3);
      assert.equal(cut.IsTruncated, true);
    });

    it('reports the owner in V1 always, in V2 only with fetch-owner', async () => {
      const v1 = await t.s3.send(new ListObjectsCommand({ Bucket: bucket, Prefix: 'top1' }));
      assert.ok(v1.Contents?.[0].Owner?.ID);
      const v2 = await t.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'top1' }));
      assert.equal(v2.Contents?.[0].Owner, undefined);
      const owned = await t.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'top1', FetchOwner: true }));
      assert.ok(owned.Contents?.[0].Owner?.ID);
      const c = owned.Contents![0];
      assert.equal(c.Size, 1);
      assert.equal(c.ETag, '"9dd4e461268c8034f5c8564e155c67a6"');
      assert.equal(c.StorageClass, 'STANDARD');
      assert.ok(c.LastModified instanceof Date);
    });

    it('accepts RGW\'s allow-unordered (ordered answers satisfy it) and refuses it with a delimiter, as RGW does', async () => {
      const v1 = await signedRequest(t.url, `/${bucket}?allow-unordered=true&prefix=top`);
      assert.equal(v1.status, 200);
      assert.deepEqual(xmlFields(v1.body.toString(), 'Key'), ['top1', 'top2', 'top3']);
      const v2 = await signedRequest(t.url, `/${bucket}?list-type=2&allow-unordered=true&prefix=alpha%2F&max-keys=2`);
      assert.equal(v2.status, 200);
      assert.deepEqual(xmlFields(v2.body.toString(), 'Key'), ['alpha/000', 'alpha/001']);
      for (const q of ['allow-unordered=true&delimiter=%2F', 'list-type=2&allow-unordered=true&delimiter=%2F']) {
        assertS3Error(await signedRequest(t.url, `/${bucket}?${q}`), 400, 'InvalidArgument');
      }
    });

    it('refuses a bad max-keys, encoding-type or continuation token with InvalidArgument', async () => {
      for (const q of ['max-keys=-1', 'max-keys=ten', 'encoding-type=base64', 'list-type=2&continuation-token=%21%21not-a-token']) {
        assertS3Error(await signedRequest(t.url, `/${bucket}?${q}`), 400, 'InvalidArgument');
      }
      assertS3Error(await signedRequest(t.url, `/${bucketName('none')}?list-type=2`), 404, 'NoSuchBucket');
    });
  });

  describe('encoding-type=url', () => {
    before(async () => {
      for (const k of ENC) await t.s3.send(new PutObjectCommand({ Bucket: bucket, Key: k, Body: 'x' }));
    });

    it('URL-encodes keys, prefixes, delimiter and start-after in V2', async () => {
      const r = await signedRequest(t.url, `/${bucket}?list-type=2&encoding-type=url&prefix=enc%2F&delimiter=%2F&start-after=enc%2F%20`);
      assert.equal(r.status, 200);
      const body = r.body.toString();
      assert.equal(xmlField(body, 'EncodingType'), 'url');
      assert.equal(xmlField(body, 'StartAfter'), 'enc/%20');
      assert.deepEqual(xmlFields(body, 'Key'), ['enc/%2541', 'enc/a%20b.txt', 'enc/%C3%BC%2B.txt', 'enc/%F0%9F%98%80']);
      assert.deepEqual(xmlFields(body, 'Prefix'), ['enc/', 'enc/sub%20dir/']);
      assert.equal(xmlField(body, 'Delimiter'), '/');
    });

    it('leaves Prefix as it is in V1 (boto3 does not decode it), encodes it in V2', async () => {
      const v1 = await signedRequest(t.url, `/${bucket}?encoding-type=url&prefix=enc%2Fa%20b%0A`);
      assert.equal(v1.status, 200);
      assert.equal(xmlField(v1.body.toString(), 'Prefix'), 'enc/a b\n');
      const v2 = await signedRequest(t.url, `/${bucket}?list-type=2&encoding-type=url&prefix=enc%2Fa%20b%0A`);
      assert.equal(xmlField(v2.body.toString(), 'Prefix'), 'enc/a%20b%0A');
    });

    it('URL-encodes Marker and NextMarker in V1, and the SDK gets them encoded', async () => {
      const r = await t.s3.send(new ListObjectsCommand({ Bucket: bucket, Prefix: 'enc/', Delimiter: '/', Marker: 'enc/a b.txt', MaxKeys: 1, EncodingType: 'url' }));
      assert.equal(r.Marker, 'enc/a%20b.txt');
      assert.deepEqual(r.CommonPrefixes?.map((c) => c.Prefix), ['enc/sub%20dir/']);
      assert.equal(r.NextMarker, 'enc/sub%20dir/');
      const next = await t.s3.send(new ListObjectsCommand({ Bucket: bucket, Prefix: 'enc/', Delimiter: '/', Marker: 'enc/sub dir/', MaxKeys: 1, EncodingType: 'url' }));
      assert.deepEqual(next.Contents?.map((c) => c.Key), ['enc/%C3%BC%2B.txt']);
      assert.equal(next.NextMarker, 'enc/%C3%BC%2B.txt');
      const keys = (await t.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'enc/', EncodingType: 'url' }))).Contents!.map((c) => decodeURIComponent(c.Key!));
      assert.deepEqual(keys, [...ENC].sort(utf8Order));
    });
  });

  describe('through minio', () => {
    const collect = <T>(s: AsyncIterable<T>) => (async () => { const out: T[] = []; for await (const x of s) out.push(x); return out; })();

    it('lists recursively and by folder with V1 and V2', async () => {
      const v1 = await collect(t.minio.listObjects(bucket, 'beta/', true));
      assert.deepEqual(v1.map((o) => o.name), MANY.filter((k) => k.startsWith('beta/')).sort(utf8Order));
      const folders = await collect(t.minio.listObjects(bucket, '', false));
      assert.deepEqual(folders.map((o) => (o.name ?? o.prefix)!).sort(utf8Order), model(MANY.concat(['enc/x']), '', '/').map((e) => e.slice(2)));
      const v2 = await collect(t.minio.listObjectsV2(bucket, 'gamma/', true, 'gamma/025'));
      assert.deepEqual(v2.map((o) => o.name), [...MANY.filter((k) => k.startsWith('gamma/') && utf8Order(k, 'gamma/025') > 0)].sort(utf8Order));
    });

    it('decodes encoded keys with spaces and unicode', async () => {
      const names = (await collect(t.minio.listObjectsV2(bucket, 'enc/', true))).map((o) => o.name);
      assert.deepEqual(names, [...ENC].sort(utf8Order));
    });
  });
});
