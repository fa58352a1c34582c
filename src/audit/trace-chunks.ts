import type { TraceSettings } from '../config/registry-schema.js';
import type { Logger } from '../logger.js';
import type { CounterSlot, SlotCounter } from '../metrics/slots.js';
import { MAX_HEADER_BYTES, writeRecord, type TraceHeader } from './trace-codec.js';

const CHUNK_BYTES = 256 * 1024;

export interface TraceChunksOptions {
  settings: TraceSettings;
  /** modelgate_trace_records_total{result}. */
  records: SlotCounter<'result'>;
  logger?: Logger;
  /** Where the chunks go, for log lines ("the disk", "PostgreSQL"). */
  sink: string;
}

/**
 * The request-path half of the prediction trace, shared by its engines: `append()` copies one
 * record into an in-memory chunk (about a microsecond: no thread hop, no database), and a timer or
 * a full chunk hands the chunk to `write()` (a positioned file write, or one INSERT). Records that
 * cannot be queued (the sink is more than maxPendingBytes behind) are dropped, counted and logged
 * with their count, never waited for.
 */
export abstract class TraceChunks {
  private chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  private used = 0;
  private chunkRecords = 0;
  protected pendingBytes = 0;
  private readonly writes = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private droppedSinceLog = 0;
  protected closed = false;
  private readonly written: CounterSlot;
  private readonly dropped: CounterSlot;
  private readonly failed: CounterSlot;

  constructor(private readonly chunks: TraceChunksOptions) {
    this.written = chunks.records.labels({ result: 'written' });
    this.dropped = chunks.records.labels({ result: 'dropped' });
    this.failed = chunks.records.labels({ result: 'failed' });
  }

  /** Append one prediction. Never blocks, never throws; a record that cannot be kept is counted. */
  append(h: TraceHeader, payload: Uint8Array): void {
    const { settings } = this.chunks;
    if (this.closed || this.pendingBytes > settings.maxPendingBytes) {
      this.drop();
      return;
    }
    if (this.used + MAX_HEADER_BYTES + payload.byteLength > this.chunk.length) this.flush();
    if (MAX_HEADER_BYTES + payload.byteLength > this.chunk.length) this.chunk = Buffer.allocUnsafe(MAX_HEADER_BYTES + payload.byteLength);
    const at = this.used;
    this.used = writeRecord(this.chunk, at, h, payload);
    this.chunkRecords++;
    this.timer ??= setTimeout(() => this.flush(), settings.flushIntervalMs);
    this.appended(h, at, this.used);
  }

  /** Hand the chunk to the sink (asynchronously). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.used === 0) return;
    // A chunk mostly empty (a timer flush under light traffic) is copied out and its buffer kept:
    // a sink that is down holds every pending chunk, and 256 KiB each for a few records would
    // retain far more memory than the pending bytes (and maxPendingBytes) count.
    const small = this.used < this.chunk.length / 2;
    const data = small ? Buffer.from(this.chunk.subarray(0, this.used)) : this.chunk.subarray(0, this.used);
    const records = this.chunkRecords;
    if (!small) this.chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    this.used = 0;
    this.chunkRecords = 0;
    this.pendingBytes += data.length;
    let writing: Promise<void>;
    try {
      writing = this.write(data);
    } catch (err) {
      // Runs from a timer: a synchronous throw must become a counted failure, not a crash.
      writing = Promise.reject(err);
    }
    const done = writing.then(
      () => this.written.inc(records),
      (err: unknown) => {
        this.failed.inc(records);
        this.chunks.logger?.error({ records, err: err instanceof Error ? err.message : String(err) }, 'prediction trace: records could not be written');
      },
    );
    const tracked: Promise<void> = done.finally(() => {
      this.pendingBytes -= data.length;
      this.writes.delete(tracked);
    });
    this.writes.add(tracked);
  }

  /** Flush and wait until everything appended so far is written. */
  async drain(): Promise<void> {
    this.flush();
    while (this.writes.size > 0) await Promise.all([...this.writes]);
  }

  /** The writes not yet completed (a file engine waits for them before sealing a segment). */
  protected inFlight(): Promise<void>[] {
    return [...this.writes];
  }

  /** Stop accepting records and write what is queued; engines close their sink after. */
  protected async stop(): Promise<void> {
    await this.drain();
    this.closed = true;
    if (this.droppedSinceLog > 0) this.logDrops();
  }

  /** A record was written into the chunk at `at` (its end: `end`), e.g. to index it. */
  protected abstract appended(h: TraceHeader, at: number, end: number): void;

  /** Write one chunk of whole records; called in append order, synchronously from flush(). */
  protected abstract write(data: Buffer): Promise<void>;

  private drop(): void {
    this.dropped.inc();
    if (this.droppedSinceLog++ === 0) setTimeout(() => this.logDrops(), 1000).unref();
  }

  private logDrops(): void {
    this.chunks.logger?.warn(
      { dropped: this.droppedSinceLog, pendingBytes: this.pendingBytes },
      `prediction trace: records dropped (${this.chunks.sink} is behind)`,
    );
    this.droppedSinceLog = 0;
  }
}
