import type { TraceSettings } from '../config/registry-schema.js';
import { isStoreUnavailable } from '../errors/index.js';
import type { Logger } from '../logger.js';
import type { SlotCounter } from '../metrics/slots.js';
import type { AuditDb } from './audit-log.js';
import { TraceChunks } from './trace-chunks.js';
import { capturedModel, decodeRecord, readRequestId, recordLength, type TraceRecord } from './trace-codec.js';
import { MAX_FOUND_BYTES, MAX_SCAN_BYTES } from './trace-scan.js';
import type { TraceStore } from './trace-store.js';

const HOUR_MS = 3_600_000;
/** atMs sits at this offset of every record (trace-codec.ts writeRecord). */
const AT_MS_OFFSET = 8;
/** captured(): rows read per query page. */
const PAGE_ROWS = 1000;

export interface PgTraceLogOptions {
  db: AuditDb;
  settings: TraceSettings;
  /** modelgate_trace_records_total{result}. */
  records: SlotCounter<'result'>;
  logger?: Logger;
  now?: () => number;
  /** A repeating background task whose failures are counted and logged once per interval (BackgroundTasks.every). */
  every?: (task: string, ms: number, tick: () => unknown) => NodeJS.Timeout;
  /** First and last delay between attempts while PostgreSQL is unreachable (ms); doubles in between. */
  retryMinMs?: number;
  retryMaxMs?: number;
  /** How long close() keeps retrying before it gives the waiting records up (counted as failed). */
  closeGraceMs?: number;
}

/**
 * The prediction trace in PostgreSQL, for replicas: a prediction answered by one replica is found
 * through any other. The request path is the file engine's (TraceChunks): `append()` copies the
 * record into an in-memory chunk (about a microsecond, no database). Each flush (every
 * flushIntervalMs or a full chunk) splits the chunk into its records and writes them with one
 * INSERT over unnest() arrays: one round trip per chunk, however many records it holds.
 * Records stay in the binary format and are decoded on lookup.
 *
 * PostgreSQL unreachable: chunks are written one at a time, in order, and a chunk that cannot be
 * written is retried (250 ms doubling to 5 s) until it is; the chunks behind it wait in memory,
 * counted in the pending bytes, so past maxPendingBytes new records are dropped and counted, and
 * within it nothing is lost. One line when the outage starts, one when writing resumes.
 */
export class PgTraceLog extends TraceChunks implements TraceStore {
  private pruneTimer: NodeJS.Timeout | undefined;
  private readonly now: () => number;
  /** The last chunk handed to PostgreSQL: the next one waits for it (one writer, in order). */
  private tail: Promise<void> = Promise.resolve();
  /** Set while PostgreSQL is unreachable: since when, and how many attempts failed. */
  private outage: { since: number; attempts: number } | undefined;
  /** After close()'s grace period: stop retrying. */
  private giveUpAt = Infinity;
  private wake: (() => void) | undefined;

  constructor(private readonly opts: PgTraceLogOptions) {
    super({ settings: opts.settings, records: opts.records, logger: opts.logger, sink: 'PostgreSQL' });
    this.now = opts.now ?? Date.now;
  }

  protected appended(): void {}

  /** One INSERT over unnest() arrays for the whole chunk, after the chunk before it, retried while PostgreSQL is away. */
  protected write(data: Buffer): Promise<void> {
    const next = this.tail.then(() => this.writeUntilDone(data));
    this.tail = next.catch(() => undefined);
    return next;
  }

  /** Whether writes are waiting for PostgreSQL to come back. */
  get waiting(): boolean {
    return this.outage !== undefined;
  }

  async find(requestId: string, limit = 20): Promise<TraceRecord[]> {
    // Read your writes. During an outage try the waiting writes now, but wait for them 2 s at most:
    // if the database is still away, the query below fails (503) on its own.
    if (this.outage) {
      this.wake?.();
      await Promise.race([this.drain(), new Promise((r) => setTimeout(r, 2000).unref())]);
    } else {
      await this.drain();
    }
    const rows = await this.opts.db.all<{ record: Buffer }>(
      'SELECT record FROM prediction_trace WHERE request_id = ? ORDER BY at_ms DESC LIMIT ?',
      [requestId, limit],
    );
    return rows.map((r) => decodeRecord(r.record));
  }

