import { AsyncLocalStorage } from 'node:async_hooks';
import type { FileHandle } from 'node:fs/promises';
import fs from 'node:fs/promises';
import Database from 'better-sqlite3';
import { Checkpointer } from './checkpointer.js';
import type { SqlDriver, SqlExecutor, SqlValue } from './driver.js';

type Statement = Database.Statement;

/** Transactions committed together at most (a bound on how long one group holds the write lock). */
const MAX_GROUP = 128;

interface Job {
  fn: (ex: SqlExecutor) => Promise<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

/**
 * better-sqlite3 is synchronous and a connection has one transaction, so async
 * transactions must not interleave: they are queued and run one after the
 * other. **Group commit**: the transactions queued when the queue is drained
 * run back to back inside one SQLite transaction, each in a savepoint of its
 * own (a failing one rolls back alone), and one COMMIT (one WAL fsync) makes
 * them all durable; none is answered before that commit. Requests arriving in
 * one turn of the event loop so share the fsync that dominated a small PUT.
 *
 * **The fsync off the event loop**: SQLite's `synchronous = FULL` differs
 * from NORMAL in WAL mode only by an fsync of the WAL after each commit, which
 * better-sqlite3 would run on the event loop, stalling every request for its
 * length. The durable driver runs NORMAL and makes that same fdatasync of the
 * WAL itself, on the thread pool, before it answers the group; the next group
 * runs meanwhile. (Checkpoints keep their syncs, on a thread of their own:
 * checkpointer.ts.) A reader may see a
 * committed row for the few milliseconds before its sync completes; its writer
 * is answered only after.
 *
 * A statement issued through the driver while a group is open must not land
 * inside it: reads go to a second connection, which in WAL mode sees the last
 * committed state, and writes are queued as a transaction of their own.
 *
 * Code inside a transaction must use its executor. Checking that needs an
 * AsyncLocalStorage, which makes every promise in the process pay an async
 * hook, so the check runs only under `STRATUS_DEBUG_TX=1` (the test runner
 * sets it): there, a write through the driver from inside a transaction is
 * refused rather than left to wait for its own transaction forever.
 */
export class SqliteDriver implements SqlDriver {
  readonly kind = 'sqlite' as const;
  private readonly db: Database.Database;
  private reader: Database.Database | undefined;
  private readonly cache = new Map<string, Statement>();
  private readonly readerCache = new Map<string, Statement>();
  private pending: Job[] = [];
  private draining = false;
  /** Resolves when the queue is empty and no group is open (for exec and close). */
  private idle: Promise<void> = Promise.resolve();
  private markIdle: () => void = () => undefined;
  /** The open group's token; with the debug check, the async scope of its transactions carries it too. */
  private current: object | undefined;
  private readonly scope = process.env.STRATUS_DEBUG_TX === '1' ? new AsyncLocalStorage<object>() : undefined;
  private readonly inside: SqlExecutor;
  /** Whether commits are made durable by an fdatasync of the WAL (see above). */
  private readonly syncWal: boolean;
  private wal: Promise<FileHandle> | undefined;
  private readonly syncs = new Set<Promise<void>>();
  private checkpointer: Checkpointer | undefined;

  /** With `durable`, each commit reaches the disk before it returns (survives power loss, not only a crash). */
  constructor(
    private readonly file: string,
    durable = true,
  ) {
    this.db = new Database(file, { timeout: 5000 });
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.syncWal = durable && file !== ':memory:' && file !== '';
    if (file !== ':memory:' && file !== '') {
      // Checkpoints on a thread of their own (checkpointer.ts); SQLite's own only past 64 MiB of WAL.
      this.db.pragma('wal_autocheckpoint = 16384');
      this.checkpointer = new Checkpointer(file);
    }
    this.db.pragma('foreign_keys = ON');
    // Opened now, not at the first busy moment: its descriptors are part of the process from the start.
    this.readConnection();
    const stmt = (sql: string) => prepare(this.db, this.cache, sql);
    this.inside = {
      all: async <T>(sql: string, params: SqlValue[] = []) => stmt(sql).all(...params) as T[],
      get: async <T>(sql: string, params: SqlValue[] = []) => stmt(sql).get(...params) as T | undefined,
      run: async (sql: string, params: SqlValue[] = []) => stmt(sql).run(...params).changes,
    };
  }

  /** The read connection; none for an in-memory database (it cannot be shared). */
  private readConnection(): Database.Database | undefined {
    if (!this.reader && this.file !== ':memory:' && this.file !== '') {
      this.reader = new Database(this.file, { readonly: true, timeout: 5000 });
      // A first read opens its WAL and shared-memory files too.
      this.reader.pragma('schema_version');
    }
    return this.reader;
  }

  private insideOpenTransaction(): boolean {
    return this.current !== undefined && this.scope !== undefined && this.scope.getStore() === this.current;
  }

  /** A statement issued through the driver itself rather than a transaction's executor. */
  private outside<T>(sql: string, exec: (s: Statement) => T): Promise<T> {
    let s: Statement;
    try {
      s = prepare(this.db, this.cache, sql);
    } catch (e) {
      return Promise.reject(e);
    }
    if (!this.current && this.pending.length === 0) return now(() => exec(s));
    if (this.insideOpenTransaction()) {
      // Code inside the transaction that bypasses its executor: a write here would wait for its own
      // transaction on SQLite and run apart (and could deadlock) on PostgreSQL.
      if (!s.readonly) return Promise.reject(new Error('metadata write outside the open transaction: use the transaction executor'));
      return now(() => exec(s));
    }
    const reader = s.readonly ? this.readConnection() : undefined;
    if (reader) {
      const r = prepare(reader, this.readerCache, sql);
      return now(() => exec(r));
    }
    // A write (or, in memory, a read) after the queued transactions: one of its own.
    return this.enqueue(async () => exec(s));
  }

