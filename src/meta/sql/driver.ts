/**
 * The little a SQL database must offer the shared store: statements with `?`
 * placeholders, and a transaction scope. SQL text is written once, portable
 * between SQLite and PostgreSQL; drivers translate placeholders.
 */
export type SqlValue = string | number | bigint | null | Buffer;

export interface SqlExecutor {
  all<T = Record<string, unknown>>(sql: string, params?: SqlValue[]): Promise<T[]>;
  get<T = Record<string, unknown>>(sql: string, params?: SqlValue[]): Promise<T | undefined>;
  run(sql: string, params?: SqlValue[]): Promise<number>;
}

export interface SqlDriver extends SqlExecutor {
  readonly kind: 'sqlite' | 'postgres';
  /** PostgreSQL: the schema the tables live in (migrate creates it). */
  readonly schema?: string;
  transaction<T>(fn: (ex: SqlExecutor) => Promise<T>): Promise<T>;
  /** Runs a script of several statements (migrations). */
  exec(script: string): Promise<void>;
  /** Connection pool use, where there is a pool. */
  pool?(): { total: number; idle: number; waiting: number };
  close(): Promise<void>;
}
