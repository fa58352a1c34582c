import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { SqlEngine } from '../sql-engine.js';
import { TransactionContext } from './transaction-context.js';
import { migratePostgres } from './pg-migrations.js';
import { PgListener } from './pg-listener.js';
import { storeError } from '../../errors/index.js';

/** The NOTIFY channel replicas announce registry changes on. */
const CHANNEL = 'modelgate_registry';
/** pg_advisory_xact_lock key of every write transaction ('mgat' in ASCII): one writer at a time, one audit chain. */
const WRITE_LOCK = 0x6d676174;

export interface PgEngineOptions {
  poolSize?: number;
  /** A connection not made within this is an error, never a wait (ms). */
  connectTimeoutMs?: number;
  /** A statement running longer is cancelled by the server, and one unanswered (server hung) abandoned by the client (ms). */
  statementTimeoutMs?: number;
  /** The LISTEN connection went up or down. */
  onListenState?: (connected: boolean) => void;
  /** A LISTEN (re)connect failed (it keeps retrying). */
  onListenError?: (err: unknown) => void;
}

/** Every pool has both: a hung server (SIGSTOP) must never hang an admin call. */
const CONNECT_TIMEOUT_MS = 5_000;
const STATEMENT_TIMEOUT_MS = 15_000;

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
  private listener: PgListener | undefined;
  private readonly subscribers = new Set<(what: string) => void>();

  private constructor(
    private readonly pool: pg.Pool,
    private readonly url: string,
    private readonly opts: PgEngineOptions,
  ) {}

  /** Connect and bring the schema up to date (concurrent starts of several replicas migrate once). */
  static async open(url: string, opts: PgEngineOptions = {}): Promise<PgEngine> {
    const statementTimeout = opts.statementTimeoutMs ?? STATEMENT_TIMEOUT_MS;
    const pool = new pg.Pool({
      connectionString: url,
      max: opts.poolSize ?? 5,
      application_name: 'modelgate',
      connectionTimeoutMillis: opts.connectTimeoutMs ?? CONNECT_TIMEOUT_MS,
      // Server side: a slow statement is cancelled. Client side (a little later): a server that does not answer at all.
      statement_timeout: statementTimeout,
      query_timeout: statementTimeout + 1000,
      keepAlive: true,
    });
    // An idle client's error (server restart) must not crash the process; the next query reconnects.
    pool.on('error', () => undefined);
    const engine = new PgEngine(pool, url, opts);
    try {
      await migratePostgres(engine);
      return engine;
    } catch (err) {
      await pool.end();
      throw err;
    }
  }

  /** Whether the LISTEN connection is up (undefined: nobody listens). */
  get listening(): boolean | undefined {
    return this.listener?.connected;
  }

  private queryable(): pg.Pool | pg.PoolClient {
    const t = this.tx.get();
    return t?.open ? t.client : this.pool;
  }

  async all<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    try {
      const res = await this.queryable().query(params.length ? numbered(sql) : sql, params as unknown[]);
      return res.rows as T[];
    } catch (err) {
      throw storeError(err);
    }
  }

  async get<T>(sql: string, params: readonly unknown[] = []): Promise<T | undefined> {
    return (await this.all<T>(sql, params))[0];
  }

  async run(sql: string, params: readonly unknown[] = []): Promise<number> {
    try {
      const res = await this.queryable().query(params.length ? numbered(sql) : sql, params as unknown[]);
      return res.rowCount ?? 0;
    } catch (err) {
      throw storeError(err);
    }
  }

  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    if (this.tx.get()?.open) return fn();
    const client = await this.pool.connect().catch((err: unknown) => {
      throw storeError(err);
    });
    const state = { client, open: true };
    let broken: Error | undefined;
    // pg-pool drops its error listener while a client is checked out: a connection lost now
    // (server stopped mid-transaction) would be an 'error' event nobody hears, and kill the process.
    const onError = (err: Error) => (broken = err);
    client.on('error', onError);
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [WRITE_LOCK]);
      const out = await this.tx.run(state, fn);
      await client.query('COMMIT');
      return out;
    } catch (err) {
      await client.query('ROLLBACK').catch((e: unknown) => {
        // The connection itself failed (timeout, reset): the pool must not hand it out again.
        broken = e instanceof Error ? e : new Error(String(e));
      });
      throw storeError(err);
    } finally {
      state.open = false;
      client.removeListener('error', onError);
      client.release(broken);
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

  /** One dedicated connection for LISTEN, reconnected for as long as anyone subscribes; the poll covers any gap. */
  private async listen(): Promise<void> {
    const notify = (what: string) => {
      for (const fn of this.subscribers) fn(what);
    };
    const listener = new PgListener({
      url: this.url,
      channel: CHANNEL,
      connectTimeoutMs: this.opts.connectTimeoutMs ?? CONNECT_TIMEOUT_MS,
      onPayload: (payload) => {
        if (payload.startsWith(this.origin)) return;
        notify(payload.slice(payload.indexOf('|') + 1));
      },
      // An empty announcement: "something may have changed" (subscribers re-read).
      onResumed: () => notify(''),
      onState: this.opts.onListenState,
      onError: this.opts.onListenError,
    });
    this.listener = listener;
    try {
      await listener.start();
    } catch (err) {
      // Not fatal: the poll still syncs; keep trying in the background.
      this.opts.onListenError?.(err);
      this.opts.onListenState?.(false);
      listener.retry();
    }
  }

  private async unlisten(): Promise<void> {
    const listener = this.listener;
    this.listener = undefined;
    await listener?.stop();
  }
}
