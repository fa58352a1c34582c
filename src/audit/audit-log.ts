import { createHash } from 'node:crypto';
import type { AuditEvent, AuditSink } from '../contracts/audit.js';

/** One row of the log as stored: before/after are JSON text, hashed exactly as stored. */
export interface AuditRow {
  seq: number;
  at: string;
  actor: string;
  action: string;
  target: string;
  before: string | null;
  after: string | null;
  reason: string | null;
  prev_hash: string;
  hash: string;
}

/** A row as the API shows it: before/after parsed back. */
export interface AuditRecord {
  seq: number;
  at: string;
  actor: string;
  action: string;
  target: string;
  before: unknown;
  after: unknown;
  reason: string | null;
  prevHash: string;
  hash: string;
}

export type VerifyResult =
  | { ok: true; rows: number; head: string }
  | { ok: false; rows: number; brokenAt: number; reason: string };

/** prev_hash of the first row. */
export const GENESIS_HASH = '0'.repeat(64);

/** sha256(previous hash + the row's content), the link of the chain. */
export function chainHash(prevHash: string, row: Omit<AuditRow, 'prev_hash' | 'hash'>): string {
  const content = JSON.stringify([row.seq, row.at, row.actor, row.action, row.target, row.before, row.after, row.reason]);
  return createHash('sha256').update(prevHash).update(content).digest('hex');
}

const toJson = (v: unknown): string | null => (v === undefined ? null : JSON.stringify(v));
const fromJson = (s: string | null): unknown => (s === null ? null : JSON.parse(s));

const toRecord = (r: AuditRow): AuditRecord => ({
  seq: r.seq,
  at: r.at,
  actor: r.actor,
  action: r.action,
  target: r.target,
  before: fromJson(r.before),
  after: fromJson(r.after),
  reason: r.reason,
  prevHash: r.prev_hash,
  hash: r.hash,
});

/** The queries the log needs: the registry's SQL engine (SQLite or PostgreSQL), seen from here. */
export interface AuditDb {
  readonly kind: string;
  all<T>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  get<T>(sql: string, params?: readonly unknown[]): Promise<T | undefined>;
  run(sql: string, params?: readonly unknown[]): Promise<number>;
  /** A write transaction serialised against every other writer, in every process (nested calls join it). */
  transaction<T>(fn: () => Promise<T>): Promise<T>;
}

/**
 * The governance audit log: an append-only table (triggers refuse UPDATE and DELETE) whose rows
 * are hash-chained, so an edit made behind the triggers' back is found by verify(). The head is
 * read and the row written inside one serialised write transaction (SQLite BEGIN IMMEDIATE,
 * PostgreSQL an advisory transaction lock): gateways, replicas and the CLI never fork the chain.
 */
export class AuditLog implements AuditSink {
  constructor(
    private readonly db: AuditDb,
    private readonly now: () => Date = () => new Date(),
  ) {}

  append(event: AuditEvent): Promise<AuditRecord> {
    return this.db.transaction(async () => {
      const last = await this.db.get<{ seq: number; hash: string }>('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1');
      const row = {
        seq: (last?.seq ?? 0) + 1,
        at: this.now().toISOString(),
        actor: event.actor,
        action: event.action,
        target: event.target,
        before: toJson(event.before),
        after: toJson(event.after),
        reason: event.reason ?? null,
      };
      const prevHash = last?.hash ?? GENESIS_HASH;
      const full: AuditRow = { ...row, prev_hash: prevHash, hash: chainHash(prevHash, row) };
      await this.db.run(
        `INSERT INTO audit_log (seq, at, actor, action, target, before, after, reason, prev_hash, hash)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [full.seq, full.at, full.actor, full.action, full.target, full.before, full.after, full.reason, full.prev_hash, full.hash],
      );
      return toRecord(full);
    });
  }

  /** Rows after `after` (a seq), oldest first, optionally of one action or target. */
  async page(opts: { after?: number; limit?: number; action?: string; target?: string } = {}): Promise<{ records: AuditRecord[]; next: number | null }> {
    const limit = Math.min(Math.max(opts.limit ?? 100, 1), 1000);
    const rows = await this.db.all<AuditRow>(
      `SELECT * FROM audit_log WHERE seq > ? AND (CAST(? AS TEXT) IS NULL OR action = ?) AND (CAST(? AS TEXT) IS NULL OR target = ?)
       ORDER BY seq LIMIT ?`,
      [opts.after ?? 0, opts.action ?? null, opts.action ?? null, opts.target ?? null, opts.target ?? null, limit + 1],
    );
    const more = rows.length > limit;
    const records = rows.slice(0, limit).map(toRecord);
    return { records, next: more ? (records.at(-1)?.seq ?? null) : null };
  }

  /** The newest rows for a target (a model version's history), newest first. */
  async forTarget(target: string, limit = 50): Promise<AuditRecord[]> {
    const rows = await this.db.all<AuditRow>('SELECT * FROM audit_log WHERE target = ? ORDER BY seq DESC LIMIT ?', [target, limit]);
    return rows.map(toRecord);
  }

  /**
   * Walk the chain from the first row and name the first row that breaks it: a gap in the
   * sequence (deleted rows), a prev_hash that is not the previous row's hash, or content that no
   * longer hashes to the stored hash (an edit). Read in pages so a long chain is never one array.
   */
  async verify(): Promise<VerifyResult> {
    let prevHash = GENESIS_HASH;
    let expected = 1;
    let rows = 0;
    for (;;) {
      const page = await this.db.all<AuditRow>('SELECT * FROM audit_log WHERE seq >= ? ORDER BY seq LIMIT 1000', [expected]);
      for (const r of page) {
        rows++;
        if (r.seq !== expected) {
          return { ok: false, rows, brokenAt: r.seq, reason: `rows ${expected}..${r.seq - 1} are missing before row ${r.seq}` };
        }
        if (r.prev_hash !== prevHash) {
          return { ok: false, rows, brokenAt: r.seq, reason: `row ${r.seq}'s prev_hash is not the hash of row ${r.seq - 1}` };
        }
        const { prev_hash: _p, hash, ...content } = r;
        if (chainHash(prevHash, content) !== hash) {
          return { ok: false, rows, brokenAt: r.seq, reason: `row ${r.seq}'s content does not match its hash (edited)` };
        }
        prevHash = hash;
        expected++;
      }
      if (page.length < 1000) return { ok: true, rows, head: prevHash };
    }
  }
}
