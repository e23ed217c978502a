import type { SqlDriver, SqlExecutor, SqlValue } from '../../src/meta/sql/driver.js';

/**
 * A SqlDriver that counts the statements issued through it (and the rows they return), in and
 * out of transactions. Statements `ignore` matches are not counted (e.g. the bucket lookup, which
 * the engine's one-second cache issues or not depending on how long the previous step took).
 */
export class CountingDriver implements SqlDriver {
  statements = 0;
  rows = 0;
  private readonly counted: SqlExecutor;

  constructor(
    private readonly inner: SqlDriver,
    private readonly ignore: (sql: string) => boolean = () => false,
  ) {
    this.counted = this.wrap(inner);
  }

  get kind() {
    return this.inner.kind;
  }
  get schema() {
    return this.inner.schema;
  }

  reset() {
    this.statements = 0;
    this.rows = 0;
  }

  private wrap(ex: SqlExecutor): SqlExecutor {
    return {
      all: async <T>(sql: string, params?: SqlValue[]) => {
        const r = await ex.all<T>(sql, params);
        if (!this.ignore(sql)) {
          this.statements++;
          this.rows += r.length;
        }
        return r;
      },
      get: async <T>(sql: string, params?: SqlValue[]) => {
        const r = await ex.get<T>(sql, params);
        if (!this.ignore(sql)) {
          this.statements++;
          if (r !== undefined) this.rows++;
        }
        return r;
      },
      run: async (sql: string, params?: SqlValue[]) => {
        if (!this.ignore(sql)) this.statements++;
        return ex.run(sql, params);
      },
    };
  }

  all<T>(sql: string, params?: SqlValue[]) {
    return this.counted.all<T>(sql, params);
  }
  get<T>(sql: string, params?: SqlValue[]) {
    return this.counted.get<T>(sql, params);
  }
  run(sql: string, params?: SqlValue[]) {
    return this.counted.run(sql, params);
  }
  transaction<T>(fn: (ex: SqlExecutor) => Promise<T>): Promise<T> {
    return this.inner.transaction((ex) => fn(this.wrap(ex)));
  }
  exec(script: string) {
    this.statements++;
    return this.inner.exec(script);
  }
  close() {
    return this.inner.close();
  }
}
