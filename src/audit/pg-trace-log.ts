import type { TraceSettings } from '../config/registry-schema.js';
import type { Logger } from '../logger.js';
import type { SlotCounter } from '../metrics/slots.js';
import type { AuditDb } from './audit-log.js';
import { TraceChunks } from './trace-chunks.js';
import { decodeRecord, readRequestId, recordLength, type TraceRecord } from './trace-codec.js';
import type { TraceStore } from './trace-store.js';

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
 * through any other. The request path is the file engine's (TraceChunks): `append()` copies the
 * record into an in-memory chunk (about a microsecond, no database). Each flush (every
 * flushIntervalMs or a full chunk) splits the chunk into its records and writes them with one
 * INSERT over unnest() arrays: one round trip per chunk, however many records it holds.
 * Records stay in the binary format and are decoded on lookup.
 */
export class PgTraceLog extends TraceChunks implements TraceStore {
  private pruneTimer: NodeJS.Timeout | undefined;
  private readonly now: () => number;

  constructor(private readonly opts: PgTraceLogOptions) {
    super({ settings: opts.settings, records: opts.records, logger: opts.logger, sink: 'PostgreSQL' });
    this.now = opts.now ?? Date.now;
  }

  protected appended(): void {}

  /** One INSERT over unnest() arrays for the whole chunk. */
  protected async write(data: Buffer): Promise<void> {
    await this.insert(data);
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
    await this.stop();
    if (this.pruneTimer) clearInterval(this.pruneTimer);
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
