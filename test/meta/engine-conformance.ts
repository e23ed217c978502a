/**
 * Engine-level conformance: the engine's versioning, usage, listing and
 * concurrency rules over each metadata store, with a real FsBlobStore.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FsBlobStore } from '../../src/blob/fs-store.js';
import { Engine } from '../../src/engine/engine.js';
import { INLINE_MAX } from '../../src/engine/inline.js';
import type { Acl } from '../../src/engine/acl.js';
import type { CorsConfig } from '../../src/cors/rules.js';
import type { WebsiteConfig } from '../../src/website/config.js';
import { NO_REFERER_CONFIG, type RefererConfig } from '../../src/authz/referer.js';
import { BUCKET_SETTINGS, type BucketSettings, type DataRedundancy, type SettingName } from '../../src/engine/settings.js';
import type { ListOptions } from '../../src/engine/types.js';
import type { MetadataStore } from '../../src/meta/store.js';
import type { ObjectRecord, VersioningState } from '../../src/meta/types.js';
import { byteOrder, type OpenStore, type OpenedStore } from './conformance.js';

const caller = { accountId: 'owner' };
/** A body just above the inline bound, starting with `tag`: one that lives in a blob. */
const large = (tag: string) => Buffer.concat([Buffer.from(tag), Buffer.alloc(INLINE_MAX + 1 - tag.length, 0x2e)]);
const md5 = (b: Buffer | string) => createHash('md5').update(b).digest('hex');

let seq = 0;
const bucketName = (tag: string) => `${tag}-${process.pid}-${++seq}`;

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await fs.readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(p)));
    else out.push(e.name);
  }
  return out;
}

/** Every version and delete marker of a bucket, paging through listVersions. */
async function allVersions(meta: MetadataStore, bucketId: number): Promise<ObjectRecord[]> {
  const out: ObjectRecord[] = [];
  let from: { key: string; beforeId?: number } | undefined;
  for (;;) {
    const rows = await meta.listVersions(bucketId, from, undefined, 500);
    out.push(...rows);
    if (rows.length < 500) return out;
    from = { key: rows[rows.length - 1].key, beforeId: rows[rows.length - 1].id };
  }
}

type Entry = { kind: 'key' | 'prefix'; name: string };

/** What a listing must return, all pages together: S3's delimiter rules over the visible keys. */
function expectedListing(keys: string[], prefix: string, delimiter: string): Entry[] {
  const out: Entry[] = [];
  for (const k of [...keys].sort(byteOrder)) {
    if (!k.startsWith(prefix)) continue;
    const cut = delimiter ? k.indexOf(delimiter, prefix.length) : -1;
    if (cut < 0) out.push({ kind: 'key', name: k });
    else {
      const cp = k.slice(0, cut + delimiter.length);
      if (out.at(-1)?.name !== cp) out.push({ kind: 'prefix', name: cp });
    }
  }
  return out;
}