  all<T>(sql: string, params: SqlValue[] = []): Promise<T[]> {
    return this.outside(sql, (s) => s.all(...params) as T[]);
  }

  get<T>(sql: string, params: SqlValue[] = []): Promise<T | undefined> {
    return this.outside(sql, (s) => s.get(...params) as T | undefined);
  }

  run(sql: string, params: SqlValue[] = []): Promise<number> {
    return this.outside(sql, (s) => s.run(...params).changes);
  }

  transaction<T>(fn: (ex: SqlExecutor) => Promise<T>): Promise<T> {
    // Queued behind itself it would never start.
    if (this.insideOpenTransaction()) return Promise.reject(new Error('nested metadata transaction'));
    return this.enqueue(fn);
  }

  private enqueue<T>(fn: (ex: SqlExecutor) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.pending.length === 0 && !this.draining) this.idle = new Promise<void>((r) => (this.markIdle = r));
      this.pending.push({ fn, resolve: resolve as (v: unknown) => void, reject });
      if (!this.draining) {
        this.draining = true;
        // After the current turn's I/O callbacks, so that the requests they carry join one group.
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending.length > 0) await this.runGroup();
    } finally {
      this.draining = false;
      this.markIdle();
    }
  }

  /** Runs queued transactions in one SQLite transaction and settles each after its COMMIT. */
  private async runGroup(): Promise<void> {
    const done: { job: Job; value: unknown }[] = [];
    const token = {};
    try {
      this.db.exec('BEGIN IMMEDIATE');
    } catch (e) {
      // The write lock could not be had (another process held it past the busy timeout): this group fails.
      for (const job of this.pending.splice(0, MAX_GROUP)) job.reject(e);
      return;
    }
    this.current = token;
    let broken: unknown;
    let running: Job | undefined;
    try {
      while (this.pending.length > 0 && done.length < MAX_GROUP) {
        const job = (running = this.pending.shift()!);
        this.db.exec('SAVEPOINT tx');
        let value: unknown;
        try {
          value = this.scope ? await this.scope.run(token, () => job.fn(this.inside)) : await job.fn(this.inside);
        } catch (e) {
          // SQLite may have rolled the whole transaction back (a full disk, an I/O error): then the group is lost.
          if (!this.db.inTransaction) throw e;
          this.db.exec('ROLLBACK TO tx');
          this.db.exec('RELEASE tx');
          running = undefined;
          job.reject(e);
          continue;
        }
        this.db.exec('RELEASE tx');
        running = undefined;
        done.push({ job, value });
      }
      this.db.exec('COMMIT');
    } catch (e) {
      broken = e;
    } finally {
      this.current = undefined;
    }
    if (broken !== undefined) {
      try {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
      } catch {
        // The connection already ended the transaction; nothing of the group was committed either way.
      }
      running?.reject(broken);
      for (const d of done) d.job.reject(broken);
      return;
    }
    if (!this.syncWal || done.length === 0) {
      for (const d of done) d.job.resolve(d.value);
      return;
    }
    // Answered once the WAL holding their commit is on disk; the next group does not wait for it.
    const synced = this.walDatasync();
    this.syncs.add(synced);
    void synced.finally(() => this.syncs.delete(synced)).catch(() => undefined);
    synced.then(
      () => {
        for (const d of done) d.job.resolve(d.value);
      },
      (e: unknown) => {
        for (const d of done) d.job.reject(e);
      },
    );
  }

  private async walSyncsDone(): Promise<void> {
    await Promise.allSettled([...this.syncs]);
  }

  /** fdatasync of the WAL file through a descriptor of our own (any descriptor of a file flushes its data). */
  private async walDatasync(): Promise<void> {
    this.wal ??= fs.open(`${this.file}-wal`, 'r');
    const wal = this.wal;
    try {
      await (await wal).datasync();
    } catch (e) {
      // Reopened next time (the WAL is recreated when the last connection of another process closed it).
      if (this.wal === wal) this.wal = undefined;
      void wal.then((fh) => fh.close()).catch(() => undefined);
      throw e;
    }
  }

  async exec(script: string): Promise<void> {
    while (this.current || this.pending.length > 0 || this.draining) await this.idle;
    this.db.exec(script);
  }

  async close(): Promise<void> {
    while (this.pending.length > 0 || this.draining) await this.idle;
    await this.walSyncsDone();
    await this.wal?.then((fh) => fh.close()).catch(() => undefined);
    this.wal = undefined;
    await this.checkpointer?.close();
    this.reader?.close();
    this.db.close();
  }
}

/** Runs `f` synchronously, before any queued transaction can begin, and settles a promise with its outcome. */
function now<T>(f: () => T): Promise<T> {
  try {
    return Promise.resolve(f());
  } catch (e) {
    return Promise.reject(e);
  }
}

function prepare(db: Database.Database, cache: Map<string, Statement>, sql: string): Statement {
  let s = cache.get(sql);
  if (!s) {
    s = db.prepare(sql);
    cache.set(sql, s);
  }
  return s;
}
