import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { SqliteDriver } from '../../src/meta/sql/sqlite-driver.js';
import { SqlMetadataStore } from '../../src/meta/sql/sql-store.js';
import { defineConformance } from './conformance.js';
import { defineEngineConformance } from './engine-conformance.js';
import { openSqlite } from './stores.js';
import { waitFor } from '../helpers/wait.js';

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

  it('group-commits concurrent transactions, each rolled back alone, and answers each after its commit is durable', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'stratus-group-'));
    const driver = new SqliteDriver(path.join(dir, 'g.db'), true);
    try {
      await driver.exec('CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER NOT NULL)');
      // Queued in one turn: they run in one SQLite transaction; the failing one leaves no row and fails alone.
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) =>
          driver.transaction(async (ex) => {
            await ex.run('INSERT INTO t (k, v) VALUES (?, ?)', [`k${i}`, i]);
            if (i === 7) throw new Error('refused');
            return i;
          }),
        ),
      );
      assert.deepEqual(
        results.map((r) => r.status),
        results.map((_, i) => (i === 7 ? 'rejected' : 'fulfilled')),
      );
      assert.equal((await driver.get<{ n: number }>('SELECT COUNT(*) AS n FROM t'))?.n, 19);
      assert.equal(await driver.get('SELECT v FROM t WHERE k = ?', ['k7']), undefined);
      // A duplicate key fails at the statement, and only its own transaction.
      const again = await Promise.allSettled([driver.transaction((ex) => ex.run('INSERT INTO t (k, v) VALUES (?, ?)', ['k1', 1])), driver.transaction((ex) => ex.run('INSERT INTO t (k, v) VALUES (?, ?)', ['new', 1]))]);
      assert.deepEqual(again.map((r) => r.status), ['rejected', 'fulfilled']);
    } finally {
      await driver.close();
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('checkpoints the WAL into the database on a thread of its own', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'stratus-ckpt-'));
    const file = path.join(dir, 'c.db');
    const driver = new SqliteDriver(file, true);
    try {
      await driver.exec('CREATE TABLE blobs (id INTEGER PRIMARY KEY, data BLOB NOT NULL)');
      const before = (await fs.stat(file)).size;
      await driver.transaction(async (ex) => {
        for (let i = 0; i < 256; i++) await ex.run('INSERT INTO blobs (data) VALUES (?)', [Buffer.alloc(8192, i)]);
      });
      // 2 MiB committed to the WAL; SQLite's own checkpoint would wait for 64 MiB. The thread copies it over.
      await waitFor(async () => (await fs.stat(file)).size >= before + 2 * 1024 * 1024, { what: 'the database file holds the committed pages' });
    } finally {
      await driver.close();
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
