/**
 * What the workers keep in the metadata store, on both stores: leases (one
 * holder while live, anyone after expiry), progress documents, the buckets
 * that have a setting, the access-log queue, the per-object expiries that
 * are due, and current versions by age.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SqlDriver } from '../../src/meta/sql/driver.js';
import type { NewObject } from '../../src/meta/types.js';
import type { OpenStore } from '../meta/conformance.js';
import { openPostgres, openSqlite, pgMissing, pgUnavailable } from '../meta/stores.js';

const object = (bucketId: number, key: string, o: Partial<NewObject> = {}): NewObject => ({
  bucketId,
  key,
  versionId: 'null',
  isLatest: true,
  isDeleteMarker: false,
  size: 1,
  etag: 'e',
  lastModified: 1,
  meta: { user: {} },
  checksums: {},
  storageClass: 'STANDARD',
  objectType: 'Normal',
  ownerId: 'o',
  blobId: null,
  segmentCount: 0,
  inline: false,
  tags: null,
  extra: {},
  ...o,
});

function defineWorkerStore(name: string, open: OpenStore) {
  describe(`worker tables: ${name}`, () => {
    it('a lease has one holder while live; another takes it once expired; only the holder releases it', async (ctx) => {
      if (name === 'PostgreSQL') {
        const why = await pgUnavailable();
        if (why) return pgMissing(ctx, why);
      }
      const opened = await open();
      try {
        const s = opened.store;
        await s.migrate();
        assert.equal(await s.acquireLease('w', 'a', 1000, 500), true);
        assert.equal(await s.acquireLease('w', 'b', 1200, 500), false, 'a holds it until 1500');
        assert.equal(await s.acquireLease('w', 'a', 1400, 500), true, 'the holder renews');
        assert.deepEqual(await s.getLease('w'), { holder: 'a', expiresAt: 1900 });
        assert.equal(await s.acquireLease('w', 'b', 1901, 500), true, 'expired: b takes it');
        assert.equal(await s.acquireLease('w', 'a', 1950, 500), false);
        await s.releaseLease('w', 'a');
        assert.equal((await s.getLease('w'))?.holder, 'b', 'a non-holder cannot release');
        await s.releaseLease('w', 'b');
        assert.equal(await s.getLease('w'), undefined);
        // Two contenders at once: exactly one wins.
        const both = await Promise.all([s.acquireLease('x', 'a', 5000, 500), s.acquireLease('x', 'b', 5000, 500)]);
        assert.equal(both.filter(Boolean).length, 1);

        assert.equal(await s.getWorkerState('lifecycle'), undefined);
        await s.putWorkerState('lifecycle', { cursor: { bucketId: 3, key: 'k' } });
        await s.putWorkerState('lifecycle', { cursor: { bucketId: 4 } });
        assert.deepEqual(await s.getWorkerState('lifecycle'), { cursor: { bucketId: 4 } });

        const ids: number[] = [];
        for (const n of ['b1', 'b2', 'b3']) ids.push((await s.insertBucket({ name: n, ownerId: 'o', region: 'r', createdAt: 1, versioning: 'Unversioned' })).id);
        await s.putSetting(ids[0], 'lifecycle', { rules: [] });
        await s.putSetting(ids[2], 'lifecycle', { rules: [] });
        await s.putSetting(ids[1], 'tagging', {});
        assert.deepEqual((await s.bucketsWithSetting('lifecycle', 0, 10)).map((b) => b.name), ['b1', 'b3']);
        assert.deepEqual((await s.bucketsWithSetting('lifecycle', ids[0], 10)).map((b) => b.name), ['b3']);

        const row = (line: string) => ({ sourceBucket: 'b1', targetBucket: 'b2', targetKeyPrefix: 'p/', line, createdAt: 1 });
        await s.transaction((tx) => tx.enqueueAccessLogs([row('one'), row('two'), row('three')]));
        const queued = await s.peekAccessLogs(2);
        assert.deepEqual(queued.map((r) => r.line), ['one', 'two']);
        await s.deleteAccessLogs(queued[1].id);
        assert.deepEqual((await s.peekAccessLogs(10)).map((r) => r.line), ['three']);
      } finally {
        await opened.cleanup();
      }
    });

    it('reads a bucket\'s current versions by age, from a cursor, within key spans', async (ctx) => {
      if (name === 'PostgreSQL') {
        const why = await pgUnavailable();
        if (why) return pgMissing(ctx, why);
      }
      const opened = await open();
      try {
        const s = opened.store;
        await s.migrate();
        const b = await s.insertBucket({ name: 'age', ownerId: 'o', region: 'r', createdAt: 1, versioning: 'Enabled' });
        const other = await s.insertBucket({ name: 'other', ownerId: 'o', region: 'r', createdAt: 1, versioning: 'Enabled' });
        await s.insertObject(object(b.id, 'logs/b', { lastModified: 20 }));
        await s.insertObject(object(b.id, 'logs/a', { lastModified: 20 }));
        await s.insertObject(object(b.id, 'data/x', { lastModified: 10 }));
        await s.insertObject(object(b.id, 'logs/young', { lastModified: 500 }));
        await s.insertObject(object(b.id, 'logs/old-version', { lastModified: 5, isLatest: false, versionId: 'v1' }));
        await s.insertObject(object(b.id, 'tmp/m', { lastModified: 30, isDeleteMarker: true }));
        await s.insertObject(object(other.id, 'logs/elsewhere', { lastModified: 1 }));
        const keys = async (...a: Parameters<typeof s.latestByAge>) => (await s.latestByAge(...a)).map((o) => o.key);
        assert.deepEqual(await keys(b.id, 100, undefined, 10), ['data/x', 'logs/a', 'logs/b', 'tmp/m']);
        assert.deepEqual(await keys(b.id, 100, { at: 20, key: 'logs/a' }, 10), ['logs/b', 'tmp/m']);
        assert.deepEqual(await keys(b.id, 100, undefined, 2), ['data/x', 'logs/a']);
        assert.deepEqual(await keys(b.id, 100, undefined, 10, [{ from: 'logs/', to: 'logs0' }]), ['logs/a', 'logs/b']);
        assert.deepEqual(await keys(b.id, 100, undefined, 10, [{ from: 'logs/', to: 'logs0' }, { from: 'tmp/' }]), ['logs/a', 'logs/b', 'tmp/m']);
        assert.deepEqual(await keys(b.id, 15, undefined, 10), ['data/x']);
      } finally {
        await opened.cleanup();
      }
    });

    it('reads the current versions whose own expiry is due, by (expiry, id), from a cursor, with their bucket', async (ctx) => {
      if (name === 'PostgreSQL') {
        const why = await pgUnavailable();
        if (why) return pgMissing(ctx, why);
      }
      const opened = await open();
      try {
        const s = opened.store;
        await s.migrate();
        const b1 = await s.insertBucket({ name: 'x1', ownerId: 'o1', region: 'r', createdAt: 1, versioning: 'Enabled' });
        const b2 = await s.insertBucket({ name: 'x2', ownerId: 'o2', region: 'r', createdAt: 1, versioning: 'Unversioned' });
        await s.insertObject(object(b1.id, 'late', { expiresAt: 300 }));
        await s.insertObject(object(b2.id, 'b', { expiresAt: 100 }));
        await s.insertObject(object(b1.id, 'a', { expiresAt: 100 }));
        await s.insertObject(object(b1.id, 'never'));
        await s.insertObject(object(b1.id, 'future', { expiresAt: 10_000 }));
        // A noncurrent version with an expiry is no longer the object: not read.
        await s.insertObject(object(b1.id, 'old', { expiresAt: 50, isLatest: false, versionId: 'v1' }));
        const due = await s.dueExpiries(1000, undefined, 10);
        assert.deepEqual(
          due.map((d) => [d.object.key, d.object.expiresAt, d.bucketName, d.bucketOwner]),
          [
            ['b', 100, 'x2', 'o2'],
            ['a', 100, 'x1', 'o1'],
            ['late', 300, 'x1', 'o1'],
          ],
        );
        const first = await s.dueExpiries(1000, undefined, 1);
        const rest = await s.dueExpiries(1000, { at: first[0].object.expiresAt!, id: first[0].object.id }, 10);
        assert.deepEqual(rest.map((d) => d.object.key), ['a', 'late']);
        assert.deepEqual((await s.dueExpiries(99, undefined, 10)).map((d) => d.object.key), []);
        assert.equal((await s.getLatest(b1.id, 'never'))!.expiresAt, undefined, 'no expiry reads as none');
        // Once a version stops being current it leaves the due set.
        await s.setLatest(due[1].object.id, false);
        assert.deepEqual((await s.dueExpiries(1000, undefined, 10)).map((d) => d.object.key), ['b', 'late']);
      } finally {
        await opened.cleanup();
      }
    });
  });
}

describe('lifecycle reads: the SQLite plans', () => {
  it('due expiries read objects_expiry, and a walk by age objects_age, not the objects of a bucket', async () => {
    const seen: string[] = [];
    let driver!: SqlDriver;
    const opened = await openSqlite((d) => {
      driver = d;
      return {
        kind: d.kind,
        schema: d.schema,
        all: (sql, p) => (seen.push(sql), d.all(sql, p)),
        get: (sql, p) => d.get(sql, p),
        run: (sql, p) => d.run(sql, p),
        transaction: (fn) => d.transaction(fn),
        exec: (sql) => d.exec(sql),
        close: () => d.close(),
      } satisfies SqlDriver;
    });
    try {
      await opened.store.migrate();
      for (const after of [undefined, { at: 5, id: 1 }]) {
        seen.length = 0;
        await opened.store.dueExpiries(10, after, 5);
        const sql = seen.find((q) => q.includes('expires_at'))!;
        const params = after ? [10, after.at, after.at, after.id, 5] : [10, 5];
        const plan = await driver.all<{ detail: string }>(`EXPLAIN QUERY PLAN ${sql}`, params);
        const details = plan.map((r) => r.detail).join('\n');
        assert.match(details, /SEARCH o USING INDEX objects_expiry/, details);
      }
      const spans = [{ from: 'logs/', to: 'logs0' }, { from: 'tmp/' }];
      for (const [after, withSpans] of [[undefined, false], [{ at: 5, key: 'k' }, true]] as const) {
        seen.length = 0;
        await opened.store.latestByAge(1, 10, after, 5, withSpans ? spans : undefined);
        const sql = seen.find((q) => q.includes('last_modified <='))!;
        const params = [1, 10, ...(after ? [after.at, after.at, after.key] : []), ...(withSpans ? ['logs/', 'logs0', 'tmp/'] : []), 5];
        const plan = await driver.all<{ detail: string }>(`EXPLAIN QUERY PLAN ${sql}`, params);
        const details = plan.map((r) => r.detail).join('\n');
        assert.match(details, /SEARCH objects USING INDEX objects_age \(bucket_id=\? AND last_modified/, details);
        assert.doesNotMatch(details, /TEMP B-TREE/, 'read in index order, no sort');
      }
    } finally {
      await opened.cleanup();
    }
  });
});

defineWorkerStore('SQLite', () => openSqlite());
defineWorkerStore('PostgreSQL', () => openPostgres());
