import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { SqlEngine } from '../sql-engine.js';
import { TransactionContext } from './transaction-context.js';
import { migratePostgres } from './pg-migrations.js';

/** The NOTIFY channel replicas announce registry changes on. */
const CHANNEL = 'modelgate_registry';
/** pg_advisory_xact_lock key of every write transaction ('mgat' in ASCII): one writer at a time, one audit chain. */
const WRITE_LOCK = 0x6d676174;

/** `?` placeholders (the SQLite spelling every store uses) numbered for PostgreSQL. */
const numbered = (sql: string): string => {
  let i = 0;
  return sql.replace(/\?/g, () => `$${++i}`);
};

/**
 * The shared engine: a pg pool on a PostgreSQL server that several replicas (and the CLI) use at
 * once. Every transaction takes one advisory transaction lock first, so writers are serialised as
 * under SQLite's BEGIN IMMEDIATE: the audit chain's head is read and extended by one writer at a
 * time. Changes are announced with NOTIFY (sent at commit) and heard on one LISTEN connection.
 */
export class PgEngine implements SqlEngine {
  readonly kind = 'postgres';
  /** Prefixes this engine's announcements, so it does not act on its own (its process already has). */
  private readonly origin = `${randomUUID()}|`;
  private readonly tx = new TransactionContext<{ client: pg.PoolClient; open: boolean }>();
  private listener: pg.Client | undefined;
  private readonly subscribers = new Set<(what: string) => void>();

  private constructor(
    private readonly pool: pg.Pool,
    private readonly url: string,
  ) {}

  /** Connect and bring the schema up to date (concurrent starts of several replicas migrate once). */
  static async open(url: string, poolSize = 5): Promise<PgEngine> {
    const pool = new pg.Pool({ connectionString: url, max: poolSize, application_name: 'modelgate' });
    // An idle client's error (server restart) must not crash the process; the next query reconnects.
    pool.on('error', () => undefined);
    const engine = new PgEngine(pool, url);
    try {
      await migratePostgres(engine);
      return engine;
    } catch (err) {
      await pool.end();
      throw err;
    }
  }

  private queryable(): pg.Pool | pg.PoolClient {
    const t = this.tx.get();
    return t?.open ? t.client : this.pool;
  }

  async all<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    const res = await this.queryable().query(params.length ? numbered(sql) : sql, params as unknown[]);
    return res.rows as T[];
  }

  async get<T>(sql: string, params: readonly unknown[] = []): Promise<T | undefined> {
    return (await this.all<T>(sql, params))[0];
  }

  async run(sql: string, params: readonly unknown[] = []): Promise<number> {
    const res = await this.queryable().query(params.length ? numbered(sql) : sql, params as unknown[]);
    return res.rowCount ?? 0;
  }

  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    if (this.tx.get()?.open) return fn();
    const client = await this.pool.connect();
    const state = { client, open: true };
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [WRITE_LOCK]);
      const out = await this.tx.run(state, fn);
      await client.query('COMMIT');
      return out;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      state.open = false;
      client.release();
    }
  }

  async changeToken(): Promise<string> {
    // Every registry change writes an audit row in its transaction: the chain's head moves with them.
    const row = await this.get<{ seq: number | null }>('SELECT max(seq) AS seq FROM audit_log');
    return String(row?.seq ?? 0);
  }

  async announce(what: string): Promise<void> {
    await this.run('SELECT pg_notify(?, ?)', [CHANNEL, this.origin + what]);
  }

  async onAnnounce(fn: (what: string) => void): Promise<() => Promise<void>> {
    this.subscribers.add(fn);
    if (!this.listener) await this.listen();
    return async () => {
      this.subscribers.delete(fn);
      if (this.subscribers.size === 0) await this.unlisten();
    };
  }

  async close(): Promise<void> {
    this.subscribers.clear();
    await this.unlisten();
    await this.pool.end();
  }

  /** One dedicated connection for LISTEN; if it drops, the poll covers the gap until it is back. */
  private async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url, application_name: 'modelgate-listen' });
    client.on('notification', (n) => {
      const payload = n.payload ?? '';
      if (payload.startsWith(this.origin)) return;
      const what = payload.slice(payload.indexOf('|') + 1);
      for (const fn of this.subscribers) fn(what);
    });
    client.on('error', () => {
      if (this.listener !== client) return;
      this.listener = undefined;
      setTimeout(() => void (this.subscribers.size > 0 && !this.listener ? this.listen().catch(() => undefined) : undefined), 1000).unref();
    });
    await client.connect();
    await client.query(`LISTEN ${CHANNEL}`);
    this.listener = client;
  }

  private async unlisten(): Promise<void> {
    const client = this.listener;
    this.listener = undefined;
    await client?.end().catch(() => undefined);
  }
}
