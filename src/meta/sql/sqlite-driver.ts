import { AsyncLocalStorage } from 'node:async_hooks';
import Database from 'better-sqlite3';
import type { SqlDriver, SqlExecutor, SqlValue } from './driver.js';

type Statement = Database.Statement;

/**
 * better-sqlite3 is synchronous and a connection has one transaction, so an
 * async transaction must not interleave with another one: transactions are
 * queued (a promise chain acting as a mutex). A statement issued outside while
 * a transaction is open must not land inside it (it would read uncommitted
 * rows, or be rolled back with it): reads go to a second connection, which in
 * WAL mode sees the last committed state, and writes wait for the transaction
 * to end. With no transaction open, statements run at once on the main
 * connection.
 */
export class SqliteDriver implements SqlDriver {
  readonly kind = 'sqlite' as const;
  private readonly db: Database.Database;
  private reader: Database.Database | undefined;
  private readonly cache = new Map<string, Statement>();
  private readonly readerCache = new Map<string, Statement>();
  private queue: Promise<unknown> = Promise.resolve();
  /** The open transaction, if any; its async scope is marked with the same token. */
  private current: object | undefined;
  private readonly scope = new AsyncLocalStorage<object>();
  private readonly inside: SqlExecutor;

  /** With `durable`, each commit reaches the disk before it returns (survives power loss, not only a crash). */
  constructor(
    private readonly file: string,
    durable = true,
  ) {
    this.db = new Database(file, { timeout: 5000 });
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(durable ? 'synchronous = FULL' : 'synchronous = NORMAL');
    this.db.pragma('foreign_keys = ON');
    const stmt = (sql: string) => prepare(this.db, this.cache, sql);
    this.inside = {
      all: async <T>(sql: string, params: SqlValue[] = []) => stmt(sql).all(...params) as T[],
      get: async <T>(sql: string, params: SqlValue[] = []) => stmt(sql).get(...params) as T | undefined,
      run: async (sql: string, params: SqlValue[] = []) => stmt(sql).run(...params).changes,
    };
  }

  /** The read connection, opened on first use; none for an in-memory database (it cannot be shared). */
  private readConnection(): Database.Database | undefined {
    if (!this.reader && this.file !== ':memory:' && this.file !== '') {
      this.reader = new Database(this.file, { readonly: true, timeout: 5000 });
    }
    return this.reader;
  }

  /** Runs `f` when no transaction is open, in queue order. */
  private exclusive<T>(f: () => T | Promise<T>): Promise<T> {
    const next = this.queue.then(f);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** A statement issued through the driver itself rather than a transaction's executor. */
  private outside<T>(sql: string, exec: (s: Statement) => T): Promise<T> {
    let s: Statement;
    try {
      s = prepare(this.db, this.cache, sql);
    } catch (e) {
      return Promise.reject(e);
    }
    if (!this.current) return now(() => exec(s));
    if (this.scope.getStore() === this.current) {
      // Code inside the transaction that bypasses its executor: a write here would silently
      // join the transaction on SQLite but run apart (and could deadlock) on PostgreSQL.
      if (!s.readonly) return Promise.reject(new Error('metadata write outside the open transaction: use the transaction executor'));
      return now(() => exec(s));
    }
    const reader = s.readonly ? this.readConnection() : undefined;
    if (reader) {
      const r = prepare(reader, this.readerCache, sql);
      return now(() => exec(r));
    }
    return this.exclusive(() => exec(s));
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
    if (this.current && this.scope.getStore() === this.current) return Promise.reject(new Error('nested metadata transaction'));
    return this.exclusive(() => {
      const token = {};
      return this.scope.run(token, async () => {
        this.db.exec('BEGIN IMMEDIATE');
        this.current = token;
        try {
          const r = await fn(this.inside);
          this.db.exec('COMMIT');
          return r;
        } catch (e) {
          if (this.db.inTransaction) this.db.exec('ROLLBACK');
          throw e;
        } finally {
          this.current = undefined;
        }
      });
    });
  }

  async exec(script: string): Promise<void> {
    if (!this.current) this.db.exec(script);
    else await this.exclusive(() => this.db.exec(script));
  }

  async close(): Promise<void> {
    await this.queue;
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
