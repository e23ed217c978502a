/**
 * What the workers keep in the metadata store, on both stores: leases (one
 * holder while live, anyone after expiry), progress documents, the buckets
 * that have a setting, and the access-log queue.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { OpenStore } from '../meta/conformance.js';
import { openPostgres, openSqlite, pgMissing, pgUnavailable } from '../meta/stores.js';

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
  });
}

defineWorkerStore('SQLite', () => openSqlite());
defineWorkerStore('PostgreSQL', () => openPostgres());
