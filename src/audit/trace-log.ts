import { closeSync, mkdirSync, openSync, readdirSync, rmSync, write } from 'node:fs';
import { join } from 'node:path';
import type { TraceSettings } from '../config/registry-schema.js';
import type { Logger } from '../logger.js';
import type { SlotCounter } from '../metrics/slots.js';
import { decodeRecord, MAX_HEADER_BYTES, writeRecord, type TraceHeader, type TraceRecord } from './trace-codec.js';
import { requestKey, TraceSegment } from './trace-segment.js';
import type { TraceStore } from './trace-store.js';

const CHUNK_BYTES = 256 * 1024;
const HOUR_MS = 3_600_000;
const SEGMENT_FILE = /^trace-(\d{8})\.log$/;

export interface TraceLogOptions {
  dir: string;
  settings: TraceSettings;
  /** modelgate_trace_records_total{result}. */
  records: SlotCounter<'result'>;
  logger?: Logger;
  now?: () => number;
}

/**
 * The prediction trace: an append-only log of binary records in segment files, indexed by request
 * id. `append()` copies one record into an in-memory chunk (about a microsecond: no hashing of
 * what a cache entry already hashed, no thread hop, no database); a timer hands full chunks to
 * the kernel with positioned writes; a full segment is sealed with a sorted index file.
 * Retention drops whole segments, by age and by total size. Records that cannot be queued
 * (the disk is far behind) are dropped, counted and logged with their count.
 */
export class TraceLog implements TraceStore {
  private readonly segments: TraceSegment[] = [];
  private active!: TraceSegment;
  private fd = -1;
  private chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  private used = 0;
  private chunkRecords = 0;
  /** Segment offset of the chunk's first byte. */
  private chunkAt = 0;
  private pendingBytes = 0;
  private readonly writes = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private pruneTimer: NodeJS.Timeout | undefined;
  private droppedSinceLog = 0;
  private closed = false;
  private readonly now: () => number;
  private readonly written;
  private readonly dropped;
  private readonly failed;

  constructor(private readonly opts: TraceLogOptions) {
    this.now = opts.now ?? Date.now;
    this.written = opts.records.labels({ result: 'written' });
    this.dropped = opts.records.labels({ result: 'dropped' });
    this.failed = opts.records.labels({ result: 'failed' });
    mkdirSync(opts.dir, { recursive: true });
    let seq = 0;
    for (const f of readdirSync(opts.dir).sort()) {
      const m = SEGMENT_FILE.exec(f);
      if (!m) continue;
      seq = Number(m[1]);
      this.segments.push(TraceSegment.open(seq, join(opts.dir, f), this.idxPath(seq)));
    }
    this.startSegment(seq + 1);
  }

  /** Append one prediction. Never blocks, never throws; a record that cannot be kept is counted. */
  append(h: TraceHeader, payload: Uint8Array): void {
    const { settings } = this.opts;
    if (this.closed || this.pendingBytes > settings.maxPendingBytes) {
      this.drop();
      return;
    }
    if (this.used + MAX_HEADER_BYTES + payload.byteLength > this.chunk.length) this.flush();
    if (MAX_HEADER_BYTES + payload.byteLength > this.chunk.length) this.chunk = Buffer.allocUnsafe(MAX_HEADER_BYTES + payload.byteLength);
    const at = this.used;
    this.used = writeRecord(this.chunk, at, h, payload);
    this.chunkRecords++;
    this.active.add(requestKey(h.requestId), this.chunkAt + at, h.atMs);
    this.timer ??= setTimeout(() => this.flush(), settings.flushIntervalMs);
    if (this.chunkAt + this.used >= settings.maxSegmentBytes) this.rotate();
  }

  /** Hand the chunk to the kernel (asynchronously, at its segment offset). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.used === 0) return;
    const data = this.chunk.subarray(0, this.used);
    const records = this.chunkRecords;
    const position = this.chunkAt;
    const fd = this.fd;
    this.chunkAt += this.used;
    this.active.bytes = this.chunkAt;
    this.chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    this.used = 0;
    this.chunkRecords = 0;
    this.pendingBytes += data.length;
    const done = new Promise<void>((resolve) => {
      write(fd, data, 0, data.length, position, (err) => {
        this.pendingBytes -= data.length;
        if (err) {
          this.failed.inc(records);
          this.opts.logger?.error({ records, err: err.message }, 'prediction trace: records could not be written');
        } else {
          this.written.inc(records);
        }
        resolve();
      });
    });
    this.writes.add(done);
    void done.then(() => this.writes.delete(done));
  }

  /** Flush and wait until everything appended so far is on disk. */
  async drain(): Promise<void> {
    this.flush();
    while (this.writes.size > 0) await Promise.all([...this.writes]);
  }

