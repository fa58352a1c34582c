import { closeSync, mkdirSync, openSync, readdirSync, rmSync, write } from 'node:fs';
import { join } from 'node:path';
import type { TraceSettings } from '../config/registry-schema.js';
import type { Logger } from '../logger.js';
import type { SlotCounter } from '../metrics/slots.js';
import { TraceChunks } from './trace-chunks.js';
import { decodeRecord, type TraceHeader, type TraceRecord } from './trace-codec.js';
import { requestKey, TraceSegment } from './trace-segment.js';
import type { TraceStore } from './trace-store.js';

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
export class TraceLog extends TraceChunks implements TraceStore {
  private readonly segments: TraceSegment[] = [];
  private active!: TraceSegment;
  private fd = -1;
  /** Segment offset of the current chunk's first byte. */
  private chunkAt = 0;
  private pruneTimer: NodeJS.Timeout | undefined;
  private readonly now: () => number;

  constructor(private readonly opts: TraceLogOptions) {
    super({ settings: opts.settings, records: opts.records, logger: opts.logger, sink: 'the disk' });
    this.now = opts.now ?? Date.now;
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

  protected appended(h: TraceHeader, at: number, end: number): void {
    this.active.add(requestKey(h.requestId), this.chunkAt + at, h.atMs);
    if (this.chunkAt + end >= this.opts.settings.maxSegmentBytes) this.rotate();
  }

  /** A positioned write at the chunk's segment offset (so completion order does not matter). */
  protected write(data: Buffer): Promise<void> {
    const position = this.chunkAt;
    const fd = this.fd;
    this.chunkAt += data.length;
    this.active.bytes = this.chunkAt;
    return new Promise<void>((resolve, reject) => {
      write(fd, data, 0, data.length, position, (err) => (err ? reject(err) : resolve()));
    });
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
    return this.segments.reduce((n, s) => n + s.bytes, 0);
  }

  /** Stop accepting, write everything, seal the active segment. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.stop();
    if (this.pruneTimer) clearInterval(this.pruneTimer);
    this.sealActive();
  }

  private rotate(): void {
    this.flush();
    const sealing = this.active;
    const fd = this.fd;
    const pending = this.inFlight();
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
}
