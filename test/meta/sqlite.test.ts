import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SqliteDriver } from '../../src/meta/sql/sqlite-driver.js';
import { SqlMetadataStore } from '../../src/meta/sql/sql-store.js';
import { defineConformance } from './conformance.js';
import { defineEngineConformance } from './engine-conformance.js';
import { openSqlite } from './stores.js';

defineConformance('SQLite', () => openSqlite());
defineEngineConformance('SQLite', () => openSqlite());

// The misuse checks need the driver's debug scope (the test runner sets it; this file may run alone).
process.env.STRATUS_DEBUG_TX = '1';

describe('SQLite driver', () => {
  it('refuses, rather than silently joins or deadlocks on, misuse inside a transaction', async () => {
    const opened = await openSqlite();
    try {
      const store = opened.store;
      await store.migrate();
      const b = await store.insertBucket({ name: 'guard', ownerId: 'o', region: 'r', createdAt: 1, versioning: 'Unversioned' });
      await assert.rejects(
        store.transaction(async () => {
          await store.putSetting(b.id, 'x', 1); // the store, not the transaction's ops
        }),
        /outside the open transaction/,
      );
      await assert.rejects(store.transaction(() => store.transaction(async () => 1)), /nested metadata transaction/);
      // Reads through the store inside a transaction are allowed (they see the connection's state).
      assert.equal(await store.transaction(async () => (await store.getBucket('guard'))?.id), b.id);
      assert.equal(await store.getSetting(b.id, 'x'), undefined);
    } finally {
      await opened.cleanup();
    }
  });

  it('works on an in-memory database, where outside reads wait for the open transaction', async () => {
    const store = new SqlMetadataStore(new SqliteDriver(':memory:', false));
    try {
      await store.migrate();
      const b = await store.insertBucket({ name: 'mem', ownerId: 'o', region: 'r', createdAt: 1, versioning: 'Unversioned' });
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let written!: () => void;
      const writtenP = new Promise<void>((r) => (written = r));
      const tx = store.transaction(async (t) => {
        await t.putSetting(b.id, 'x', 1);
        written();
        await gate;
      });
      await writtenP;
      const read = store.getSetting(b.id, 'x');
      release();
      await tx;
      assert.equal(await read, 1, 'the read ran after the commit');
    } finally {
      await store.close();
    }
  });
});