  /** Predictions answered under a request id, newest first (a client may reuse an id). */
  async find(requestId: string, limit = 20): Promise<TraceRecord[]> {
    await this.drain();
    const key = requestKey(requestId);
    const found: TraceRecord[] = [];
    for (let i = this.segments.length - 1; i >= 0 && found.length < limit; i--) {
      const seg = this.segments[i] as TraceSegment;
      for (const off of seg.offsets(key)) {
        const buf = seg.read(off);
        if (!buf) continue;
        const rec = decodeRecord(buf);
        if (rec.requestId === requestId) found.push(rec);
        if (found.length >= limit) break;
      }
    }
    return found;
  }

  /** Start hourly retention (age and size). */
  start(): void {
    this.prune();
    this.pruneTimer = setInterval(() => this.prune(), HOUR_MS);
    this.pruneTimer.unref();
  }

  /** Delete sealed segments older than the retention period or beyond the size budget; returns how many. */
  prune(): number {
    const { retentionDays, maxBytes } = this.opts.settings;
    const cutoff = retentionDays > 0 ? this.now() - retentionDays * 24 * HOUR_MS : Number.NEGATIVE_INFINITY;
    let total = this.segments.reduce((n, s) => n + s.bytes, 0);
    let removed = 0;
    while (this.segments.length > 1) {
      const oldest = this.segments[0] as TraceSegment;
      if (!oldest.sealed || (oldest.lastAtMs >= cutoff && (maxBytes <= 0 || total <= maxBytes))) break;
      this.segments.shift();
      total -= oldest.bytes;
      rmSync(oldest.logPath, { force: true });
      rmSync(oldest.idxPath, { force: true });
      removed++;
    }
    if (removed > 0) this.opts.logger?.info({ segments: removed, retentionDays, maxBytes }, 'prediction trace: pruned old segments');
    return removed;
  }

  /** Total bytes of every segment (what retention by size bounds). */
  get bytes(): number {
    return this.segments.reduce((n, s) => n + s.bytes, 0) + this.used;
  }

  /** Stop accepting, write everything, seal the active segment. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.drain();
    this.closed = true;
    if (this.pruneTimer) clearInterval(this.pruneTimer);
    this.sealActive();
    if (this.droppedSinceLog > 0) this.logDrops();
  }

  private rotate(): void {
    this.flush();
    const sealing = this.active;
    const fd = this.fd;
    const pending = [...this.writes];
    this.startSegment(sealing.seq + 1);
    void Promise.all(pending).then(() => {
      closeSync(fd);
      sealing.seal();
      this.prune();
    });
  }

  private sealActive(): void {
    closeSync(this.fd);
    if (this.active.bytes === 0) {
      rmSync(this.active.logPath, { force: true });
      this.segments.pop();
    } else {
      this.active.seal();
    }
  }

  private startSegment(seq: number): void {
    const seg = new TraceSegment(seq, join(this.opts.dir, `trace-${String(seq).padStart(8, '0')}.log`), this.idxPath(seq));
    // Not O_APPEND: chunks are written at explicit offsets, so completion order does not matter.
    this.fd = openSync(seg.logPath, 'w');
    this.active = seg;
    this.chunkAt = 0;
    this.segments.push(seg);
  }

  private idxPath(seq: number): string {
    return join(this.opts.dir, `trace-${String(seq).padStart(8, '0')}.idx`);
  }

  private drop(): void {
    this.dropped.inc();
    if (this.droppedSinceLog++ === 0) setTimeout(() => this.logDrops(), 1000).unref();
  }

  private logDrops(): void {
    this.opts.logger?.warn({ dropped: this.droppedSinceLog, pendingBytes: this.pendingBytes }, 'prediction trace: records dropped (the disk is behind)');
    this.droppedSinceLog = 0;
  }
}