export function defineEngineConformance(name: string, open: OpenStore): void {
  describe(`engine conformance: ${name}`, () => {
    let opened: OpenedStore;
    let meta: MetadataStore;
    let engine: Engine;
    let dir: string;

    before(async () => {
      opened = await open();
      meta = opened.store;
      await meta.migrate();
      dir = await fs.mkdtemp(path.join(os.tmpdir(), 'stratus-engine-'));
      const blobs = new FsBlobStore(dir, false);
      await blobs.init();
      engine = new Engine(meta, blobs);
    });
    after(async () => {
      await opened?.cleanup();
      if (dir) await fs.rm(dir, { recursive: true, force: true });
    });

    const put = (bucket: string, key: string, body: string | Buffer) => {
      const data = Buffer.from(body);
      return engine.putObject(
        caller,
        bucket,
        key,
        (async function* () {
          // Two chunks, so the body is really streamed.
          yield data.subarray(0, data.length >> 1);
          yield data.subarray(data.length >> 1);
        })(),
        { meta: { user: {} }, size: data.length },
      );
    };
    const read = async (bucket: string, key: string, versionId?: string) => (await engine.readSmall(await engine.getObject(bucket, key, versionId))).toString();
    const newBucket = async (versioning: VersioningState = 'Unversioned') => {
      const b = await engine.createBucket(caller, bucketName('eng'));
      if (versioning !== 'Unversioned') await meta.setVersioning(b.id, versioning);
      return b.name;
    };
    const setVersioning = async (bucket: string, state: VersioningState) => meta.setVersioning((await engine.getBucket(bucket)).id, state);
    const versions = async (bucket: string) => allVersions(meta, (await engine.getBucket(bucket)).id);

    /**
     * Whole-store invariants: per key the latest version is the newest row; each bucket's usage
     * equals its stored versions; the blob files are exactly the referenced blobs; no temp file is left.
     */
    async function checkInvariants() {
      const referenced = new Set<string>();
      for (const b of await meta.listBuckets()) {
        const rows = await allVersions(meta, b.id);
        const byKey = new Map<string, ObjectRecord[]>();
        for (const r of rows) byKey.set(r.key, [...(byKey.get(r.key) ?? []), r]);
        for (const [key, vs] of byKey) {
          const latest = vs.filter((v) => v.isLatest);
          assert.equal(latest.length, 1, `one latest version of ${b.name}/${key}`);
          assert.equal(latest[0].id, Math.max(...vs.map((v) => v.id)), `latest is newest for ${b.name}/${key}`);
          assert.ok(vs.filter((v) => v.versionId === 'null').length <= 1, `at most one 'null' version of ${key}`);
        }
        const stored = rows.filter((r) => !r.isDeleteMarker);
        assert.equal(b.objectCount, stored.length, `objectCount of ${b.name}`);
        assert.equal(b.bytesUsed, stored.reduce((n, r) => n + r.size, 0), `bytesUsed of ${b.name}`);
        for (const r of stored) {
          if (r.inline) assert.equal((await meta.getObjectData(r.id))?.length, r.size, `inline data of ${b.name}/${r.key}`);
          if (r.blobId) referenced.add(r.blobId);
          for (const s of await meta.getSegments(r.id)) referenced.add(s.blobId);
        }
      }
      assert.deepEqual((await filesUnder(path.join(dir, 'blobs'))).sort(), [...referenced].sort(), 'blob files are exactly the referenced blobs');
      assert.deepEqual(await filesUnder(path.join(dir, 'tmp')), []);
    }

    it('Unversioned: an overwrite replaces the object and its blob; a delete removes both', async () => {
      const b = await newBucket();
      // Bodies above the inline bound, so that they live in blobs.
      const v1 = await put(b, 'k', large('first'));
      assert.equal(v1.versionId, 'null');
      assert.ok(v1.blobId && !v1.inline);
      const v2 = await put(b, 'k', large('second!'));
      assert.equal(v2.versionId, 'null');
      assert.equal(await read(b, 'k'), large('second!').toString());
      assert.equal(await read(b, 'k', 'null'), large('second!').toString());
      assert.deepEqual((await versions(b)).map((v) => v.id), [v2.id]);
      assert.equal(await meta.blobReferenced(v1.blobId!), false);
      const bk = await engine.getBucket(b);
      assert.deepEqual([bk.objectCount, bk.bytesUsed], [1, INLINE_MAX + 1]);
      await checkInvariants();
      assert.deepEqual(await engine.deleteObject(caller, b, 'k'), { deleteMarker: false });
      await assert.rejects(engine.getObject(b, 'k'), { code: 'NoSuchKey' });
      assert.deepEqual(await versions(b), []);
      assert.deepEqual(await engine.deleteObject(caller, b, 'k'), { deleteMarker: false });
      const after = await engine.getBucket(b);
      assert.deepEqual([after.objectCount, after.bytesUsed], [0, 0]);
      await checkInvariants();
    });

    it('Enabled: each write is a version; a delete leaves a marker; version deletes promote the newest', async () => {
      const b = await newBucket('Enabled');
      const v1 = await put(b, 'k', 'one');
      const v2 = await put(b, 'k', 'two!');
      assert.match(v1.versionId, /^[0-9A-Za-z]{32}$/);
      assert.notEqual(v1.versionId, v2.versionId);
      assert.equal(await read(b, 'k'), 'two!');
      assert.equal(await read(b, 'k', v1.versionId), 'one');
      await assert.rejects(engine.getObject(b, 'k', 'null'), { code: 'NoSuchVersion' });
      let bk = await engine.getBucket(b);
      assert.deepEqual([bk.objectCount, bk.bytesUsed], [2, 7]);

      const del = await engine.deleteObject(caller, b, 'k');
      assert.equal(del.deleteMarker, true);
      assert.match(del.versionId!, /^[0-9A-Za-z]{32}$/);
      await assert.rejects(engine.getObject(b, 'k'), (e: any) => e.code === 'NoSuchKey' && e.headers['delete-marker'] === 'true' && e.headers['version-id'] === del.versionId);
      await assert.rejects(engine.getObject(b, 'k', del.versionId), { code: 'MethodNotAllowed' });
      assert.deepEqual(
        (await versions(b)).map((v) => [v.versionId, v.isLatest, v.isDeleteMarker]),
        [
          [del.versionId, true, true],
          [v2.versionId, false, false],
          [v1.versionId, false, false],
        ],
      );
      bk = await engine.getBucket(b);
      assert.deepEqual([bk.objectCount, bk.bytesUsed], [2, 7], 'a marker stores nothing');
      await checkInvariants();

      // Removing the marker brings v2 back; removing v2 promotes v1 and frees v2's blob.
      assert.deepEqual(await engine.deleteObject(caller, b, 'k', { versionId: del.versionId }), { versionId: del.versionId, deleteMarker: true });
      assert.equal(await read(b, 'k'), 'two!');
      assert.deepEqual(await engine.deleteObject(caller, b, 'k', { versionId: v2.versionId }), { versionId: v2.versionId, deleteMarker: false });
      assert.equal(await read(b, 'k'), 'one');
      assert.equal((await engine.getObject(b, 'k')).isLatest, true);
      assert.equal(await meta.blobReferenced(v2.blobId!), false);
      bk = await engine.getBucket(b);
      assert.deepEqual([bk.objectCount, bk.bytesUsed], [1, 3]);
      // Deleting a version that does not exist changes nothing.
      assert.deepEqual(await engine.deleteObject(caller, b, 'k', { versionId: v2.versionId }), { versionId: v2.versionId, deleteMarker: false });
      await checkInvariants();
      await engine.deleteObject(caller, b, 'k', { versionId: v1.versionId });
      assert.deepEqual(await versions(b), []);
      await checkInvariants();
    });

    it("keeps the 'null' version across Enabled, and replaces it when Suspended", async () => {
      const b = await newBucket();
      const v0 = await put(b, 'k', 'v0-unversioned');
      await setVersioning(b, 'Enabled');
      const v1 = await put(b, 'k', 'v1');
      assert.deepEqual((await versions(b)).map((v) => v.versionId), [v1.versionId, 'null']);
      assert.equal(await read(b, 'k', 'null'), 'v0-unversioned');

      await setVersioning(b, 'Suspended');
      const v2 = await put(b, 'k', 'v2-suspended');
      assert.equal(v2.versionId, 'null');
      assert.deepEqual((await versions(b)).map((v) => [v.versionId, v.isLatest]), [
        ['null', true],
        [v1.versionId, false],
      ]);
      assert.equal(await read(b, 'k', 'null'), 'v2-suspended');
      assert.equal(await meta.blobReferenced(v0.blobId!), false);
      let bk = await engine.getBucket(b);
      assert.deepEqual([bk.objectCount, bk.bytesUsed], [2, 2 + 12]);
      await checkInvariants();

      // A suspended delete: a 'null' delete marker replaces the 'null' version.
      const del = await engine.deleteObject(caller, b, 'k');
      assert.deepEqual(del, { versionId: 'null', deleteMarker: true });
      assert.deepEqual((await versions(b)).map((v) => [v.versionId, v.isDeleteMarker, v.isLatest]), [
        ['null', true, true],
        [v1.versionId, false, false],
      ]);
      assert.equal(await meta.blobReferenced(v2.blobId!), false);
      bk = await engine.getBucket(b);
      assert.deepEqual([bk.objectCount, bk.bytesUsed], [1, 2]);
      await checkInvariants();

      // Deleting the 'null' marker by version id promotes v1.
      await engine.deleteObject(caller, b, 'k', { versionId: 'null' });
      assert.equal(await read(b, 'k'), 'v1');
      await checkInvariants();

      // Enabled again, then Suspended: a 'null' version that is no longer the latest is still replaced.
      await setVersioning(b, 'Suspended');
      await put(b, 'k', 'null-a');
      await setVersioning(b, 'Enabled');
      const v3 = await put(b, 'k', 'v3');
      await setVersioning(b, 'Suspended');
      await put(b, 'k', 'null-b');
      assert.deepEqual((await versions(b)).map((v) => [v.versionId, v.isLatest]), [
        ['null', true],
        [v3.versionId, false],
        [v1.versionId, false],
      ]);
      assert.equal(await read(b, 'k'), 'null-b');
      bk = await engine.getBucket(b);
      assert.deepEqual([bk.objectCount, bk.bytesUsed], [3, 6 + 2 + 2]);
      await checkInvariants();
    });

    it('keeps usage counters exact through a long mixed sequence', async () => {
      const b = await newBucket();
      // mulberry32: a fixed, well-spread sequence.
      let seed = 0x5eed;
      const next = (n: number) => {
        seed = (seed + 0x6d2b79f5) | 0;
        let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
        return (((t ^ (t >>> 14)) >>> 0) % n);
      };
      const states: VersioningState[] = ['Unversioned', 'Enabled', 'Suspended'];
      for (let step = 0; step < 80; step++) {
        const key = `k${next(4)}`;
        const op = next(10);
        if (op < 5) await put(b, key, 'x'.repeat(1 + next(50)));
        else if (op < 7) await engine.deleteObject(caller, b, key);
        else if (op < 9) {
          const vs = (await versions(b)).filter((v) => v.key === key);
          if (vs.length) await engine.deleteObject(caller, b, key, { versionId: vs[next(vs.length)].versionId });
        } else await setVersioning(b, states[1 + next(2)]);
      }
      await checkInvariants();
      const bk = await engine.getBucket(b);
      assert.ok(bk.objectCount > 0, 'the sequence leaves objects behind');
    });

    it('bucket settings: the registry reads the rows stored before it and writes the same names and shapes', async () => {
      // Documents exactly as the code before the registry stored them: existing data directories hold these.
      const legacy: Record<string, unknown> = {
        acl: { owner: 'owner', grants: [{ grantee: { type: 'group', group: 'AllUsers' }, permission: 'READ' }] },
        tagging: { tags: { team: 'a' } },
        quota: { bytes: '9223372036854775807' },
        storageClass: { storageClass: 'STANDARD_IA' },
        'oss-bucket-config': { dataRedundancyType: 'ZRS' },
        cors: { rules: [{ id: 'r', allowedOrigins: ['*'], allowedMethods: ['GET'], allowedHeaders: ['x-*'], exposeHeaders: ['ETag'], maxAgeSeconds: 5 }] },
        website: { indexSuffix: 'index.html', errorKey: 'e.html', routingRules: [{ condition: { keyPrefixEquals: 'a/' }, redirect: { replaceKeyPrefixWith: 'b/' } }] },
        dialect: { dialect: 'oss' },
        referer: { allowEmpty: false, allowTruncateQueryString: true, truncatePath: false, allow: ['http://*.example.com'], deny: ['http://bad.example.com'] },
        policy: { text: '{"Statement":[]}', dialect: 's3' },
        publicAccessBlock: { blockPublicAcls: true, ignorePublicAcls: false, blockPublicPolicy: true, restrictPublicBuckets: false },
        ownershipControls: { objectOwnership: 'BucketOwnerEnforced' },
        foreignWrites: true,
        // background work (issue 14)
        lifecycle: { rules: [{ id: 'r', enabled: true, prefix: 'a/', transitions: [], noncurrentTransitions: [], expiration: { days: 1 } }] },
        logging: { targetBucket: 'logs', targetPrefix: 'p/', keyFormat: 'simple' },
      };
      const values: BucketSettings = {
        acl: legacy.acl as Acl,
        tags: { team: 'a' },
        quota: 2n ** 63n - 1n,
        storageClass: 'STANDARD_IA',
        dataRedundancy: 'ZRS',
        cors: legacy.cors as CorsConfig,
        website: legacy.website as WebsiteConfig,
        dialect: 'oss',
        referer: legacy.referer as RefererConfig,
        policy: { text: '{"Statement":[]}', dialect: 's3' },
        publicAccessBlock: { blockPublicAcls: true, ignorePublicAcls: false, blockPublicPolicy: true, restrictPublicBuckets: false },
        ownershipControls: 'BucketOwnerEnforced',
        foreignWrites: true,
        lifecycle: legacy.lifecycle as BucketSettings['lifecycle'],
        logging: legacy.logging as BucketSettings['logging'],
      };
      assert.deepEqual(Object.values(BUCKET_SETTINGS).map((s) => s.stored).sort(), Object.keys(legacy).sort(), 'one entry per stored name');

      const old = await newBucket();
      const oldId = (await engine.getBucket(old)).id;
      for (const [stored, doc] of Object.entries(legacy)) await meta.putSetting(oldId, stored, doc);
      for (const name of Object.keys(values) as SettingName[]) assert.deepEqual(await engine.bucketSetting(old, name), values[name], `${name} reads the stored row`);

      const fresh = await newBucket();
      const freshId = (await engine.getBucket(fresh)).id;
      assert.deepEqual(await engine.bucketSetting(fresh, 'acl'), { owner: 'owner', grants: [{ grantee: { type: 'user', id: 'owner' }, permission: 'FULL_CONTROL' }] });
      assert.equal(await engine.bucketSetting(fresh, 'tags'), null);
      assert.equal(await engine.bucketSetting(fresh, 'quota'), 0n);
      assert.equal(await engine.bucketSetting(fresh, 'storageClass'), 'STANDARD');
      assert.equal(await engine.bucketSetting(fresh, 'dataRedundancy'), 'LRS');
      assert.equal(await engine.bucketSetting(fresh, 'cors'), null);
      assert.equal(await engine.bucketSetting(fresh, 'website'), null);
      assert.equal(await engine.bucketSetting(fresh, 'dialect'), 's3');
      assert.deepEqual(await engine.bucketSetting(fresh, 'referer'), NO_REFERER_CONFIG);
      assert.equal(await engine.bucketSetting(fresh, 'policy'), null);
      assert.equal(await engine.bucketSetting(fresh, 'publicAccessBlock'), null);
      assert.equal(await engine.bucketSetting(fresh, 'ownershipControls'), null);
      assert.equal(await engine.bucketSetting(fresh, 'foreignWrites'), false);
      assert.equal(await engine.bucketSetting(fresh, 'lifecycle'), null);
      assert.equal(await engine.bucketSetting(fresh, 'logging'), null);
      for (const name of Object.keys(values) as SettingName[]) await engine.setBucketSetting(fresh, name, values[name] as never);
      for (const [stored, doc] of Object.entries(legacy)) assert.deepEqual(await meta.getSetting(freshId, stored), doc, `${stored} is stored as before`);
      // Writing a default removes the row where the entry says so (as the code before did).
      await engine.setBucketSetting(fresh, 'quota', 0n);
      await engine.setBucketSetting(fresh, 'tags', null);
      assert.equal(await meta.getSetting(freshId, 'quota'), undefined);
      assert.equal(await meta.getSetting(freshId, 'tagging'), undefined);
      for (const name of ['policy', 'publicAccessBlock', 'ownershipControls'] as const) {
        await engine.setBucketSetting(fresh, name, null);
        assert.equal(await meta.getSetting(freshId, name), undefined, `${name}: none is no row`);
      }
    });

    it('bucket settings are validated before anything is stored', async () => {
      const name = bucketName('eng');
      await assert.rejects(engine.createBucket(caller, name, { settings: { quota: 2n ** 63n } }), { code: 'InvalidArgument' });
      await assert.rejects(engine.getBucket(name), { code: 'NoSuchBucket' }, 'no bucket was created');
      await engine.createBucket(caller, name, { settings: { storageClass: 'GLACIER' } });
      await assert.rejects(engine.setBucketSetting(name, 'storageClass', 'not a class'), { code: 'InvalidStorageClass' });
      await assert.rejects(engine.setBucketSetting(name, 'dataRedundancy', 'XRS' as DataRedundancy), { code: 'InvalidArgument' });
      const noOwner = { owner: '', grants: [] };
      await assert.rejects(engine.setBucketSetting(name, 'acl', noOwner), { code: 'MalformedACLError' });
      const badGrant = { owner: 'owner', grants: [{ grantee: { type: 'group', group: 'Everyone' }, permission: 'READ' }] } as unknown as Acl;
      await assert.rejects(engine.setBucketSetting(name, 'acl', badGrant), { code: 'MalformedACLError' });
      assert.equal(await engine.bucketSetting(name, 'storageClass'), 'GLACIER', 'the stored value is unchanged');
      assert.equal(await meta.getSetting((await engine.getBucket(name)).id, 'acl'), undefined);
    });

    it('copies share the blob until the last reference goes', async () => {
      const b = await newBucket();
      const src = await put(b, 'src', large('shared body'));
      const { target } = await engine.copyObject(caller, { bucket: b, key: 'src' }, { bucket: b, key: 'dst' }, { metadataDirective: 'COPY' });
      assert.ok(src.blobId);
      assert.equal(target.blobId, src.blobId);
      await engine.deleteObject(caller, b, 'src');
      assert.equal(await read(b, 'dst'), large('shared body').toString());
      await checkInvariants();
      await put(b, 'dst', 'replaced');
      assert.equal(await meta.blobReferenced(src.blobId!), false);
      await checkInvariants();
    });

    it('small objects are inline: no blob; reads, ranges and copies see their bytes; deletes and overwrites take them along', async () => {
      const b = await newBucket('Enabled');
      const blobsBefore = (await filesUnder(path.join(dir, 'blobs'))).length;
      const small = await put(b, 'small', 'inline bytes');
      assert.equal(small.inline, true);
      assert.equal(small.blobId, null);
      assert.equal((await filesUnder(path.join(dir, 'blobs'))).length, blobsBefore, 'no blob file');
      const rec = await engine.getObject(b, 'small');
      assert.equal(rec.inline, true);
      assert.equal((await engine.readSmall(rec, { start: 2, end: 5 })).toString(), 'line');
      const chunks: Buffer[] = [];
      for await (const c of await engine.openData(rec, { start: 7, end: 11 })) chunks.push(c as Buffer);
      assert.equal(Buffer.concat(chunks).toString(), 'bytes');
      // A copy holds its own bytes: the source's version can go.
      const { target } = await engine.copyObject(caller, { bucket: b, key: 'small' }, { bucket: b, key: 'copy' }, { metadataDirective: 'COPY' });
      assert.equal(target.inline, true);
      assert.equal(target.etag, md5('inline bytes'));
      await engine.deleteObject(caller, b, 'small', { versionId: small.versionId });
      assert.equal(await meta.getObjectData(small.id), undefined, 'the deleted version took its bytes along');
      assert.equal(await read(b, 'copy'), 'inline bytes');
      // Exactly at the bound: inline; one byte more: a blob.
      const edge = await put(b, 'edge', Buffer.alloc(INLINE_MAX, 1));
      assert.equal(edge.inline, true);
      const over = await put(b, 'edge', Buffer.alloc(INLINE_MAX + 1, 2));
      assert.equal(over.inline, false);
      assert.ok(over.blobId);
      assert.equal((await meta.getObjectData(edge.id))?.length, INLINE_MAX, 'a noncurrent inline version keeps its bytes');
      // A body that is not its declared length is refused, and nothing is stored.
      const short = (async function* () {
        yield Buffer.from('abc');
      })();
      await assert.rejects(engine.putObject(caller, b, 'short', short, { meta: { user: {} }, size: 10 }), { code: 'IncompleteBody' });
      const long = (async function* () {
        yield Buffer.alloc(11);
      })();
      await assert.rejects(engine.putObject(caller, b, 'short', long, { meta: { user: {} }, size: 10 }), { code: 'IncompleteBody' });
      await assert.rejects(engine.getObject(b, 'short'), { code: 'NoSuchKey' });
      await checkInvariants();
    });

    describe('listing with a delimiter', () => {
      const live = [
        'a', 'a/', 'a/1', 'a/2', 'a/b/c', 'a0', 'a.b', 'b/c/d', 'b/c/e', 'c', 'A/x', 'B',
        '😀/1', '😀/2', '😀', '\uE000/1', '\uE000', '\uFFFD', '\uFFFD/q',
        'photos/2024/jan/1.jpg', 'photos/2024/feb/2.jpg', 'photos/2025/x.jpg', 'photos/readme',
        'z//double', 'z/', 'z2',
        ...Array.from({ length: 25 }, (_, i) => `m/${String(i).padStart(2, '0')}`),
        ...Array.from({ length: 12 }, (_, i) => `n${i}/leaf`),
      ];
      let bucket: string;
      before(async () => {
        bucket = await newBucket('Enabled');
        for (const k of live) await put(bucket, k, k);
        await put(bucket, 'a/1', 'overwritten');
        // Deleted keys (delete markers on top) and a prefix whose keys are all deleted do not show.
        for (const k of ['gone/1', 'gone/2', 'a/deleted', 'n5/x']) {
          await put(bucket, k, k);
          await engine.deleteObject(caller, bucket, k);
        }
      });

      async function listAll(opts: Omit<ListOptions, 'after'>): Promise<Entry[]> {
        const out: Entry[] = [];
        let after: string | undefined;
        for (let pages = 0; ; pages++) {
          assert.ok(pages <= live.length + 1, 'listing terminates');
          const page = await engine.listObjects(bucket, { ...opts, after });
          const entries: Entry[] = [
            ...page.objects.map((o) => ({ kind: 'key' as const, name: o.key })),
            ...page.prefixes.map((p) => ({ kind: 'prefix' as const, name: p })),
          ].sort((x, y) => byteOrder(x.name, y.name));
          assert.ok(entries.length <= opts.maxKeys, 'a page holds at most maxKeys entries');
          if (entries.length) assert.equal(page.last, entries.at(-1)!.name);
          out.push(...entries);
          if (!page.truncated) return out;
          assert.ok(entries.length > 0, 'a truncated page is not empty');
          after = page.last;
        }
      }

      for (const delimiter of ['', '/', '2']) {
        it(`pages are consistent for delimiter ${JSON.stringify(delimiter)}`, async () => {
          for (const prefix of ['', 'a', 'a/', 'photos/', 'photos/2024/', '😀', '\uE000', 'm/', 'zzz']) {
            const expected = expectedListing(live, prefix, delimiter);
            for (const maxKeys of [1, 2, 3, 7, 1000]) {
              const got = await listAll({ prefix, delimiter, maxKeys });
              assert.deepEqual(got, expected, `prefix ${JSON.stringify(prefix)} maxKeys ${maxKeys}`);
            }
          }
        });
      }

      it('starts after a marker inside a common prefix without repeating it', async () => {
        const page = await engine.listObjects(bucket, { delimiter: '/', after: 'a/1', maxKeys: 1000 });
        const all = expectedListing(live, '', '/').filter((e) => byteOrder(e.name, 'a/1') > 0);
        assert.deepEqual([...page.objects.map((o) => o.key), ...page.prefixes].sort(byteOrder), all.map((e) => e.name));
        assert.ok(!page.prefixes.includes('a/'), 'the prefix holding the marker is not repeated');
      });
    });

    describe('concurrent writers of one key', () => {
      for (const state of ['Unversioned', 'Enabled', 'Suspended'] as VersioningState[]) {
        it(`${state}: the last commit wins whole and no blob is orphaned`, async () => {
          const b = await newBucket(state);
          if (state === 'Suspended') {
            await setVersioning(b, 'Enabled');
            await put(b, 'k', 'an older version');
            await setVersioning(b, 'Suspended');
          }
          const bodies = Array.from({ length: 10 }, (_, i) => Buffer.from(`writer ${i} `.repeat(200 + 37 * i)));
          const written = await Promise.all(bodies.map((body) => put(b, 'k', body)));
          const final = await engine.getObject(b, 'k');
          const content = await engine.readSmall(final);
          const winner = bodies.findIndex((body) => body.equals(content));
          assert.ok(winner >= 0, 'the content is one writer’s, whole');
          assert.equal(final.etag, md5(content));
          assert.equal(final.size, content.length);
          // The winner is the last commit: its row id is the largest.
          assert.equal(final.id, Math.max(...written.map((w) => w.id)));
          const vs = await versions(b);
          if (state === 'Unversioned') assert.equal(vs.length, 1);
          if (state === 'Suspended') assert.deepEqual(vs.map((v) => v.versionId === 'null'), [true, false]);
          if (state === 'Enabled') {
            assert.equal(vs.length, 10);
            for (const v of vs) assert.equal((await engine.readSmall(v)).toString(), bodies[written.findIndex((w) => w.id === v.id)].toString());
          }
          await checkInvariants();
        });
      }

      it('concurrent creates of one bucket name: one wins, the others are told it exists', async () => {
        const name = bucketName('race');
        const results = await Promise.allSettled(Array.from({ length: 6 }, () => engine.createBucket(caller, name)));
        assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
        for (const r of results) if (r.status === 'rejected') assert.equal(r.reason.code, 'BucketAlreadyOwnedByYou');
      });

      it('a bucket with content is not deleted; an empty one is', async () => {
        const b = await newBucket();
        await put(b, 'k', 'x');
        await assert.rejects(engine.deleteBucket(b), { code: 'BucketNotEmpty' });
        await engine.deleteObject(caller, b, 'k');
        await engine.deleteBucket(b);
        await assert.rejects(engine.getBucket(b), { code: 'NoSuchBucket' });
        await assert.rejects(put(b, 'k', 'x'), { code: 'NoSuchBucket' });
        await checkInvariants();
      });
    });
  });
}
