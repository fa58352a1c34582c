import type { TraceSettings } from '../config/registry-schema.js';
import type { Logger } from '../logger.js';
import type { SlotCounter } from '../metrics/slots.js';
import type { AuditDb } from './audit-log.js';
import { decodeRecord, MAX_HEADER_BYTES, readRequestId, recordLength, writeRecord, type TraceHeader, type TraceRecord } from './trace-codec.js';
import type { TraceStore } from './trace-store.js';

const CHUNK_BYTES = 256 * 1024;
const HOUR_MS = 3_600_000;
/** atMs sits at this offset of every record (trace-codec.ts writeRecord). */
const AT_MS_OFFSET = 8;

export interface PgTraceLogOptions {
  db: AuditDb;
  settings: TraceSettings;
  /** modelgate_trace_records_total{result}. */
  records: SlotCounter<'result'>;
  logger?: Logger;
  now?: () => number;
}

/**
 * The prediction trace in PostgreSQL, for replicas: a prediction answered by one replica is found
 * through any other. The request path is TraceLog's: `append()` copies the record into an
 * in-memory chunk (the same encoder, about a microsecond, no database). Each flush (every
 * flushIntervalMs or a full chunk) splits the chunk into its records and writes them with one
 * INSERT over unnest() arrays: one round trip per chunk, however many records it holds.
 * Records stay in the binary format and are decoded on lookup.
 */
export class PgTraceLog implements TraceStore {
  private chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  private used = 0;
  private chunkRecords = 0;
  private pendingBytes = 0;
  private readonly writes = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private pruneTimer: NodeJS.Timeout | undefined;
  private dropsToLog = 0;
  private closed = false;
  private readonly now: () => number;
  private readonly written;
  private readonly dropped;
  private readonly failed;

  constructor(private readonly opts: PgTraceLogOptions) {
    this.now = opts.now ?? Date.now;
    this.written = opts.records.labels({ result: 'written' });
    this.dropped = opts.records.labels({ result: 'dropped' });
    this.failed = opts.records.labels({ result: 'failed' });
  }

  append(h: TraceHeader, payload: Uint8Array): void {
    const { settings } = this.opts;
    if (this.closed || this.pendingBytes > settings.maxPendingBytes) {
      this.drop();
      return;
    }
    if (this.used + MAX_HEADER_BYTES + payload.byteLength > this.chunk.length) this.flush();
    if (MAX_HEADER_BYTES + payload.byteLength > this.chunk.length) this.chunk = Buffer.allocUnsafe(MAX_HEADER_BYTES + payload.byteLength);
    this.used = writeRecord(this.chunk, this.used, h, payload);
    this.chunkRecords++;
    this.timer ??= setTimeout(() => this.flush(), settings.flushIntervalMs);
  }

  /** Hand the chunk to PostgreSQL (asynchronously). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.used === 0) return;
    const data = this.chunk.subarray(0, this.used);
    const records = this.chunkRecords;
    this.chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    this.used = 0;
    this.chunkRecords = 0;
    this.pendingBytes += data.length;
    const done = this.insert(data).then(
      () => this.written.inc(records),
      (err: unknown) => {
        this.failed.inc(records);
        this.opts.logger?.error({ records, err: err instanceof Error ? err.message : String(err) }, 'prediction trace: records could not be written');
      },
    );
    const tracked = done.finally(() => {
      this.pendingBytes -= data.length;
      this.writes.delete(tracked);
    });
    this.writes.add(tracked);
  }

  async drain(): Promise<void> {
    this.flush();
    while (this.writes.size > 0) await Promise.all([...this.writes]);
  }

  async find(requestId: string, limit = 20): Promise<TraceRecord[]> {
    await this.drain();
    const rows = await this.opts.db.all<{ record: Buffer }>(
      'SELECT record FROM prediction_trace WHERE request_id = ? ORDER BY at_ms DESC LIMIT ?',
      [requestId, limit],
    );
    return rows.map((r) => decodeRecord(r.record));
  }

  /** Start hourly retention by age (maxBytes, a budget for local segment files, does not apply here). */
  start(): void {
    void this.prune();
    this.pruneTimer = setInterval(() => void this.prune(), HOUR_MS);
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
    await this.drain();
    this.closed = true;
    if (this.pruneTimer) clearInterval(this.pruneTimer);
    if (this.dropsToLog > 0) this.logDrops();
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

  private drop(): void {
    this.dropped.inc();
    if (this.dropsToLog++ === 0) setTimeout(() => this.logDrops(), 1000).unref();
  }

  private logDrops(): void {
    this.opts.logger?.warn({ dropped: this.dropsToLog, pendingBytes: this.pendingBytes }, 'prediction trace: records dropped (PostgreSQL is behind)');
    this.dropsToLog = 0;
  }
}
