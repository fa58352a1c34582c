import { dataVersion, openDatabase, type Db } from '../db.js';
import type { SqlEngine } from '../sql-engine.js';
import { storeError } from '../../errors/index.js';
import { TransactionContext } from './transaction-context.js';

/**
 * The embedded engine: better-sqlite3 on one file. Its calls are synchronous (microseconds on a
 * local file); they are wrapped in promises only to share the store interface with PostgreSQL.
 * better-sqlite3 cannot run an async function inside `db.transaction()`, so a transaction is
 * BEGIN IMMEDIATE ... COMMIT on the one connection with an in-process queue in front of it.
 */
export class SqliteEngine implements SqlEngine {
  readonly kind = 'sqlite';
  private readonly inTx = new TransactionContext<{ open: boolean }>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly db: Db) {}

  static open(path: string): SqliteEngine {
    return new SqliteEngine(openDatabase(path));
  }

  async all<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return this.guarded(() => this.db.prepare(sql).all(...params) as T[]);
  }

  async get<T>(sql: string, params: readonly unknown[] = []): Promise<T | undefined> {
    return this.guarded(() => this.db.prepare(sql).get(...params) as T | undefined);
  }

  async run(sql: string, params: readonly unknown[] = []): Promise<number> {
    // A write outside a transaction waits for the open one, or it would be committed (or rolled back) with it.
    if (!this.inTx.get()?.open) return this.transaction(async () => this.guarded(() => this.db.prepare(sql).run(...params).changes));
    return this.guarded(() => this.db.prepare(sql).run(...params).changes);
  }

  /** A full or failing disk (SQLITE_FULL, SQLITE_IOERR) is a 503 for the caller, not a 500. */
  private guarded<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw storeError(err);
    }
  }

  transaction<T>(fn: () => Promise<T>): Promise<T> {
    if (this.inTx.get()?.open) return fn();
    const next = this.queue.then(async () => {
      const state = { open: true };
      this.guarded(() => this.db.exec('BEGIN IMMEDIATE'));
      try {
        const out = await this.inTx.run(state, fn);
        this.guarded(() => this.db.exec('COMMIT'));
        return out;
      } catch (err) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw storeError(err);
      } finally {
        state.open = false;
      }
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  async changeToken(): Promise<string> {
    return String(dataVersion(this.db));
  }

  async announce(): Promise<void> {}

  async onAnnounce(): Promise<() => Promise<void>> {
    return async () => undefined;
  }

  async close(): Promise<void> {
    await this.queue;
    this.db.close();
  }
}
