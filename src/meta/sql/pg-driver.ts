import pg from 'pg';
import type { SqlDriver, SqlExecutor, SqlValue } from './driver.js';

// BIGINT columns come back as numbers: sizes and counts stay well inside 2^53.
pg.types.setTypeParser(20, (v: string) => Number(v));

/** Rewrites `?` placeholders to `$n`. The shared SQL never puts `?` inside literals. */
function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
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
  private readonly pool: pg.Pool;
  private readonly base: SqlExecutor;

  constructor(connectionString: string, schema?: string) {
    this.pool = new pg.Pool({ connectionString, max: 16 });
    if (schema) {
      this.pool.on('connect', (c) => {
        void c.query(`SET search_path TO "${schema.replace(/"/g, '')}"`);
      });
    }
    this.base = executor(this.pool);
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

  async transaction<T>(fn: (ex: SqlExecutor) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const r = await fn(executor(client));
      await client.query('COMMIT');
      return r;
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      client.release();
    }
  }

  async exec(script: string): Promise<void> {
    await this.pool.query(script);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
