/**
 * One conformance suite for every MetadataStore implementation: each store
 * test file calls defineConformance with a factory, and the same assertions
 * run against SQLite and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { MetaOps, MetadataStore } from '../../src/meta/store.js';
import type { AccessKeyRecord, BucketRecord, NewObject, ObjectRecord, PartRecord, RoleRecord, Segment, UploadRecord, UserRecord } from '../../src/meta/types.js';

export interface OpenedStore {
  store: MetadataStore;
  cleanup(): Promise<void>;
  /** Where the store lives, so other processes can open the same database (openMetadataStore options). */
  location?: { url: string; pgSchema?: string };
}

export type OpenStore = () => Promise<OpenedStore>;

/** Orders strings by their UTF-8 bytes, as S3 (and the store) orders keys. */
export const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

let seq = 0;
const unique = (tag: string) => `${tag}-${process.pid}-${++seq}-${randomBytes(3).toString('hex')}`;
const blobId = () => randomBytes(16).toString('hex');
const yieldTurn = () => new Promise<void>((r) => setImmediate(r));

function newObject(bucketId: number, key: string, o: Partial<NewObject> = {}): NewObject {
  return {
    bucketId,
    key,
    versionId: 'null',
    isLatest: true,
    isDeleteMarker: false,
    size: 10,
    etag: 'd41d8cd98f00b204e9800998ecf8427e',
    lastModified: 1_700_000_000_000,
    meta: { contentType: 'text/plain', user: { a: '1' } },
    checksums: {},
    storageClass: 'STANDARD',
    objectType: 'Normal',
    ownerId: 'owner',
    blobId: blobId(),
    segmentCount: 0,
    inline: false,
    tags: null,
    extra: {},
    ...o,
  };
}

function newUpload(bucketId: number, key: string, initiated: number, uploadId = randomBytes(16).toString('hex')): UploadRecord {
  return { uploadId, bucketId, key, initiated, ownerId: 'owner', meta: { user: { m: 'v' } }, storageClass: 'STANDARD', tags: null, extra: {} };
}

function newPart(uploadId: string, partNumber: number, o: Partial<PartRecord> = {}): PartRecord {
  return { uploadId, partNumber, blobId: blobId(), size: 5 * 1024 * 1024, etag: randomBytes(16).toString('hex'), checksums: {}, lastModified: 1_700_000_000_000, ...o };
}

