import os from 'node:os';
import pg from 'pg';
import type { SqlDriver, SqlExecutor, SqlValue } from './driver.js';

export interface PostgresOptions {
  /** Schema holding the tables (created by migrate when missing); the server's default search path otherwise. */
  schema?: string;
  /** Pool size. */
  max?: number;
  connectionTimeoutMillis?: number;
}

// BIGINT (int8) columns come back as numbers: sizes, counts and ids stay well
// inside 2^53. Set per pool so pg's process-wide parsers stay untouched.
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8 && format !== 'binary' ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

const SCHEMA_RE = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Rewrites `?` placeholders to `$n`. The shared SQL never puts `?` inside literals. */
function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/**
 * Like libpq, a URL without a user name connects as the operating-system user
 * (pg itself only looks at $PGUSER and $USER, which services often lack).
 */
export function withUser(url: string): string {
  if (process.env.PGUSER || process.env.USER) return url;
  try {
    const u = new URL(url);
    if (!u.username && u.host) {
      u.username = os.userInfo().username;
      return u.toString();
    }
  } catch {
    // not a URL: leave it to pg
  }
  return url;
}

function executor(q: pg.Pool | pg.PoolClient): SqlExecutor {
  return {
    async all<T>(sql: string, params: SqlValue[] = []) {
      return (await q.query(numbered(sql), params)).rows as T[];
    },
    async get<T>(sql: string, params: SqlValue[] = []) {
      return (await q.query(numbered(sql), params)).rows[0] as T | undefined;
    },
    async run(sql: string, params: SqlValue[] = []) {
      return (await q.query(numbered(sql), params)).rowCount ?? 0;
    },
  };
}

export class PostgresDriver implements SqlDriver {
  readonly kind = 'postgres' as const;
  readonly schema: string | undefined;
  private readonly pg: pg.Pool;
  private readonly base: SqlExecutor;

  constructor(connectionString: string, opts: PostgresOptions = {}) {
    if (opts.schema !== undefined && !SCHEMA_RE.test(opts.schema)) throw new Error(`invalid PostgreSQL schema name: ${opts.schema}`);
    this.schema = opts.schema;
    this.pg = new pg.Pool({
      connectionString: withUser(connectionString),
      max: opts.max ?? 16,
      connectionTimeoutMillis: opts.connectionTimeoutMillis,
      types,
      // A startup parameter: in force before the first query on every connection (no race with a SET).
      options: opts.schema ? `-c search_path=${opts.schema}` : undefined,
    });
    // An idle connection that breaks (server restart) is dropped by the pool; without a
    // listener the 'error' event would end the process.
    this.pg.on('error', () => undefined);
    this.base = executor(this.pg);
  }

  all<T>(sql: string, params?: SqlValue[]) {
    return this.base.all<T>(sql, params);
  }
  get<T>(sql: string, params?: SqlValue[]) {
    return this.base.get<T>(sql, params);
  }
  run(sql: string, params?: SqlValue[]) {
    return this.base.run(sql, params);
  }

  pool(): { total: number; idle: number; waiting: number } {
    return { total: this.pg.totalCount, idle: this.pg.idleCount, waiting: this.pg.waitingCount };
  }

  async transaction<T>(fn: (ex: SqlExecutor) => Promise<T>): Promise<T> {
    const client = await this.pg.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const r = await fn(executor(client));
      await client.query('COMMIT');
      return r;
    } catch (e) {
      await client.query('ROLLBACK').catch((err: Error) => (broken = err));
      throw e;
    } finally {
      // A connection that could not roll back is closed rather than reused.
      client.release(broken);
    }
  }

  async exec(script: string): Promise<void> {
    await this.pg.query(script);
  }

  async close(): Promise<void> {
    await this.pg.end();
  }
}
