/** A row-level SQL connection the registry, tokens, audit log and rollback overrides share. */
export interface SqlQueries {
  /** Every row. SQL uses `?` placeholders on both engines (PostgreSQL's are numbered for it). */
  all<T>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  get<T>(sql: string, params?: readonly unknown[]): Promise<T | undefined>;
  /** A write; resolves to the number of rows it changed. */
  run(sql: string, params?: readonly unknown[]): Promise<number>;
}

/**
 * One store interface, two engines: SQLite (embedded, one file, the default) and PostgreSQL
 * (shared by replicas). Queries inside `transaction(fn)` join it through async context, so
 * stores need not pass a transaction handle around; transactions are serialised against every
 * other writer (SQLite: BEGIN IMMEDIATE; PostgreSQL: one advisory transaction lock), which keeps
 * the audit chain a single chain with several writers.
 */
export interface SqlEngine extends SqlQueries {
  readonly kind: 'sqlite' | 'postgres';
  /** Whether the connection that hears announcements is up (undefined: there is none, as on SQLite). */
  readonly listening?: boolean | undefined;
  transaction<T>(fn: () => Promise<T>): Promise<T>;
  /**
   * A value that changes when another process commits (the poll's cheap change test): SQLite's
   * data_version, PostgreSQL's newest change-log sequence.
   */
  changeToken(): Promise<string>;
  /** Tell other replicas to re-read (PostgreSQL NOTIFY, delivered on commit); a no-op on SQLite. */
  announce(what: string): Promise<void>;
  /** Call fn when another process (not this engine) announces a change; returns the unsubscribe. SQLite: never (the poll covers it). */
  onAnnounce(fn: (what: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}