/** Runs migrate() for the store at `location` in a separate Node process; resolves with its exit code and stderr. */
function migrateInChild(location: { url: string; pgSchema?: string }): Promise<{ code: number | null; stderr: string }> {
  const script = fileURLToPath(new URL('./migrate-child.ts', import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, JSON.stringify(location)], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

export function defineConformance(name: string, open: OpenStore): void {
  describe(`metadata store conformance: ${name}`, () => {
    let opened: OpenedStore;
    let store: MetadataStore;
    before(async () => {
      opened = await open();
      store = opened.store;
      await store.migrate();
    });
    after(async () => {
      await opened?.cleanup();
    });

    const bucket = async (o: Partial<Omit<BucketRecord, 'id' | 'objectCount' | 'bytesUsed'>> = {}, ops: MetaOps = store) =>
      ops.insertBucket({ name: unique('bkt'), ownerId: 'owner', region: 'us-east-1', createdAt: 1_700_000_000_000, versioning: 'Unversioned', ...o });

    describe('accounts and access keys', () => {
      const ACCOUNT_DEFAULTS = { appid: null, name: null, email: null };
      const KEY_DEFAULTS = { userName: null, status: 'Active', roleName: null, sessionName: null, sessionPolicy: null, principalId: null, parentKey: null };

      it('puts, gets and upserts an account', async () => {
        const id = unique('acct');
        assert.equal(await store.getAccount(id), undefined);
        await store.putAccount({ id, displayName: 'first', createdAt: 1_700_000_000_001 });
        assert.deepEqual(await store.getAccount(id), { id, displayName: 'first', createdAt: 1_700_000_000_001, ...ACCOUNT_DEFAULTS });
        await store.putAccount({ id, displayName: 'second', createdAt: 1_800_000_000_000 });
        // The upsert renames; the creation time is the first one.
        assert.deepEqual(await store.getAccount(id), { id, displayName: 'second', createdAt: 1_700_000_000_001, ...ACCOUNT_DEFAULTS });
      });

      it('finds an account by its appid, which is unique', async () => {
        const id = unique('acct');
        const appid = String(1_300_000_000 + Math.floor(Math.random() * 1_000_000_000));
        await store.putAccount({ id, displayName: id, createdAt: 5, appid });
        assert.deepEqual(await store.getAccountByAppid(appid), { id, displayName: id, createdAt: 5, ...ACCOUNT_DEFAULTS, appid });
        assert.equal(await store.getAccountByAppid('1'), undefined, 'no account has appid 1');
        await assert.rejects(store.putAccount({ id: unique('acct'), displayName: 'x', createdAt: 6, appid }), 'a second account cannot take the same appid');
      });

      it('finds an account by its name and by its email, both unique; an upsert without them keeps them', async () => {
        const id = unique('acct');
        const name = unique('name');
        const email = `${unique('mail')}@example.com`;
        await store.putAccount({ id, displayName: 'D', createdAt: 7, name, email });
        const want = { id, displayName: 'D', createdAt: 7, appid: null, name, email };
        assert.deepEqual(await store.getAccountByName(name), want);
        assert.deepEqual(await store.getAccountByEmail(email), want);
        assert.equal(await store.getAccountByEmail('nobody@example.com'), undefined);
        await store.putAccount({ id, displayName: 'E', createdAt: 8 });
        assert.deepEqual(await store.getAccount(id), { ...want, displayName: 'E' });
        await assert.rejects(store.putAccount({ id: unique('acct'), displayName: 'x', createdAt: 9, email }), 'a second account cannot take the same email');
        await assert.rejects(store.putAccount({ id: unique('acct'), displayName: 'x', createdAt: 9, name }), 'nor the same name');
      });

      it('puts, gets and upserts an access key, numbers and nulls intact', async () => {
        const accountId = unique('acct');
        await store.putAccount({ id: accountId, displayName: accountId, createdAt: 1 });
        const accessKeyId = unique('AK').toUpperCase();
        assert.equal(await store.getAccessKey(accessKeyId), undefined);
        const k = { accessKeyId, secretAccessKey: 's1', accountId, sessionToken: null, expiresAt: null, createdAt: 1_700_000_000_002 };
        await store.putAccessKey(k);
        assert.deepEqual(await store.getAccessKey(accessKeyId), { ...k, ...KEY_DEFAULTS });
        const k2 = { ...k, secretAccessKey: 's2', sessionToken: 'tok', expiresAt: 4_102_444_800_000 };
        await store.putAccessKey(k2);
        const got = await store.getAccessKey(accessKeyId);
        assert.deepEqual(got, { ...k2, ...KEY_DEFAULTS });
        assert.equal(typeof got!.expiresAt, 'number');
      });

      it("keeps a session's facts, lists only long-term keys per owner, and disables, deletes and purges keys", async () => {
        const accountId = unique('acct');
        await store.putAccount({ id: accountId, displayName: accountId, createdAt: 1 });
        const key = (id: string, o: Partial<AccessKeyRecord> = {}): AccessKeyRecord => ({ accessKeyId: id, secretAccessKey: 'secret', accountId, sessionToken: null, expiresAt: null, createdAt: 10, ...o });
        const rootKey = key(unique('AKR'), { createdAt: 5 });
        const userKeys = [key(unique('AKU1'), { userName: 'alice', createdAt: 6 }), key(unique('AKU2'), { userName: 'alice', status: 'Inactive', createdAt: 7 })];
        const session = key(unique('ASIA'), {
          sessionToken: 'token', expiresAt: 1_000, userName: 'alice', roleName: 'worker', sessionName: 'job', sessionPolicy: '{"Version":"2012-10-17"}', principalId: 'AROAX', parentKey: userKeys[0]!.accessKeyId,
        });
        for (const k of [rootKey, ...userKeys, session]) await store.putAccessKey(k);
        assert.deepEqual(await store.getAccessKey(session.accessKeyId), { ...KEY_DEFAULTS, ...session, status: 'Active' });
        assert.deepEqual((await store.listAccessKeys(accountId, null)).map((k) => k.accessKeyId), [rootKey.accessKeyId]);
        assert.deepEqual((await store.listAccessKeys(accountId, 'alice')).map((k) => [k.accessKeyId, k.status]), [[userKeys[0]!.accessKeyId, 'Active'], [userKeys[1]!.accessKeyId, 'Inactive']]);
        assert.equal(await store.setAccessKeyStatus(userKeys[0]!.accessKeyId, 'Inactive'), true);
        assert.equal((await store.getAccessKey(userKeys[0]!.accessKeyId))?.status, 'Inactive');
        assert.equal(await store.setAccessKeyStatus('NOSUCHKEY', 'Active'), false);
        assert.equal(await store.deleteAccessKey(userKeys[1]!.accessKeyId), true);
        assert.equal(await store.deleteAccessKey(userKeys[1]!.accessKeyId), false);
        assert.ok((await store.purgeExpiredSessions(1_001)) >= 1);
        assert.equal(await store.getAccessKey(session.accessKeyId), undefined, 'the expired session is gone');
        assert.ok(await store.getAccessKey(rootKey.accessKeyId), 'long-term keys never expire');
      });
    });

    describe('IAM users, roles and inline policies', () => {
      it('inserts users once per name regardless of case, lists them by name and deletes them', async () => {
        const accountId = unique('acct');
        await store.putAccount({ id: accountId, displayName: accountId, createdAt: 1 });
        const user = (name: string, id: string): UserRecord => ({ accountId, name, id, path: '/p/', createdAt: 1_700_000_000_000 });
        assert.equal(await store.insertUser(user('bob', unique('AIDA'))), true);
        assert.equal(await store.insertUser(user('Alice', unique('AIDA'))), true);
        assert.equal(await store.insertUser(user('BOB', unique('AIDA'))), false, 'names are unique regardless of case');
        const bob = await store.getUser(accountId, 'Bob');
        assert.equal(bob?.name, 'bob');
        assert.equal(bob?.path, '/p/');
        assert.deepEqual((await store.listUsers(accountId)).map((u) => u.name), ['Alice', 'bob'], 'byte order');
        assert.deepEqual(await store.listUsers(unique('other')), []);
        assert.equal(await store.deleteUser(accountId, 'BOB'), true);
        assert.equal(await store.deleteUser(accountId, 'bob'), false);
        assert.equal(await store.getUser(accountId, 'bob'), undefined);
      });

      it('inserts, reads, lists and deletes roles with their trust policy and duration', async () => {
        const accountId = unique('acct');
        await store.putAccount({ id: accountId, displayName: accountId, createdAt: 1 });
        const role: RoleRecord = { accountId, name: 'reader', id: unique('AROA'), path: '/', trustPolicy: '{"Version":"2012-10-17","Statement":[]}', maxSessionDuration: 7200, description: null, createdAt: 5 };
        assert.equal(await store.insertRole(role), true);
        assert.equal(await store.insertRole({ ...role, id: unique('AROA') }), false);
        assert.deepEqual(await store.getRole(accountId, 'READER'), role);
        assert.deepEqual(await store.listRoles(accountId), [role]);
        assert.equal(await store.deleteRole(accountId, 'reader'), true);
        assert.deepEqual(await store.listRoles(accountId), []);
      });

      it("keeps a user's and a role's policies apart, replaces by name and deletes", async () => {
        const accountId = unique('acct');
        const u = { accountId, kind: 'user' as const, name: 'same' };
        const r = { accountId, kind: 'role' as const, name: 'same' };
        await store.putPolicy(u, { name: 'p', document: 'user-doc' });
        await store.putPolicy(r, { name: 'p', document: 'role-doc' });
        await store.putPolicy(u, { name: 'a', document: 'a-doc' });
        assert.deepEqual(await store.getPolicy(u, 'P'), { name: 'p', document: 'user-doc' });
        assert.deepEqual(await store.getPolicy(r, 'p'), { name: 'p', document: 'role-doc' });
        await store.putPolicy({ ...u, name: 'SAME' }, { name: 'P', document: 'replaced' });
        assert.deepEqual(await store.listPolicies(u), [{ name: 'a', document: 'a-doc' }, { name: 'p', document: 'replaced' }], 'the first spelling stays');
        assert.equal(await store.deletePolicy(u, 'p'), true);
        assert.equal(await store.deletePolicy(u, 'p'), false);
        assert.equal(await store.getPolicy(u, 'p'), undefined);
        assert.deepEqual(await store.listPolicies(r), [{ name: 'p', document: 'role-doc' }]);
      });
    });

    describe('buckets', () => {
      it('inserts a bucket and reads it back by name, also with the row lock', async () => {
        const b = await bucket({ region: 'eu-west-1' });
        assert.equal(typeof b.id, 'number');
        assert.equal(b.objectCount, 0);
        assert.equal(b.bytesUsed, 0);
        assert.equal(b.region, 'eu-west-1');
        assert.deepEqual(await store.getBucket(b.name), b);
        assert.deepEqual(await store.getBucketForUpdate(b.name), b);
        assert.deepEqual(await store.transaction((tx) => tx.getBucketForUpdate(b.name)), b);
        assert.equal(await store.getBucket(unique('none')), undefined);
        const b2 = await bucket();
        assert.ok(b2.id > b.id, 'ids increase');
      });

      it('refuses a second bucket of the same name and leaves the first intact', async () => {
        const b = await bucket({ ownerId: 'alice' });
        await assert.rejects(bucket({ name: b.name, ownerId: 'alice' }), { code: 'BucketAlreadyOwnedByYou' });
        await assert.rejects(bucket({ name: b.name, ownerId: 'bob' }), { code: 'BucketAlreadyExists' });
        // Inside a transaction the refusal does not poison it: later statements still run and commit.
        await assert.rejects(
          store.transaction(async (tx) => {
            await bucket({ name: b.name, ownerId: 'bob' }, tx);
          }),
          { code: 'BucketAlreadyExists' },
        );
        const other = await store.transaction(async (tx) => {
          await assert.rejects(bucket({ name: b.name }, tx));
          return bucket({}, tx);
        });
        assert.ok(await store.getBucket(other.name), 'the bucket inserted after the refusal is committed');
        assert.deepEqual(await store.getBucket(b.name), b);
      });

      it('lists buckets by owner, ordered by the bytes of the name', async () => {
        const owner = unique('owner');
        const tag = randomBytes(3).toString('hex');
        const names = ['b-z', 'ab', 'a-c', 'a.c', 'a0', 'abc', 'a9'].map((n) => `${tag}${n}`);
        for (const n of names) await bucket({ name: n, ownerId: owner });
        await bucket({ name: `${tag}zz`, ownerId: unique('other') });
        const listed = await store.listBuckets(owner);
        assert.deepEqual(
          listed.map((b) => b.name),
          [...names].sort(byteOrder),
        );
        assert.ok(listed.every((b) => b.ownerId === owner), 'only the owner’s buckets');
        const all = (await store.listBuckets()).map((b) => b.name);
        assert.ok(all.includes(`${tag}zz`) && names.every((n) => all.includes(n)), 'every bucket without an owner filter');
        assert.deepEqual(all, [...all].sort(byteOrder));
      });

      it('deletes a bucket', async () => {
        const b = await bucket();
        await store.deleteBucket(b.id);
        assert.equal(await store.getBucket(b.name), undefined);
        await store.deleteBucket(b.id); // absent: no error
        const again = await bucket({ name: b.name });
        assert.notEqual(again.id, b.id);
      });

      it('keeps the versioning state', async () => {
        const b = await bucket();
        for (const s of ['Enabled', 'Suspended', 'Enabled'] as const) {
          await store.setVersioning(b.id, s);
          assert.equal((await store.getBucket(b.name))!.versioning, s);
        }
      });

      it('adjusts usage counters exactly, beyond 32 bits', async () => {
        const b = await bucket();
        const tib = 5 * 1024 ** 4;
        await store.adjustUsage(b.id, 3, tib + 7);
        await store.adjustUsage(b.id, 0, 0);
        await store.transaction((tx) => tx.adjustUsage(b.id, -1, -7));
        const got = (await store.getBucket(b.name))!;
        assert.equal(got.objectCount, 2);
        assert.equal(got.bytesUsed, tib);
        assert.equal(typeof got.bytesUsed, 'number');
      });

      it('tells whether a bucket has content: versions, delete markers or (when asked) uploads', async () => {
        const b = await bucket();
        const all = { uploads: true };
        assert.equal(await store.bucketHasContent(b.id, all), false);
        const o = await store.insertObject(newObject(b.id, 'k'));
        assert.equal(await store.bucketHasContent(b.id, all), true);
        assert.equal(await store.bucketHasContent(b.id, { uploads: false }), true);
        await store.deleteObjectRow(o.id);
        assert.equal(await store.bucketHasContent(b.id, all), false);
        const m = await store.insertObject(newObject(b.id, 'k', { isDeleteMarker: true, blobId: null, size: 0 }));
        assert.equal(await store.bucketHasContent(b.id, all), true);
        await store.deleteObjectRow(m.id);
        const u = newUpload(b.id, 'k', 1);
        await store.insertUpload(u);
        assert.equal(await store.bucketHasContent(b.id, all), true);
        assert.equal(await store.bucketHasContent(b.id, { uploads: false }), false);
        await store.deleteUpload(u.uploadId);
        assert.equal(await store.bucketHasContent(b.id, all), false);
      });

      it("deletes a bucket's uploads with their parts and names the parts' blobs", async () => {
        const b = await bucket();
        const other = await bucket();
        const u1 = newUpload(b.id, 'a', 1);
        const u2 = newUpload(b.id, 'b', 2);
        const kept = newUpload(other.id, 'a', 3);
        for (const u of [u1, u2, kept]) await store.insertUpload(u);
        const part = (u: UploadRecord, n: number, blobId: string) => store.putPart(newPart(u.uploadId, n, { blobId }));
        await part(u1, 1, 'blob-1');
        await part(u1, 2, 'blob-2');
        await part(u2, 1, 'blob-3');
        await part(kept, 1, 'blob-4');
        assert.deepEqual((await store.deleteBucketUploads(b.id)).sort(), ['blob-1', 'blob-2', 'blob-3']);
        assert.equal(await store.bucketHasContent(b.id, { uploads: true }), false);
        assert.deepEqual(await store.listParts(u1.uploadId, 0, 10), []);
        assert.equal((await store.listParts(kept.uploadId, 0, 10)).length, 1);
        assert.equal(await store.blobReferenced('blob-1'), false);
        assert.equal(await store.blobReferenced('blob-4'), true);
      });
    });

    describe('bucket settings', () => {
      it('puts, gets, replaces and deletes JSON documents per bucket and name', async () => {
        const b = await bucket();
        const b2 = await bucket();
        assert.equal(await store.getSetting(b.id, 'cors'), undefined);
        const doc = { rules: [{ origins: ['*'], max: 3000 }], note: 'ünïcødé 😀' };
        await store.putSetting(b.id, 'cors', doc);
        await store.putSetting(b.id, 'policy', ['x']);
        await store.putSetting(b2.id, 'cors', { other: true });
        assert.deepEqual(await store.getSetting(b.id, 'cors'), doc);
        await store.putSetting(b.id, 'cors', { replaced: 1 });
        assert.deepEqual(await store.getSetting(b.id, 'cors'), { replaced: 1 });
        assert.deepEqual(await store.getSetting(b.id, 'policy'), ['x']);
        assert.deepEqual(await store.getSetting(b2.id, 'cors'), { other: true });
        await store.deleteSetting(b.id, 'cors');
        await store.deleteSetting(b.id, 'cors');
        assert.equal(await store.getSetting(b.id, 'cors'), undefined);
        assert.deepEqual(await store.getSetting(b.id, 'policy'), ['x']);
      });

      it('removes the settings with the bucket', async () => {
        const b = await bucket();
        await store.putSetting(b.id, 'lifecycle', { days: 3 });
        await store.deleteBucket(b.id);
        assert.equal(await store.getSetting(b.id, 'lifecycle'), undefined);
      });
    });

    describe('objects', () => {
      it('inserts an object and reads every field back', async () => {
        const b = await bucket();
        const o = newObject(b.id, 'dir/ключ 😀', {
          size: 6 * 1024 ** 4,
          lastModified: 1_712_345_678_901,
          meta: { contentType: 'image/png', cacheControl: 'no-cache', contentDisposition: 'inline', user: { 'x-y': 'ünï' } },
          checksums: { crc32: 'AAAAAA==', sha256: 'x' },
          storageClass: 'STANDARD_IA',
          objectType: 'Multipart',
          ownerId: 'someone',
          tags: { a: 'b', c: '' },
          extra: { acl: { grants: [1, 2] } },
        });
        const rec = await store.insertObject(o);
        assert.equal(typeof rec.id, 'number');
        assert.deepEqual(rec, { ...o, id: rec.id });
        assert.deepEqual(await store.getLatest(b.id, o.key), rec);
        assert.deepEqual(await store.getVersion(b.id, o.key, 'null'), rec);
        assert.deepEqual(await store.getNewest(b.id, o.key), rec);
        assert.equal(await store.getLatest(b.id, 'dir/other'), undefined);
        assert.equal(await store.getVersion(b.id, o.key, 'v2'), undefined);
        const b2 = await bucket();
        assert.equal(await store.getLatest(b2.id, o.key), undefined);
      });

      it('round-trips a delete marker', async () => {
        const b = await bucket();
        const m = await store.insertObject(newObject(b.id, 'k', { isDeleteMarker: true, blobId: null, size: 0, etag: '', versionId: 'vm' }));
        const got = await store.getLatest(b.id, 'k');
        assert.deepEqual(got, m);
        assert.equal(got!.isDeleteMarker, true);
        assert.equal(got!.blobId, null);
      });

      it('gives later rows larger ids; getNewest follows ids, getLatest follows the flag', async () => {
        const b = await bucket();
        const v1 = await store.insertObject(newObject(b.id, 'k', { versionId: 'v1' }));
        await store.setLatest(v1.id, false);
        const v2 = await store.insertObject(newObject(b.id, 'k', { versionId: 'v2' }));
        assert.ok(v2.id > v1.id, 'ids increase');
        assert.equal((await store.getLatest(b.id, 'k'))!.id, v2.id);
        assert.equal((await store.getVersion(b.id, 'k', 'v1'))!.isLatest, false);
        await store.setLatest(v2.id, false);
        assert.equal(await store.getLatest(b.id, 'k'), undefined);
        assert.equal((await store.getNewest(b.id, 'k'))!.id, v2.id);
        await store.setLatest(v1.id, true);
        assert.equal((await store.getLatest(b.id, 'k'))!.id, v1.id);
        assert.equal((await store.getNewest(b.id, 'k'))!.id, v2.id);
        await store.deleteObjectRow(v2.id);
        assert.equal((await store.getNewest(b.id, 'k'))!.id, v1.id);
      });

      it('allows one latest row per key, and one row per version id', async () => {
        const b = await bucket();
        const b2 = await bucket();
        await store.insertObject(newObject(b.id, 'k', { versionId: 'v1' }));
        await assert.rejects(store.insertObject(newObject(b.id, 'k', { versionId: 'v2' })));
        await store.insertObject(newObject(b.id, 'k', { versionId: 'v3', isLatest: false }));
        await store.insertObject(newObject(b.id, 'k', { versionId: 'v4', isLatest: false }));
        await store.insertObject(newObject(b.id, 'K', { versionId: 'v1' }));
        await store.insertObject(newObject(b2.id, 'k', { versionId: 'v1' }));
        await assert.rejects(store.insertObject(newObject(b.id, 'k', { versionId: 'v3', isLatest: false })));
        await assert.rejects(store.setLatest((await store.getVersion(b.id, 'k', 'v3'))!.id, true));
        // A violation inside a transaction rolls the whole transaction back.
        await assert.rejects(
          store.transaction(async (tx) => {
            await tx.insertObject(newObject(b.id, 'other', { versionId: 'x' }));
            await tx.insertObject(newObject(b.id, 'k', { versionId: 'v5' }));
          }),
        );
        assert.equal(await store.getLatest(b.id, 'other'), undefined);
        const versions = await store.listVersions(b.id, { key: 'k' }, 'l', 100);
        assert.deepEqual(versions.map((v) => v.versionId), ['v4', 'v3', 'v1']);
        assert.deepEqual(versions.map((v) => v.isLatest), [false, false, true]);
      });

      it('updates tags and extra documents', async () => {
        const b = await bucket();
        const o = await store.insertObject(newObject(b.id, 'k'));
        await store.updateObjectTags(o.id, { t: '1', 'ü': '😀' });
        await store.updateObjectExtra(o.id, { acl: 'private', n: [1] });
        let got = (await store.getLatest(b.id, 'k'))!;
        assert.deepEqual(got.tags, { t: '1', 'ü': '😀' });
        assert.deepEqual(got.extra, { acl: 'private', n: [1] });
        await store.updateObjectTags(o.id, null);
        got = (await store.getLatest(b.id, 'k'))!;
        assert.equal(got.tags, null);
        assert.deepEqual({ ...got, tags: null, extra: {} }, { ...o, tags: null, extra: {} });
      });

      it('deleteObjectRow removes the row with its segments, tags and extra', async () => {
        const b = await bucket();
        const segs = [0, 1, 2].map(() => ({ blobId: blobId(), size: 5, etag: 'e', checksums: {} }));
        const o = await store.insertObject(newObject(b.id, 'k', { blobId: null, segmentCount: 3, objectType: 'Multipart' }));
        await store.insertSegments(o.id, segs);
        await store.updateObjectTags(o.id, { t: '1' });
        await store.updateObjectExtra(o.id, { e: 1 });
        await store.deleteObjectRow(o.id);
        assert.equal(await store.getLatest(b.id, 'k'), undefined);
        assert.equal(await store.getVersion(b.id, 'k', 'null'), undefined);
        assert.deepEqual(await store.getSegments(o.id), []);
        for (const s of segs) assert.equal(await store.blobReferenced(s.blobId), false);
        const again = await store.insertObject(newObject(b.id, 'k'));
        assert.equal(again.tags, null);
        const read = (await store.getLatest(b.id, 'k'))!;
        assert.equal(read.tags, null);
        assert.deepEqual(read.extra, {});
        assert.deepEqual(await store.getSegments(again.id), []);
      });

      it('holdVersion tells, inside a transaction, whether a version row still exists', async () => {
        const b = await bucket();
        const o = await store.insertObject(newObject(b.id, 'held'));
        assert.equal(await store.transaction((tx) => tx.holdVersion(o.id)), true, 'an existing row');
        await store.deleteObjectRow(o.id);
        assert.equal(await store.transaction((tx) => tx.holdVersion(o.id)), false, 'a deleted row');
      });
    });

    describe('segments and blob references', () => {
      it('keeps segments in order with their checksums', async () => {
        const b = await bucket();
        const o = await store.insertObject(newObject(b.id, 'k', { blobId: null, segmentCount: 12 }));
        const segs: Segment[] = Array.from({ length: 12 }, (_, i) => ({ blobId: blobId(), size: i === 11 ? 5 * 1024 ** 4 : i + 1, etag: `e${i}`, checksums: i % 2 ? { crc32c: `c${i}` } : ({} as Record<string, string>) }));
        await store.transaction((tx) => tx.insertSegments(o.id, segs));
        assert.deepEqual(await store.getSegments(o.id), segs);
        const other = await store.insertObject(newObject(b.id, 'k2'));
        assert.deepEqual(await store.getSegments(other.id), []);
      });

      it('tells whether an object, a segment or an upload part references a blob', async () => {
        const b = await bucket();
        assert.equal(await store.blobReferenced(blobId()), false);
        const o = await store.insertObject(newObject(b.id, 'k'));
        assert.equal(await store.blobReferenced(o.blobId!), true);
        const m = await store.insertObject(newObject(b.id, 'm', { blobId: null, segmentCount: 1 }));
        const seg = blobId();
        await store.insertSegments(m.id, [{ blobId: seg, size: 1, etag: 'e', checksums: {} }]);
        assert.equal(await store.blobReferenced(seg), true);
        const u = newUpload(b.id, 'u', 1);
        await store.insertUpload(u);
        const p = newPart(u.uploadId, 1);
        await store.putPart(p);
        assert.equal(await store.blobReferenced(p.blobId), true);
        // A copy shares the blob: it stays referenced until both rows are gone.
        const copy = await store.insertObject(newObject(b.id, 'copy', { blobId: o.blobId }));
        await store.deleteObjectRow(o.id);
        assert.equal(await store.blobReferenced(o.blobId!), true);
        await store.deleteObjectRow(copy.id);
        assert.equal(await store.blobReferenced(o.blobId!), false);
        await store.deleteObjectRow(m.id);
        assert.equal(await store.blobReferenced(seg), false);
        await store.deleteUpload(u.uploadId);
        assert.equal(await store.blobReferenced(p.blobId), false);
      });
    });

    describe('listLatest', () => {
      // Keys chosen so that UTF-16 order and UTF-8 byte order disagree (astral vs U+E000-U+FFFF),
      // case differs, and prefixes of one another appear.
      const visible = ['a', 'a/b', 'a/b/c', 'a0', 'A', 'B', 'b', 'z', 'é', '\u00ff', '\u0800', '\uE000', '\uFFFD', '\uFFFF', '😀', '😀/x', '\u{10FFFF}', ' ', '~'];
      const sorted = [...visible].sort(byteOrder);
      let b: BucketRecord;
      before(async () => {
        b = await bucket();
        await store.transaction(async (tx) => {
          for (const k of visible) {
            // Older, non-latest versions must not appear.
            const old = await tx.insertObject(newObject(b.id, k, { versionId: 'old', isLatest: false }));
            assert.ok(old.id > 0, 'row id');
            await tx.insertObject(newObject(b.id, k, { versionId: 'cur' }));
          }
          // Keys whose latest version is a delete marker are hidden.
          await tx.insertObject(newObject(b.id, 'a/deleted', { versionId: 'v', isLatest: false }));
          await tx.insertObject(newObject(b.id, 'a/deleted', { versionId: 'm', isDeleteMarker: true, blobId: null, size: 0 }));
          await tx.insertObject(newObject(b.id, '\uE001', { versionId: 'm', isDeleteMarker: true, blobId: null, size: 0 }));
          // Only non-latest rows: hidden.
          await tx.insertObject(newObject(b.id, 'orphan', { versionId: 'v', isLatest: false }));
        });
        const other = await bucket();
        await store.insertObject(newObject(other.id, 'a/from-other-bucket'));
      });

      it('lists visible latest objects in UTF-8 byte order', async () => {
        const rows = await store.listLatest(b.id, { limit: 1000 });
        assert.deepEqual(rows.map((r) => r.key), sorted);
        assert.ok(rows.every((r) => r.isLatest && !r.isDeleteMarker && r.versionId === 'cur' && r.bucketId === b.id), 'only visible latest rows of the bucket');
        // The order the store gives is not JavaScript's UTF-16 order.
        assert.notDeepEqual(sorted, [...visible].sort());
      });

      it('starts after `from`, or at it when inclusive, and stops before `to`', async () => {
        const keys = async (r: Parameters<MetaOps['listLatest']>[1]) => (await store.listLatest(b.id, r)).map((o) => o.key);
        assert.deepEqual(await keys({ from: 'a', limit: 3 }), sorted.slice(sorted.indexOf('a') + 1, sorted.indexOf('a') + 4));
        assert.deepEqual(await keys({ from: 'a', inclusive: true, limit: 2 }), ['a', 'a/b']);
        assert.deepEqual(await keys({ from: 'a/', inclusive: true, to: 'a0', limit: 100 }), ['a/b', 'a/b/c']);
        assert.deepEqual(await keys({ from: '\uFFFD', limit: 100 }), ['\uFFFF', '😀', '😀/x', '\u{10FFFF}']);
        assert.deepEqual(await keys({ from: '\uE000', inclusive: true, to: '😀', limit: 100 }), ['\uE000', '\uFFFD', '\uFFFF']);
        assert.deepEqual(await keys({ from: 'A', to: 'a', limit: 100 }), ['B']);
        assert.deepEqual(await keys({ to: 'B', limit: 100 }), [' ', 'A']);
        assert.deepEqual(await keys({ from: '\u{10FFFF}', limit: 100 }), []);
        assert.deepEqual(await keys({ limit: 0 }), []);
      });

      it('pages through everything with a small limit', async () => {
        const all: string[] = [];
        let from: string | undefined;
        for (;;) {
          const rows = await store.listLatest(b.id, { from, limit: 2 });
          all.push(...rows.map((r) => r.key));
          if (rows.length < 2) break;
          from = rows[rows.length - 1].key;
        }
        assert.deepEqual(all, sorted);
      });
    });

    describe('listVersions', () => {
      let b: BucketRecord;
      const expected: { key: string; versionId: string }[] = [];
      before(async () => {
        b = await bucket();
        const plan: [string, number][] = [
          ['b', 3],
          ['a', 2],
          ['😀', 2],
          ['\uFFFD', 1],
          ['a/x', 1],
          ['B', 2],
        ];
        // Interleave the writes so that ids do not follow keys.
        const rows: ObjectRecord[] = [];
        for (let round = 0; round < 3; round++) {
          for (const [key, n] of plan) {
            if (round >= n) continue;
            const prev = rows.filter((r) => r.key === key && r.isLatest).pop();
            if (prev) {
              await store.setLatest(prev.id, false);
              prev.isLatest = false;
            }
            const marker = key === 'b' && round === 2;
            rows.push(await store.insertObject(newObject(b.id, key, { versionId: `${key}#${round}`, isDeleteMarker: marker, blobId: marker ? null : blobId() })));
          }
        }
        rows.sort((x, y) => byteOrder(x.key, y.key) || y.id - x.id);
        expected.push(...rows.map((r) => ({ key: r.key, versionId: r.versionId })));
      });

      const pick = (rows: ObjectRecord[]) => rows.map((r) => ({ key: r.key, versionId: r.versionId }));

      it('lists every version and delete marker, key ascending then newest first', async () => {
        const rows = await store.listVersions(b.id, undefined, undefined, 1000);
        assert.deepEqual(pick(rows), expected);
        assert.equal(rows.filter((r) => r.isDeleteMarker).length, 1);
        assert.equal(rows.find((r) => r.isDeleteMarker)!.isLatest, true);
        assert.equal(rows.filter((r) => r.isLatest).length, 6);
      });

      it('continues from a key (inclusive) or from a version (beforeId), up to `to`', async () => {
        const all = await store.listVersions(b.id, undefined, undefined, 1000);
        assert.deepEqual(pick(await store.listVersions(b.id, { key: 'a' }, undefined, 3)), expected.slice(expected.findIndex((e) => e.key === 'a'), expected.findIndex((e) => e.key === 'a') + 3));
        const firstA = all.find((r) => r.key === 'a')!;
        assert.deepEqual(pick(await store.listVersions(b.id, { key: 'a', beforeId: firstA.id }, 'b', 100)), [
          { key: 'a', versionId: 'a#0' },
          { key: 'a/x', versionId: 'a/x#0' },
        ]);
        assert.deepEqual(pick(await store.listVersions(b.id, { key: 'a', beforeId: 1 }, undefined, 1)), [{ key: 'a/x', versionId: 'a/x#0' }]);
        assert.deepEqual(pick(await store.listVersions(b.id, undefined, 'a', 100)), expected.filter((e) => byteOrder(e.key, 'a') < 0));
        assert.deepEqual(pick(await store.listVersions(b.id, { key: '\uFFFD' }, '😀', 100)), [{ key: '\uFFFD', versionId: '\uFFFD#0' }]);
      });

      it('pages through everything with the (key, beforeId) cursor', async () => {
        for (const limit of [1, 2, 5]) {
          const got: ObjectRecord[] = [];
          let from: { key: string; beforeId?: number } | undefined;
          for (;;) {
            const rows = await store.listVersions(b.id, from, undefined, limit);
            got.push(...rows);
            if (rows.length < limit) break;
            const last = rows[rows.length - 1];
            from = { key: last.key, beforeId: last.id };
          }
          assert.deepEqual(pick(got), expected, `limit ${limit}`);
        }
      });
    });

    describe('multipart uploads and parts', () => {
      it('inserts, gets (per bucket) and deletes an upload with its parts', async () => {
        const b = await bucket();
        const b2 = await bucket();
        const u = { ...newUpload(b.id, 'k/ü', 1_700_000_000_123), tags: { t: 'v' }, extra: { acl: 'x' }, storageClass: 'GLACIER' };
        await store.insertUpload(u);
        assert.deepEqual(await store.getUpload(b.id, u.uploadId), u);
        assert.equal(await store.getUpload(b2.id, u.uploadId), undefined);
        await store.putPart(newPart(u.uploadId, 1));
        await store.deleteUpload(u.uploadId);
        assert.equal(await store.getUpload(b.id, u.uploadId), undefined);
        assert.deepEqual(await store.listParts(u.uploadId, 0, 100), []);
      });

      it('putPart inserts, and replaces returning the replaced part', async () => {
        const b = await bucket();
        const u = newUpload(b.id, 'k', 1);
        await store.insertUpload(u);
        const p1 = newPart(u.uploadId, 1, { size: 6 * 1024 ** 3, checksums: { crc32: 'abc=' } });
        assert.equal(await store.putPart(p1), undefined);
        const p1b = newPart(u.uploadId, 1, { lastModified: 1_700_000_000_999 });
        assert.deepEqual(await store.putPart(p1b), p1);
        assert.deepEqual(await store.listParts(u.uploadId, 0, 10), [p1b]);
        assert.equal(await store.blobReferenced(p1.blobId), false);
      });

      it('holdUpload returns the upload and holds its parts until the transaction ends', async () => {
        const b = await bucket();
        const u = newUpload(b.id, 'k', 1);
        await store.insertUpload(u);
        await store.putPart(newPart(u.uploadId, 1));
        assert.equal(await store.transaction((tx) => tx.holdUpload(b.id, 'no-such-upload')), undefined);
        let replacedAt: number | undefined;
        let go!: () => void;
        // Started from inside the holder, but (chained out here) as a transaction of its own.
        const writer = new Promise<void>((r) => (go = r))
          .then(() => store.transaction((tx2) => tx2.putPart(newPart(u.uploadId, 1))))
          .then(() => (replacedAt = Date.now()));
        await store.transaction(async (tx) => {
          assert.deepEqual(await tx.holdUpload(b.id, u.uploadId), u);
          const before = await tx.listParts(u.uploadId, 0, 10);
          go();
          // Give the writer every chance to get through: it must wait for this transaction.
          await new Promise((r) => setTimeout(r, 100));
          assert.equal(replacedAt, undefined, 'a part of a held upload is not replaced before the holder ends');
          assert.deepEqual(await tx.listParts(u.uploadId, 0, 10), before);
        });
        await writer;
        assert.notEqual(replacedAt, undefined);
      });

      it('lists parts by number with paging', async () => {
        const b = await bucket();
        const u = newUpload(b.id, 'k', 1);
        await store.insertUpload(u);
        const numbers = [10, 2, 1, 10000, 3, 20];
        const parts = new Map<number, PartRecord>();
        await store.transaction(async (tx) => {
          for (const n of numbers) {
            const p = newPart(u.uploadId, n);
            parts.set(n, p);
            await tx.putPart(p);
          }
        });
        const sortedNumbers = [...numbers].sort((x, y) => x - y);
        assert.deepEqual(await store.listParts(u.uploadId, 0, 100), sortedNumbers.map((n) => parts.get(n)));
        assert.deepEqual((await store.listParts(u.uploadId, 2, 2)).map((p) => p.partNumber), [3, 10]);
        assert.deepEqual((await store.listParts(u.uploadId, 10, 2)).map((p) => p.partNumber), [20, 10000]);
        assert.deepEqual(await store.listParts(u.uploadId, 10000, 2), []);
        assert.deepEqual(await store.listParts('no-such-upload', 0, 2), []);
      });

      it('replaces one part from concurrent writers without losing a replaced blob', async () => {
        const b = await bucket();
        const u = newUpload(b.id, 'k', 1);
        await store.insertUpload(u);
        const parts = Array.from({ length: 10 }, () => newPart(u.uploadId, 7));
        const replaced = await Promise.all(
          parts.map((p) =>
            store.transaction(async (tx) => {
              await yieldTurn();
              const old = await tx.putPart(p);
              await yieldTurn();
              return old;
            }),
          ),
        );
        const final = (await store.listParts(u.uploadId, 0, 10))[0];
        // Every blob is either the final one or was handed back exactly once as replaced.
        const handedBack = replaced.filter((r) => r !== undefined).map((r) => r!.blobId);
        assert.equal(replaced.filter((r) => r === undefined).length, 1);
        assert.deepEqual([...handedBack, final.blobId].sort(), parts.map((p) => p.blobId).sort());
      });

      it('lists uploads by key bytes, then initiation; pages with the (key, uploadId) cursor', async () => {
        const b = await bucket();
        const other = await bucket();
        const specs: [string, number, string][] = [
          ['b', 5, 'u1'],
          ['a', 9, 'u2'],
          ['a', 3, 'u3'],
          ['😀', 1, 'u4'],
          ['\uFFFD', 1, 'u5'],
          ['a', 3, 'u0'],
          ['A', 4, 'u6'],
          ['a/x', 2, 'u7'],
        ];
        const tag = randomBytes(4).toString('hex');
        const ups = specs.map(([k, t, id]) => newUpload(b.id, k, t, `${tag}-${id}`));
        for (const u of ups) await store.insertUpload(u);
        await store.insertUpload(newUpload(other.id, 'a', 1, `${tag}-other`));
        const expected = [...ups].sort((x, y) => byteOrder(x.key, y.key) || x.initiated - y.initiated || byteOrder(x.uploadId, y.uploadId));
        const ids = (rows: UploadRecord[]) => rows.map((u) => u.uploadId.slice(tag.length + 1));
        assert.deepEqual(ids(expected), ['u6', 'u0', 'u3', 'u2', 'u7', 'u1', 'u5', 'u4']);
        assert.deepEqual(await store.listUploads(b.id, undefined, undefined, 100), expected);
        assert.deepEqual(ids(await store.listUploads(b.id, { key: 'a' }, undefined, 100)), ['u7', 'u1', 'u5', 'u4']);
        assert.deepEqual(ids(await store.listUploads(b.id, { key: 'a', uploadId: `${tag}-u0` }, undefined, 2)), ['u3', 'u2']);
        assert.deepEqual(ids(await store.listUploads(b.id, { key: 'a', uploadId: `${tag}-u2` }, 'b', 100)), ['u7']);
        assert.deepEqual(ids(await store.listUploads(b.id, undefined, 'a/', 100)), ['u6', 'u0', 'u3', 'u2']);
        for (const limit of [1, 3]) {
          const got: UploadRecord[] = [];
          let from: { key: string; uploadId?: string } | undefined;
          for (;;) {
            const rows = await store.listUploads(b.id, from, undefined, limit);
            got.push(...rows);
            if (rows.length < limit) break;
            from = { key: rows[rows.length - 1].key, uploadId: rows[rows.length - 1].uploadId };
          }
          assert.deepEqual(got, expected, `limit ${limit}`);
        }
      });
    });

    describe('the change counter', () => {
      /** Whether `fn` moved the counter gateways watch to drop their caches. */
      const moves = async (fn: () => Promise<unknown>) => {
        const before = await store.changeCount();
        await fn();
        return (await store.changeCount()) !== before;
      };

      it('moves with every change to data gateways cache', async () => {
        const accountId = unique('acct');
        await store.putAccount({ id: accountId, displayName: accountId, createdAt: 1 });
        const b = await bucket();
        assert.equal(await moves(() => store.putSetting(b.id, 'policy', { a: 1 })), true, 'a setting written');
        assert.equal(await moves(() => store.deleteSetting(b.id, 'policy')), true, 'a setting removed');
        assert.equal(await moves(() => store.setVersioning(b.id, 'Enabled')), true, 'versioning');
        assert.equal(await moves(() => store.deleteBucket(b.id)), true, 'a bucket deleted');
        const key: AccessKeyRecord = { accessKeyId: unique('AK'), secretAccessKey: 's', accountId, sessionToken: null, expiresAt: null, createdAt: 1, userName: 'u' };
        assert.equal(await moves(() => store.putAccessKey(key)), true, 'a long-term key written');
        assert.equal(await moves(() => store.setAccessKeyStatus(key.accessKeyId, 'Inactive')), true, 'a key disabled');
        assert.equal(await moves(() => store.deleteAccessKey(key.accessKeyId)), true, 'a key deleted');
        await store.insertUser({ accountId, name: 'u', id: unique('AIDA'), path: '/', createdAt: 1 });
        await store.insertRole({ accountId, name: 'r', id: unique('AROA'), path: '/', trustPolicy: '{}', maxSessionDuration: 3600, description: null, createdAt: 1 });
        const owner = { accountId, kind: 'user' as const, name: 'u' };
        assert.equal(await moves(() => store.putPolicy(owner, { name: 'p', document: '{}' })), true, 'a policy put');
        assert.equal(await moves(() => store.deletePolicy(owner, 'p')), true, 'a policy deleted');
        assert.equal(await moves(() => store.deleteUser(accountId, 'u')), true, 'a user deleted');
        assert.equal(await moves(() => store.deleteRole(accountId, 'r')), true, 'a role deleted');
      });

      it('stays still for object writes, sessions, new buckets and what changed nothing; a rolled-back change does not count', async () => {
        const accountId = unique('acct');
        await store.putAccount({ id: accountId, displayName: accountId, createdAt: 1 });
        const b = await bucket();
        assert.equal(await moves(() => store.insertObject(newObject(b.id, 'k'))), false, 'an object');
        const session: AccessKeyRecord = { accessKeyId: unique('ASIA'), secretAccessKey: 's', accountId, sessionToken: 't', expiresAt: Date.now() + 60_000, createdAt: 1 };
        assert.equal(await moves(() => store.putAccessKey(session)), false, 'a session');
        assert.equal(await moves(() => bucket()), false, 'a new bucket');
        assert.equal(await moves(() => store.setAccessKeyStatus(unique('NOKEY'), 'Inactive')), false, 'no such key');
        assert.equal(await moves(() => store.deleteSetting(b.id, 'none')), false, 'no such setting');
        assert.equal(
          await moves(() =>
            store
              .transaction(async (tx) => {
                await tx.putSetting(b.id, 'policy', { a: 1 });
                throw new Error('rolled back');
              })
              .catch(() => undefined),
          ),
          false,
        );
        assert.equal(await moves(() => store.transaction((tx) => tx.putSetting(b.id, 'policy', { a: 2 }))), true, 'committed');
      });
    });

    describe('consumeOnce', () => {
      it('accepts a token once per scope', async () => {
        const token = unique('tok');
        const exp = Date.now() + 3_600_000;
        assert.equal(await store.consumeOnce('s1', token, exp), true);
        assert.equal(await store.consumeOnce('s1', token, exp), false);
        assert.equal(await store.consumeOnce('s2', token, exp), true);
      });

      it('accepts exactly one of concurrent uses', async () => {
        const token = unique('tok');
        const results = await Promise.all(Array.from({ length: 10 }, () => store.consumeOnce('s', token, Date.now() + 60_000)));
        assert.equal(results.filter(Boolean).length, 1);
      });

      it('purges expired tokens', async () => {
        const token = unique('tok');
        assert.equal(await store.consumeOnce('s', token, Date.now() - 1000), true);
        // The record expired, so it is purged and the token counts as new.
        assert.equal(await store.consumeOnce('s', token, Date.now() + 60_000), true);
        assert.equal(await store.consumeOnce('s', token, Date.now() + 60_000), false);
      });
    });

    describe('transactions', () => {
      it('returns the function result after commit', async () => {
        const b = await store.transaction(async (tx) => {
          const b = await bucket({}, tx);
          await tx.putSetting(b.id, 'x', 1);
          return b;
        });
        assert.deepEqual(await store.getBucket(b.name), b);
        assert.equal(await store.getSetting(b.id, 'x'), 1);
      });

      it('rolls back every write when the function throws', async () => {
        const b = await bucket();
        const keep = await store.insertObject(newObject(b.id, 'keep'));
        const acct = unique('acct');
        const name = unique('bkt');
        const boom = new Error('boom');
        await assert.rejects(
          store.transaction(async (tx) => {
            await tx.putAccount({ id: acct, displayName: 'x', createdAt: 1 });
            await bucket({ name }, tx);
            await tx.putSetting(b.id, 'cors', { a: 1 });
            await tx.setVersioning(b.id, 'Enabled');
            await tx.adjustUsage(b.id, 5, 500);
            await tx.setLatest(keep.id, false);
            await tx.updateObjectTags(keep.id, { t: 'x' });
            const o = await tx.insertObject(newObject(b.id, 'new'));
            await tx.insertSegments(o.id, [{ blobId: blobId(), size: 1, etag: 'e', checksums: {} }]);
            await tx.insertUpload(newUpload(b.id, 'up', 1, `up-${acct}`));
            await tx.consumeOnce('tx', acct, Date.now() + 60_000);
            await yieldTurn();
            await tx.deleteObjectRow(keep.id);
            throw boom;
          }),
          (e) => e === boom,
        );
        assert.equal(await store.getAccount(acct), undefined);
        assert.equal(await store.getBucket(name), undefined);
        assert.equal(await store.getSetting(b.id, 'cors'), undefined);
        assert.deepEqual(await store.getBucket(b.name), b);
        assert.deepEqual(await store.getLatest(b.id, 'keep'), keep);
        assert.equal(await store.getLatest(b.id, 'new'), undefined);
        assert.equal(await store.getUpload(b.id, `up-${acct}`), undefined);
        assert.equal(await store.consumeOnce('tx', acct, Date.now() + 60_000), true);
        // The store is usable after a rollback.
        assert.equal(await store.transaction(async (tx) => (await tx.getBucket(b.name))!.id), b.id);
      });

      it('isolates an open transaction: its writes are unseen until commit, and outside writes are not rolled back with it', async () => {
        const b = await bucket();
        let written!: () => void;
        const writtenP = new Promise<void>((r) => (written = r));
        let release!: (fail: boolean) => void;
        const releaseP = new Promise<boolean>((r) => (release = r));
        const tx = store.transaction(async (tx) => {
          await tx.putSetting(b.id, 'inside', 1);
          await tx.adjustUsage(b.id, 1, 1);
          written();
          if (await releaseP) throw new Error('roll back');
        });
        let outside: Promise<void> | undefined;
        try {
          await writtenP;
          // Reads outside see the last committed state.
          assert.equal(await store.getSetting(b.id, 'inside'), undefined);
          assert.equal((await store.getBucket(b.name))!.objectCount, 0);
          // A write outside the transaction is its own: it must survive the transaction's rollback.
          outside = store.putSetting(b.id, 'outside', 2);
        } finally {
          release(true);
          await assert.rejects(tx);
          await outside;
        }
        assert.equal(await store.getSetting(b.id, 'inside'), undefined);
        assert.equal(await store.getSetting(b.id, 'outside'), 2);
        assert.equal((await store.getBucket(b.name))!.objectCount, 0);
      });

      it('serialises concurrent read-modify-write transactions under the bucket row lock', async () => {
        const b = await bucket();
        await store.putSetting(b.id, 'counter', { n: 0 });
        const n = 20;
        await Promise.all(
          Array.from({ length: n }, () =>
            store.transaction(async (tx) => {
              const locked = await tx.getBucketForUpdate(b.name);
              assert.ok(locked, 'bucket found');
              const cur = (await tx.getSetting<{ n: number }>(b.id, 'counter'))!;
              await yieldTurn();
              await tx.putSetting(b.id, 'counter', { n: cur.n + 1 });
              await tx.adjustUsage(b.id, 1, 10);
            }),
          ),
        );
        assert.deepEqual(await store.getSetting(b.id, 'counter'), { n });
        const got = (await store.getBucket(b.name))!;
        assert.equal(got.objectCount, n);
        assert.equal(got.bytesUsed, 10 * n);
      });

      it('keeps working when many transactions fail', async () => {
        const b = await bucket();
        const results = await Promise.allSettled(
          Array.from({ length: 10 }, (_, i) =>
            store.transaction(async (tx) => {
              await tx.getBucketForUpdate(b.name);
              await tx.adjustUsage(b.id, 1, 1);
              if (i % 2) throw new Error(`fail ${i}`);
            }),
          ),
        );
        assert.equal(results.filter((r) => r.status === 'rejected').length, 5);
        assert.equal((await store.getBucket(b.name))!.objectCount, 5);
      });
    });

    describe('migrations', () => {
      it('migrate() is idempotent', async () => {
        const b = await bucket();
        await store.migrate();
        await Promise.all([store.migrate(), store.migrate()]);
        assert.deepEqual(await store.getBucket(b.name), b);
        await store.insertObject(newObject(b.id, 'after-migrate'));
      });

      it('migrates one fresh database from two processes at once', async (t) => {
        const fresh = await open();
        try {
          if (!fresh.location) return t.skip('this store has no location other processes can open');
          const results = await Promise.all([migrateInChild(fresh.location), migrateInChild(fresh.location)]);
          for (const r of results) assert.equal(r.code, 0, r.stderr);
          await fresh.store.migrate();
          const b = await bucket({}, fresh.store);
          await fresh.store.insertObject(newObject(b.id, 'k'));
          assert.equal((await fresh.store.getLatest(b.id, 'k'))!.key, 'k');
        } finally {
          await fresh.cleanup();
        }
      });
    });
  });
}