  /**
   * The newest records of a model with captured inputs: the records are binary (no model column),
   * so the newest are read in pages by at_ms and filtered here, within the file engine's bounds
   * (MAX_SCAN_BYTES read, MAX_FOUND_BYTES found).
   */
  async captured(model: string, limit: number): Promise<TraceRecord[]> {
    await this.drain();
    const found: TraceRecord[] = [];
    let read = 0;
    let foundBytes = 0;
    for (let offset = 0; found.length < limit && read < MAX_SCAN_BYTES && foundBytes < MAX_FOUND_BYTES; offset += PAGE_ROWS) {
      const rows = await this.opts.db.all<{ record: Buffer }>('SELECT record FROM prediction_trace ORDER BY at_ms DESC LIMIT ? OFFSET ?', [PAGE_ROWS, offset]);
      for (const { record } of rows) {
        read += record.length;
        if (found.length >= limit || foundBytes >= MAX_FOUND_BYTES || capturedModel(record, 0) !== model) continue;
        foundBytes += record.length;
        found.push(decodeRecord(record));
      }
      if (rows.length < PAGE_ROWS) break;
    }
    return found;
  }

  /** Start hourly retention by age (maxBytes, a budget for local segment files, does not apply here). */
  start(): void {
    void this.prune();
    const every = this.opts.every;
    this.pruneTimer = every ? every('trace-retention', HOUR_MS, () => this.prune()) : setInterval(() => void this.prune(), HOUR_MS);
    this.pruneTimer.unref();
  }

  /** Delete records older than the retention period; returns how many. */
  async prune(): Promise<number> {
    const { retentionDays } = this.opts.settings;
    if (retentionDays <= 0) return 0;
    const cutoff = this.now() - retentionDays * 24 * HOUR_MS;
    try {
      const removed = await this.opts.db.run('DELETE FROM prediction_trace WHERE at_ms < ?', [cutoff]);
      if (removed > 0) this.opts.logger?.info({ records: removed, retentionDays }, 'prediction trace: pruned old records');
      return removed;
    } catch (err) {
      this.opts.logger?.warn({ err: err instanceof Error ? err.message : String(err) }, 'prediction trace: retention failed');
      return 0;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    if (this.pruneTimer) clearInterval(this.pruneTimer);
    this.giveUpAt = this.now() + (this.opts.closeGraceMs ?? 5_000);
    this.wake?.();
    await this.stop();
  }

  private async writeUntilDone(data: Buffer): Promise<void> {
    const min = this.opts.retryMinMs ?? 250;
    for (let delay = min; ; delay = Math.min(delay * 2, this.opts.retryMaxMs ?? 5_000)) {
      try {
        await this.insert(data);
        if (this.outage) this.resumed();
        return;
      } catch (err) {
        if (!isStoreUnavailable(err) || this.now() >= this.giveUpAt) throw err;
        this.unreachable(err);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, Math.min(delay, Math.max(0, this.giveUpAt - this.now())));
          this.wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
        this.wake = undefined;
      }
    }
  }

  private unreachable(err: unknown): void {
    if (this.outage) {
      this.outage.attempts++;
      return;
    }
    this.outage = { since: this.now(), attempts: 1 };
    const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : err instanceof Error ? err.message : String(err);
    this.opts.logger?.warn(
      { err: cause, pendingBytes: this.pendingBytes, maxPendingBytes: this.opts.settings.maxPendingBytes },
      'prediction trace: PostgreSQL unreachable; records wait in memory (up to maxPendingBytes) and are written when it is back',
    );
  }

  private resumed(): void {
    const o = this.outage;
    this.outage = undefined;
    this.opts.logger?.info(
      { downMs: o ? this.now() - o.since : 0, failedAttempts: o?.attempts ?? 0 },
      'prediction trace: PostgreSQL reachable again; waiting records written',
    );
  }

  private insert(data: Buffer): Promise<number> {
    const ids: string[] = [];
    const ats: number[] = [];
    const recs: Buffer[] = [];
    for (let at = 0, n = recordLength(data, 0); n > 0; at += n, n = recordLength(data, at)) {
      ids.push(readRequestId(data, at));
      ats.push(Math.trunc(data.readDoubleLE(at + AT_MS_OFFSET)));
      recs.push(data.subarray(at, at + n));
    }
    return this.opts.db.run(
      'INSERT INTO prediction_trace (request_id, at_ms, record) SELECT * FROM unnest(?::text[], ?::bigint[], ?::bytea[])',
      [ids, ats, recs],
    );
  }
}
