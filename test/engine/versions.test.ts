import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { FsBlobStore } from '../../src/blob/fs-store.js';
import { Engine } from '../../src/engine/engine.js';
import type { StorageError } from '../../src/engine/errors.js';
import type { VersionListOptions } from '../../src/engine/types.js';
import type { MetaOps, MetadataStore } from '../../src/meta/store.js';
import { openMetadataStore } from '../../src/meta/open.js';

/**
 * Engine-level versioning, conditional writes, tagging and version listing
 * over a SQLite store. (To be folded into the engine conformance suite so the
 * PostgreSQL store runs the same cases.)
 */

const caller = { accountId: 'root' };
const once = (s: string) =>
  (async function* () {
    yield Buffer.from(s);
  })();

function isCode(code: string, check?: (e: StorageError) => void) {
  return (e: unknown) => {
    assert.equal((e as StorageError).code, code, `expected ${code}, got ${(e as Error).message}`);
    check?.(e as StorageError);
    return true;
  };
}

describe('engine: versions, conditional writes, tags', () => {
  let dir: string;
  let meta: MetadataStore;
  let engine: Engine;
  let n = 0;
  const newBucket = async (versioning?: 'Enabled' | 'Suspended') => {
    const name = `bucket-${++n}`;
    await engine.createBucket(caller, name);
    if (versioning) await engine.setVersioning(name, versioning);
    return name;
  };
  const put = (bucket: string, key: string, data: string, extra: { ifMatch?: string; ifNoneMatch?: string; tags?: Record<string, string> } = {}) =>
    engine.putObject(caller, bucket, key, once(data), { meta: { user: {} }, size: Buffer.byteLength(data), ...extra });
  const read = async (bucket: string, key: string, versionId?: string) => (await engine.readSmall(await engine.getObject(bucket, key, versionId))).toString();
  const versions = async (bucket: string, opts: Partial<VersionListOptions> = {}) =>
    (await engine.listVersions(bucket, { maxKeys: 1000, ...opts })).versions.map((v) => ({ key: v.key, id: v.versionId, latest: v.isLatest, marker: v.isDeleteMarker }));
  // Stored data: blob files, and the rows of small objects kept inline in the metadata store.
  const blobCount = async () => {
    const db = new Database(path.join(dir, 'meta.db'), { readonly: true });
    let count = (db.prepare('SELECT COUNT(*) AS n FROM object_data').get() as { n: number }).n;
    db.close();
    async function walk(d: string) {
      for (const e of await fs.readdir(d, { withFileTypes: true }).catch(() => [])) {
        if (e.isDirectory()) await walk(path.join(d, e.name));
        else count++;
      }
    }
    await walk(path.join(dir, 'objects', 'blobs'));
    return count;
  };

  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'stratus-engine-'));
    meta = await openMetadataStore({ dataDir: dir, fsync: false });
    const blobs = new FsBlobStore(path.join(dir, 'objects'), false);
    await blobs.init();
    engine = new Engine(meta, blobs);
  });
  after(async () => {
    await meta.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  describe('versioning state', () => {
    it('starts unversioned, can be enabled and suspended, never returns to unversioned', async () => {
      const b = await newBucket();
      assert.equal((await engine.getBucket(b)).versioning, 'Unversioned');
      await engine.setVersioning(b, 'Suspended');
      assert.equal((await engine.getBucket(b)).versioning, 'Suspended');
      await engine.setVersioning(b, 'Enabled');
      assert.equal((await engine.getBucket(b)).versioning, 'Enabled');
      await assert.rejects(engine.setVersioning('no-such-bucket', 'Enabled'), isCode('NoSuchBucket'));
    });
  });

  describe('unversioned buckets', () => {
    it('keeps one null version: overwrite replaces it, delete removes it without a marker', async () => {
      const b = await newBucket();
      const before = await blobCount();
      const v1 = await put(b, 'k', 'one');
      assert.equal(v1.versionId, 'null');
      await put(b, 'k', 'two');
      assert.deepEqual(await versions(b), [{ key: 'k', id: 'null', latest: true, marker: false }]);
      assert.equal(await read(b, 'k', 'null'), 'two');
      assert.equal(await blobCount(), before + 1);
      const r = await engine.deleteObject(caller, b, 'k');
      assert.deepEqual(r, { deleteMarker: false });
      assert.deepEqual(await versions(b), []);
      assert.equal(await blobCount(), before);
      const usage = await engine.getBucket(b);
      assert.equal(usage.objectCount, 0);
      assert.equal(usage.bytesUsed, 0);
    });
  });

  describe('enabled buckets', () => {
    it('keeps every version, newest first, and reads each back', async () => {
      const b = await newBucket('Enabled');
      const ids = [];
      for (const data of ['v1', 'v2', 'v3']) ids.push((await put(b, 'k', data)).versionId);
      assert.ok(ids.every((id) => /^[0-9A-Za-z]{32}$/.test(id)));
      assert.equal(new Set(ids).size, 3);
      assert.deepEqual(await versions(b), [
        { key: 'k', id: ids[2], latest: true, marker: false },
        { key: 'k', id: ids[1], latest: false, marker: false },
        { key: 'k', id: ids[0], latest: false, marker: false },
      ]);
      assert.equal(await read(b, 'k'), 'v3');
      assert.equal(await read(b, 'k', ids[0]), 'v1');
      assert.equal(await read(b, 'k', ids[1]), 'v2');
      const usage = await engine.getBucket(b);
      assert.equal(usage.objectCount, 3);
      assert.equal(usage.bytesUsed, 6);
    });

    it('deletes with a marker; the marker hides the key, reads of it by id are refused; deleting the marker restores the object', async () => {
      const b = await newBucket('Enabled');
      const v1 = await put(b, 'k', 'data');
      const del = await engine.deleteObject(caller, b, 'k');
      assert.equal(del.deleteMarker, true);
      assert.notEqual(del.versionId, v1.versionId);
      await assert.rejects(
        engine.getObject(b, 'k'),
        isCode('NoSuchKey', (e) => assert.deepEqual(e.headers, { 'delete-marker': 'true', 'version-id': del.versionId })),
      );
      await assert.rejects(
        engine.getObject(b, 'k', del.versionId),
        isCode('MethodNotAllowed', (e) => {
          assert.equal(e.headers.allow, 'DELETE');
          assert.equal(e.headers['delete-marker'], 'true');
          assert.equal(e.headers['version-id'], del.versionId);
          assert.deepEqual(e.detail, { Method: 'GET', ResourceType: 'DeleteMarker' });
        }),
      );
      assert.equal(await read(b, 'k', v1.versionId), 'data');
      // A second delete adds another marker.
      const del2 = await engine.deleteObject(caller, b, 'k');
      assert.deepEqual(await versions(b), [
        { key: 'k', id: del2.versionId, latest: true, marker: true },
        { key: 'k', id: del.versionId, latest: false, marker: true },
        { key: 'k', id: v1.versionId, latest: false, marker: false },
      ]);
      for (const id of [del2.versionId!, del.versionId!]) {
        const r = await engine.deleteObject(caller, b, 'k', { versionId: id });
        assert.deepEqual(r, { versionId: id, deleteMarker: true });
      }
      assert.equal(await read(b, 'k'), 'data');
      assert.deepEqual(await versions(b), [{ key: 'k', id: v1.versionId, latest: true, marker: false }]);
    });

    it('deleting the latest version by id makes the previous one latest and frees its blob', async () => {
      const b = await newBucket('Enabled');
      const v1 = await put(b, 'k', 'one');
      const before = await blobCount();
      const v2 = await put(b, 'k', 'two');
      assert.equal(await blobCount(), before + 1);
      assert.deepEqual(await engine.deleteObject(caller, b, 'k', { versionId: v2.versionId }), { versionId: v2.versionId, deleteMarker: false });
      assert.equal(await read(b, 'k'), 'one');
      assert.deepEqual(await versions(b), [{ key: 'k', id: v1.versionId, latest: true, marker: false }]);
      assert.equal(await blobCount(), before);
      // A well-formed id that does not exist deletes nothing; a malformed one is refused.
      assert.deepEqual(await engine.deleteObject(caller, b, 'k', { versionId: 'A'.repeat(32) }), { versionId: 'A'.repeat(32), deleteMarker: false });
      await assert.rejects(engine.deleteObject(caller, b, 'k', { versionId: 'bad id' }), isCode('InvalidArgument'));
      await assert.rejects(engine.getObject(b, 'k', 'B'.repeat(32)), isCode('NoSuchVersion'));
      await assert.rejects(engine.getObject(b, 'k', ''), isCode('InvalidArgument', (e) => assert.equal(e.message, 'Version id cannot be the empty string')));
    });

    it('keeps the null version written before versioning was enabled', async () => {
      const b = await newBucket();
      await put(b, 'k', 'old');
      await engine.setVersioning(b, 'Enabled');
      const v = await put(b, 'k', 'new');
      assert.deepEqual(await versions(b), [
        { key: 'k', id: v.versionId, latest: true, marker: false },
        { key: 'k', id: 'null', latest: false, marker: false },
      ]);
      assert.equal(await read(b, 'k', 'null'), 'old');
    });
  });

  describe('suspended buckets', () => {
    it('writes replace only the null version; deletes put a null marker in its place', async () => {
      const b = await newBucket('Enabled');
      const v1 = await put(b, 'k', 'one');
      await engine.setVersioning(b, 'Suspended');
      const n1 = await put(b, 'k', 'two');
      assert.equal(n1.versionId, 'null');
      const before = await blobCount();
      await put(b, 'k', 'three');
      assert.equal(await blobCount(), before, 'the replaced null version is removed with its blob');
      assert.deepEqual(await versions(b), [
        { key: 'k', id: 'null', latest: true, marker: false },
        { key: 'k', id: v1.versionId, latest: false, marker: false },
      ]);
      assert.equal(await read(b, 'k'), 'three');
      const del = await engine.deleteObject(caller, b, 'k');
      assert.deepEqual(del, { versionId: 'null', deleteMarker: true });
      assert.deepEqual(await versions(b), [
        { key: 'k', id: 'null', latest: true, marker: true },
        { key: 'k', id: v1.versionId, latest: false, marker: false },
      ]);
      assert.equal(await blobCount(), before - 1);
      // Writing again replaces the null marker.
      await put(b, 'k', 'four');
      assert.deepEqual(await versions(b), [
        { key: 'k', id: 'null', latest: true, marker: false },
        { key: 'k', id: v1.versionId, latest: false, marker: false },
      ]);
      const usage = await engine.getBucket(b);
      assert.equal(usage.objectCount, 2);
      assert.equal(usage.bytesUsed, 'one'.length + 'four'.length);
    });
  });

  describe('version listing', () => {
    let b: string;
    const ids: Record<string, string[]> = {};
    before(async () => {
      b = await newBucket('Enabled');
      for (const key of ['a', 'b/1', 'b/2', 'c', 'd/x/1']) {
        ids[key] = [];
        for (let i = 0; i < 3; i++) ids[key].unshift((await put(b, key, `${key}#${i}`)).versionId);
      }
      ids.c.unshift((await engine.deleteObject(caller, b, 'c')).versionId!);
    });

    it('orders keys by bytes and versions newest first, markers interleaved', async () => {
      const all = await versions(b);
      assert.deepEqual(
        all.map((v) => `${v.key}:${v.id}`),
        ['a', 'b/1', 'b/2', 'c', 'd/x/1'].flatMap((k) => ids[k].map((id) => `${k}:${id}`)),
      );
      assert.deepEqual(all.filter((v) => v.key === 'c').map((v) => [v.marker, v.latest]), [[true, true], [false, false], [false, false], [false, false]]);
    });

    it('pages with key and version markers without loss or repetition, for every page size', async () => {
      const all = (await versions(b)).map((v) => `${v.key}:${v.id}`);
      for (const maxKeys of [1, 2, 3, 5, 7]) {
        const seen: string[] = [];
        let keyMarker: string | undefined;
        let versionIdMarker: string | undefined;
        for (let guard = 0; guard < 100; guard++) {
          const page = await engine.listVersions(b, { maxKeys, keyMarker, versionIdMarker });
          assert.ok(page.versions.length <= maxKeys);
          seen.push(...page.versions.map((v) => `${v.key}:${v.versionId}`));
          if (!page.truncated) break;
          keyMarker = page.nextKeyMarker;
          versionIdMarker = page.nextVersionIdMarker;
        }
        assert.deepEqual(seen, all, `max-keys ${maxKeys}`);
      }
    });

    it('starts after all versions of a key marker without a version marker', async () => {
      const page = await engine.listVersions(b, { maxKeys: 1000, keyMarker: 'b/1' });
      assert.equal(page.versions[0].key, 'b/2');
    });

    it('rolls keys up into common prefixes, counted once, and pages through them', async () => {
      const page = await engine.listVersions(b, { maxKeys: 1000, delimiter: '/' });
      assert.deepEqual(page.prefixes, ['b/', 'd/']);
      assert.deepEqual([...new Set(page.versions.map((v) => v.key))], ['a', 'c']);
      const p1 = await engine.listVersions(b, { maxKeys: 4, delimiter: '/' });
      assert.deepEqual(p1.versions.map((v) => v.key), ['a', 'a', 'a']);
      assert.deepEqual(p1.prefixes, ['b/']);
      assert.equal(p1.truncated, true);
      assert.equal(p1.nextKeyMarker, 'b/');
      assert.equal(p1.nextVersionIdMarker, undefined);
      const p2 = await engine.listVersions(b, { maxKeys: 4, delimiter: '/', keyMarker: p1.nextKeyMarker });
      assert.deepEqual(p2.versions.map((v) => v.key), ['c', 'c', 'c', 'c']);
      assert.deepEqual(p2.prefixes, []);
      const p3 = await engine.listVersions(b, { maxKeys: 4, delimiter: '/', keyMarker: p2.nextKeyMarker, versionIdMarker: p2.nextVersionIdMarker });
      assert.deepEqual(p3.prefixes, ['d/']);
      assert.equal(p3.truncated, false);
    });

    it('limits to a prefix, with a delimiter below it', async () => {
      assert.deepEqual(
        [...new Set((await versions(b, { prefix: 'b/' })).map((v) => v.key))],
        ['b/1', 'b/2'],
      );
      const page = await engine.listVersions(b, { maxKeys: 1000, prefix: 'd/', delimiter: '/' });
      assert.deepEqual(page.prefixes, ['d/x/']);
      assert.equal(page.versions.length, 0);
      assert.deepEqual(await versions(b, { prefix: 'zz' }), []);
    });

    it('refuses a malformed version-id marker', async () => {
      await assert.rejects(engine.listVersions(b, { maxKeys: 10, keyMarker: 'a', versionIdMarker: 'x' }), isCode('InvalidArgument'));
    });

    it('costs rows in proportion to the page, not to the versions under a common prefix', async () => {
      const big = await newBucket('Enabled');
      for (let i = 0; i < 300; i++) await put(big, `deep/${String(i).padStart(4, '0')}`, 'x');
      await put(big, 'top', 'x');
      let rows = 0;
      const counting = new Proxy(meta, {
        get(target, prop, receiver) {
          if (prop === 'listVersions')
            return async (...args: Parameters<MetaOps['listVersions']>) => {
              const r = await target.listVersions(...args);
              rows += r.length;
              return r;
            };
          return Reflect.get(target, prop, receiver);
        },
      });
      const countingEngine = new Engine(counting, engine.blobs);
      const page = await countingEngine.listVersions(big, { maxKeys: 1000, delimiter: '/' });
      assert.deepEqual(page.prefixes, ['deep/']);
      assert.deepEqual(page.versions.map((v) => v.key), ['top']);
      assert.ok(rows <= 20, `read ${rows} rows`);
      rows = 0;
      const small = await countingEngine.listVersions(big, { maxKeys: 2, prefix: 'deep/', keyMarker: 'deep/0150' });
      assert.deepEqual(small.versions.map((v) => v.key), ['deep/0151', 'deep/0152']);
      assert.ok(rows <= 3, `read ${rows} rows`);
    });
  });

  describe('conditional writes', () => {
    it('If-None-Match: * writes only when no current object exists (a delete marker does not count)', async () => {
      const b = await newBucket('Enabled');
      await put(b, 'k', 'first', { ifNoneMatch: '*' });
      await assert.rejects(put(b, 'k', 'second', { ifNoneMatch: '*' }), isCode('PreconditionFailed', (e) => assert.equal(e.detail.Condition, 'If-None-Match')));
      assert.equal(await read(b, 'k'), 'first');
      await engine.deleteObject(caller, b, 'k');
      await put(b, 'k', 'third', { ifNoneMatch: '*' });
      assert.equal(await read(b, 'k'), 'third');
    });

    it('If-Match needs the current ETag (or *), and an object', async () => {
      const b = await newBucket();
      await assert.rejects(put(b, 'k', 'x', { ifMatch: '*' }), isCode('NoSuchKey'));
      const v = await put(b, 'k', 'one');
      await assert.rejects(put(b, 'k', 'two', { ifMatch: '"0123456789abcdef0123456789abcdef"' }), isCode('PreconditionFailed', (e) => assert.equal(e.detail.Condition, 'If-Match')));
      await put(b, 'k', 'two', { ifMatch: `"${v.etag}"` });
      await put(b, 'k', 'three', { ifMatch: '*' });
      assert.equal(await read(b, 'k'), 'three');
    });

    it('refuses If-None-Match other than * and both headers together (NotImplemented), before reading the body', async () => {
      const b = await newBucket();
      await assert.rejects(put(b, 'k', 'x', { ifNoneMatch: '"abc"' }), isCode('NotImplemented', (e) => assert.equal(e.detail.Header, 'If-None-Match')));
      await assert.rejects(put(b, 'k', 'x', { ifNoneMatch: '*', ifMatch: '*' }), isCode('NotImplemented'));
      await assert.rejects(engine.getObject(b, 'k'), isCode('NoSuchKey'));
    });

    it('answers ConditionalRequestConflict when the key is deleted while a conditional write streams, and stores nothing', async () => {
      const b = await newBucket('Enabled');
      const v = await put(b, 'k', 'one');
      const before = await blobCount();
      const racing = (async function* () {
        yield Buffer.from('new ');
        await engine.deleteObject(caller, b, 'k'); // a concurrent delete lands mid-upload
        yield Buffer.from('data');
      })();
      await assert.rejects(
        engine.putObject(caller, b, 'k', racing, { meta: { user: {} }, size: 8, ifMatch: `"${v.etag}"` }),
        isCode('ConditionalRequestConflict'),
      );
      assert.equal(await blobCount(), before);
      assert.equal((await versions(b))[0].marker, true);
    });

    it('answers PreconditionFailed when a concurrent write wins an If-None-Match race', async () => {
      const b = await newBucket();
      const racing = (async function* () {
        yield Buffer.from('mine');
        await put(b, 'k', 'theirs');
      })();
      await assert.rejects(engine.putObject(caller, b, 'k', racing, { meta: { user: {} }, size: 4, ifNoneMatch: '*' }), isCode('PreconditionFailed'));
      assert.equal(await read(b, 'k'), 'theirs');
    });

    it('applies to copies (destination conditions)', async () => {
      const b = await newBucket();
      await put(b, 'src', 'data');
      await put(b, 'dst', 'old');
      await assert.rejects(
        engine.copyObject(caller, { bucket: b, key: 'src' }, { bucket: b, key: 'dst' }, { metadataDirective: 'COPY', ifNoneMatch: '*' }),
        isCode('PreconditionFailed'),
      );
      await engine.copyObject(caller, { bucket: b, key: 'src' }, { bucket: b, key: 'new' }, { metadataDirective: 'COPY', ifNoneMatch: '*' });
      assert.equal(await read(b, 'new'), 'data');
    });

    it('conditional deletes: If-Match needs a current object and its ETag; not with a version id', async () => {
      const b = await newBucket('Enabled');
      await assert.rejects(engine.deleteObject(caller, b, 'k', { ifMatch: '*' }), isCode('NoSuchKey'));
      const v = await put(b, 'k', 'data');
      await assert.rejects(engine.deleteObject(caller, b, 'k', { ifMatch: '"ffffffffffffffffffffffffffffffff"' }), isCode('PreconditionFailed'));
      await assert.rejects(engine.deleteObject(caller, b, 'k', { versionId: v.versionId, ifMatch: `"${v.etag}"` }), isCode('NotImplemented'));
      const r = await engine.deleteObject(caller, b, 'k', { ifMatch: `"${v.etag}"` });
      assert.equal(r.deleteMarker, true);
      await assert.rejects(engine.deleteObject(caller, b, 'k', { ifMatch: `"${v.etag}"` }), isCode('NoSuchKey'));
    });
  });

  describe('copies of versions', () => {
    it('copies a named source version; a delete marker source is refused as S3 does', async () => {
      const b = await newBucket('Enabled');
      const v1 = await put(b, 'src', 'first');
      await put(b, 'src', 'second');
      const { source, target } = await engine.copyObject(caller, { bucket: b, key: 'src' }, { bucket: b, key: 'dst' }, { metadataDirective: 'COPY', sourceVersionId: v1.versionId });
      assert.equal(source.versionId, v1.versionId);
      assert.equal(await read(b, 'dst', target.versionId), 'first');
      const dm = await engine.deleteObject(caller, b, 'src');
      const copy = (sourceVersionId?: string) => engine.copyObject(caller, { bucket: b, key: 'src' }, { bucket: b, key: 'x' }, { metadataDirective: 'COPY', sourceVersionId });
      await assert.rejects(copy(), isCode('NoSuchKey', (e) => assert.equal(e.headers['delete-marker'], 'true')));
      await assert.rejects(copy(dm.versionId), isCode('InvalidRequest', (e) => assert.match(e.message, /delete marker/)));
      await assert.rejects(copy('nonsense'), isCode('InvalidRequest'));
      await assert.rejects(copy(''), isCode('InvalidArgument'));
    });
  });

  describe('tags', () => {
    it('sets, reads and removes the tags of a named version only', async () => {
      const b = await newBucket('Enabled');
      const v1 = await put(b, 'k', 'one', { tags: { a: '1' } });
      const v2 = await put(b, 'k', 'two');
      await engine.tagging.putObjectTags(b, 'k', v1.versionId, { x: 'y' });
      assert.deepEqual((await engine.tagging.getObjectTags(b, 'k', v1.versionId)).object.tags, { x: 'y' });
      assert.equal((await engine.tagging.getObjectTags(b, 'k')).object.tags, null);
      await engine.tagging.putObjectTags(b, 'k', undefined, { latest: 'yes' });
      assert.deepEqual((await engine.getObject(b, 'k', v2.versionId)).tags, { latest: 'yes' });
      await engine.tagging.deleteObjectTags(b, 'k', v1.versionId);
      assert.equal((await engine.getObject(b, 'k', v1.versionId)).tags, null);
    });

    it('refuses tags on delete markers and missing versions', async () => {
      const b = await newBucket('Enabled');
      await put(b, 'k', 'x');
      const dm = await engine.deleteObject(caller, b, 'k');
      await assert.rejects(engine.tagging.putObjectTags(b, 'k', undefined, { a: 'b' }), isCode('MethodNotAllowed', (e) => assert.equal(e.detail.Method, 'PUT')));
      await assert.rejects(engine.tagging.putObjectTags(b, 'k', dm.versionId, { a: 'b' }), isCode('MethodNotAllowed', (e) => assert.equal(e.headers['delete-marker'], 'true')));
      await assert.rejects(engine.tagging.getObjectTags(b, 'k'), isCode('NoSuchKey'));
      await assert.rejects(engine.tagging.putObjectTags(b, 'k', 'C'.repeat(32), { a: 'b' }), isCode('NoSuchVersion'));
      await assert.rejects(engine.tagging.putObjectTags(b, 'missing', undefined, { a: 'b' }), isCode('NoSuchKey'));
    });

    it('keeps a bucket tag set as a setting; none is NoSuchTagSet', async () => {
      const b = await newBucket();
      await assert.rejects(engine.tagging.getBucketTags(b), isCode('NoSuchTagSet'));
      await engine.tagging.putBucketTags(b, { team: 'storage', env: 'test' });
      assert.deepEqual(await engine.tagging.getBucketTags(b), { team: 'storage', env: 'test' });
      await engine.tagging.putBucketTags(b, {});
      await assert.rejects(engine.tagging.getBucketTags(b), isCode('NoSuchTagSet'));
      await engine.tagging.putBucketTags(b, { a: 'b' });
      await engine.tagging.deleteBucketTags(b);
      await assert.rejects(engine.tagging.getBucketTags(b), isCode('NoSuchTagSet'));
    });
  });

  it('leaves no blob behind once every version of every key is deleted', async () => {
    const b = await newBucket('Enabled');
    const before = await blobCount();
    for (let i = 0; i < 3; i++) await put(b, 'k', `v${i}`);
    await engine.deleteObject(caller, b, 'k');
    await engine.setVersioning(b, 'Suspended');
    await put(b, 'k', 'null one');
    for (const v of (await engine.listVersions(b, { maxKeys: 1000 })).versions) await engine.deleteObject(caller, b, v.key, { versionId: v.versionId });
    assert.equal(await blobCount(), before);
    const usage = await engine.getBucket(b);
    assert.equal(usage.objectCount, 0);
    assert.equal(usage.bytesUsed, 0);
    await engine.deleteBucket(b);
  });
});
