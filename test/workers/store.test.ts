/**
 * What the workers keep in the metadata store, on both stores: leases (one
 * holder while live, anyone after expiry), progress documents, the buckets
 * that have a setting, the access-log queue, and the per-object expiries
 * that are due.
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

describe('due expiries: the SQLite plan', () => {
  it('reads objects_expiry, not the objects of a bucket', async () => {
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
    } finally {
      await opened.cleanup();
    }
  });
});

defineWorkerStore('SQLite', () => openSqlite());
defineWorkerStore('PostgreSQL', () => openPostgres());
