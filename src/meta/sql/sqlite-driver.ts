import Database from 'better-sqlite3';
import type { SqlDriver, SqlExecutor, SqlValue } from './driver.js';

/**
 * better-sqlite3 is synchronous and shares one connection, so an async
 * transaction must not interleave with another one: transactions are queued
 * (a promise chain acting as a mutex). Reads outside transactions run at once;
 * in WAL mode they see the last committed state.
 */
export class SqliteDriver implements SqlDriver {
  readonly kind = 'sqlite' as const;
  private readonly db: Database.Database;
  private readonly cache = new Map<string, Database.Statement>();
  private queue: Promise<unknown> = Promise.resolve();
  private inTx = false;

  /** With `durable`, each commit reaches the disk before it returns (survives power loss, not only a crash). */
  constructor(file: string, durable = true) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(durable ? 'synchronous = FULL' : 'synchronous = NORMAL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
  }

  private stmt(sql: string): Database.Statement {
    let s = this.cache.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.cache.set(sql, s);
    }
    return s;
  }

  async all<T>(sql: string, params: SqlValue[] = []): Promise<T[]> {
    return this.stmt(sql).all(...params) as T[];
  }

  async get<T>(sql: string, params: SqlValue[] = []): Promise<T | undefined> {
    return this.stmt(sql).get(...params) as T | undefined;
  }

  async run(sql: string, params: SqlValue[] = []): Promise<number> {
    return this.stmt(sql).run(...params).changes;
  }

  transaction<T>(fn: (ex: SqlExecutor) => Promise<T>): Promise<T> {
    const next = this.queue.then(async () => {
      this.db.exec('BEGIN IMMEDIATE');
      this.inTx = true;
      try {
        const r = await fn(this);
        this.db.exec('COMMIT');
        return r;
      } catch (e) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw e;
      } finally {
        this.inTx = false;
      }
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  async exec(script: string): Promise<void> {
    this.db.exec(script);
  }

  async close(): Promise<void> {
    await this.queue;
    this.db.close();
  }
}
