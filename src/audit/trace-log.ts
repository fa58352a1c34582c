import type { TraceSettings } from '../config/registry-schema.js';
import { createLogger, type Logger } from '../logger.js';
import type { BackgroundWork } from '../contracts/background.js';
import { BackgroundTasks } from '../logging/background-tasks.js';
import type { SlotCounter } from '../metrics/slots.js';
import { TraceChunks } from './trace-chunks.js';
import { RetryGate } from './retry-gate.js';
import { decodeRecord, type TraceHeader, type TraceRecord } from './trace-codec.js';
import { nodeFiles, type TraceFiles } from './trace-files.js';
import { newestCaptured } from './trace-scan.js';
import { idxPathOf, logPathOf, openFolder } from './trace-folder.js';
import { requestKey, TraceSegment } from './trace-segment.js';
import type { TraceHealth, TraceStore } from './trace-store.js';

const HOUR_MS = 3_600_000;
/** How often a failed write or seal is tried again (a full disk: until space returns). */
const RETRY_MS = 1_000;

export interface TraceLogOptions {
  dir: string;
  settings: TraceSettings;
  /** modelgate_trace_records_total{result}. */
  records: SlotCounter<'result'>;
  logger?: Logger;
  now?: () => number;
  /** Where write, seal and prune failures are counted and logged (the gateway's one instance). */
  background?: BackgroundWork;
  /** modelgate_trace_degraded: 1 while records cannot reach the disk. */
  degraded?: { set(value: number): void };
  /** The file system (tests: one that fills up on cue). */
  files?: TraceFiles;
  /** How long a failed write waits before it is tried again. */
  retryMs?: number;
}

/**
 * The prediction trace: an append-only log of binary records in segment files, indexed by request
 * id. `append()` copies one record into an in-memory chunk (about a microsecond: no hashing of
 * what a cache entry already hashed, no thread hop, no database); a timer hands full chunks to
 * the kernel with positioned writes; a full segment is sealed with a sorted index file.
 * Retention drops whole segments, by age and by total size (every file counted, the active
 * segment's full size reserved). A write or seal that fails (a full disk) is tried again every
 * second with the chunk kept at its offset, so nothing within `maxPendingBytes` is lost; past it
 * records are dropped and counted. The log is degraded meanwhile, never fatal.
 */
export class TraceLog extends TraceChunks implements TraceStore {
  private readonly segments: TraceSegment[] = [];
  private active!: TraceSegment;
  /** Segment offset of the current chunk's first byte. */
  private chunkAt = 0;
  private pruneTimer: NodeJS.Timeout | undefined;
  private readonly now: () => number;
  private readonly files: TraceFiles;
  private readonly background: BackgroundWork;
  /** Segments whose writes are done but whose index is not on disk yet. */
  private readonly unsealed = new Set<TraceSegment>();
  private readonly retry: RetryGate;
  private fault: string | undefined;
  /** Writes that failed and wait for their next try. */
  private failingWrites = 0;
  private closing = false;

  constructor(private readonly opts: TraceLogOptions) {
    super({ settings: opts.settings, records: opts.records, logger: opts.logger, sink: 'the disk' });
    this.now = opts.now ?? Date.now;
    this.files = opts.files ?? nodeFiles;
    this.background = opts.background ?? new BackgroundTasks(opts.logger ?? createLogger('silent'), { inc: () => undefined });
    opts.degraded?.set(0);
    this.retry = new RetryGate(opts.retryMs ?? RETRY_MS, () => {
      for (const seg of [...this.unsealed]) this.seal(seg);
    });
    const found = openFolder(opts.dir, this.files, opts.logger, (err) => this.report('trace-open', err));
    this.segments.push(...found.segments);
    this.startSegment(found.lastSeq + 1);
    // Rebuilt indexes not yet on disk (a crash, or a damaged file): written now, or kept for later.
    for (const seg of found.segments) if (!seg.sealed) this.seal(seg);
  }

  /** Whether records reach the disk now, and why not. */
  health(): TraceHealth {
    return this.fault ? { degraded: true, reason: this.fault, pendingBytes: this.pendingBytes } : { degraded: false, pendingBytes: this.pendingBytes };
  }

  protected appended(h: TraceHeader, at: number, end: number): void {
    this.active.add(requestKey(h.requestId), this.chunkAt + at, h.atMs);
    if (this.chunkAt + end >= this.opts.settings.maxSegmentBytes) this.rotate();
  }

  /** A positioned write at the chunk's segment offset (so completion order does not matter), tried until it lands. */
  protected write(data: Buffer): Promise<void> {
    const position = this.chunkAt;
    this.chunkAt += data.length;
    this.active.bytes = this.chunkAt;
    return this.writeUntilDone(this.active, data, position);
  }

  private async writeUntilDone(seg: TraceSegment, data: Buffer, position: number): Promise<void> {
    let done = 0;
    let failing = false;
    for (;;) {
      try {
        if (seg.fd < 0) {
          this.files.mkdir(this.opts.dir);
          seg.fd = this.files.open(seg.logPath, 'w');
        }
        while (done < data.length) {
          const n = await this.files.write(seg.fd, data, done, data.length - done, position + done);
          if (n <= 0) throw new Error('the disk took no bytes');
          done += n;
        }
        if (failing) this.failingWrites--;
        this.recovered();
        return;
      } catch (err) {
        this.report('trace-write', err);
        if (!failing) this.failingWrites++;
        failing = true;
        if (this.closing) {
          this.failingWrites--;
          throw err;
        }
        await this.retry.next();
      }
    }
  }

  /** Predictions answered under a request id, newest first (a client may reuse an id). */
  async find(requestId: string, limit = 20): Promise<TraceRecord[]> {
    // With the disk full, records still waiting are not on disk to be found: do not wait for them.
    if (this.fault) this.flush();
    else await this.drain();
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

  async captured(model: string, limit: number): Promise<TraceRecord[]> {
    if (this.fault) this.flush();
    else await this.drain();
    return newestCaptured(this.segments, this.files, model, limit);
  }

  /** Start hourly retention (age and size). */
  start(): void {
    this.background.run('trace-prune', () => this.prune());
    this.pruneTimer = this.background.every('trace-prune', HOUR_MS, () => this.prune());
  }

  /**
   * Delete sealed segments older than the retention period or beyond the size budget; returns how
   * many. The budget counts every file: sealed logs and indexes, and the active segment at its
   * full size with its index, so the folder never outgrows `maxBytes` between prunes.
   */
  prune(): number {
    const { retentionDays, maxBytes } = this.opts.settings;
    const cutoff = retentionDays > 0 ? this.now() - retentionDays * 24 * HOUR_MS : Number.NEGATIVE_INFINITY;
    let total = this.reservedBytes();
    let removed = 0;
    while (this.segments.length > 1) {
      const oldest = this.segments[0] as TraceSegment;
      if (!oldest.sealed || (oldest.lastAtMs >= cutoff && (maxBytes <= 0 || total <= maxBytes))) break;
      this.segments.shift();
      total -= oldest.diskBytes;
      this.files.remove(oldest.logPath);
      this.files.remove(oldest.idxPath);
      removed++;
    }
    if (removed > 0) this.opts.logger?.info({ segments: removed, retentionDays, maxBytes }, 'prediction trace: pruned old segments');
    return removed;
  }

  /** Bytes the folder holds: every segment's log and index (what retention by size bounds). */
  get bytes(): number {
    return this.segments.reduce((n, s) => n + s.diskBytes, 0);
  }

  /** Stop accepting, write everything (one last try on a full disk), seal the active segment. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closing = true;
    this.retry.wake();
    await this.stop();
    if (this.pruneTimer) clearInterval(this.pruneTimer);
    this.retry.stop();
    this.closeFd(this.active);
    if (this.active.bytes === 0) {
      this.files.remove(this.active.logPath);
      this.segments.pop();
    } else {
      this.unsealed.add(this.active);
    }
    for (const seg of [...this.unsealed]) this.seal(seg);
  }

  /** The folder's bytes with the active segment counted full: what the next prune must keep under maxBytes. */
  private reservedBytes(): number {
    const { maxSegmentBytes } = this.opts.settings;
    // Record size from what reached the disk (the active segment's count runs ahead of its bytes).
    const sample = this.segments.findLast((s) => s.records > 0 && s.bytes > 0);
    const perRecord = sample ? Math.max(1, sample.bytes / sample.records) : 64;
    const active = maxSegmentBytes + 20 + Math.ceil(maxSegmentBytes / perRecord) * 12;
    return this.segments.reduce((n, s) => (s === this.active ? n : n + s.diskBytes), 0) + Math.max(active, this.active.diskBytes);
  }

  private rotate(): void {
    this.flush();
    const sealing = this.active;
    const pending = this.inFlight();
    this.startSegment(sealing.seq + 1);
    void Promise.all(pending).then(() => {
      this.closeFd(sealing);
      this.unsealed.add(sealing);
      this.seal(sealing);
    });
  }

  /** Write a finished segment's index; a failure keeps it in memory and tries again later. */
  private seal(seg: TraceSegment): void {
    try {
      seg.seal();
      this.unsealed.delete(seg);
      this.background.run('trace-prune', () => this.prune());
      this.recovered();
    } catch (err) {
      this.unsealed.add(seg);
      this.report('trace-seal', err);
      if (!this.closing) void this.retry.next();
    }
  }

  private startSegment(seq: number): void {
    // The file is opened at the first write (not O_APPEND: chunks land at explicit offsets), so a
    // full disk never fails a rotation on the request path.
    this.active = new TraceSegment(seq, logPathOf(this.opts.dir, seq), idxPathOf(this.opts.dir, seq), 0, this.files);
    this.chunkAt = 0;
    this.segments.push(this.active);
  }

  private closeFd(seg: TraceSegment): void {
    if (seg.fd < 0) return;
    try {
      this.files.close(seg.fd);
    } catch (err) {
      this.report('trace-write', err);
    }
    seg.fd = -1;
  }

  private report(task: string, err: unknown): void {
    this.background.failed(task, err);
    if (!this.fault) {
      this.fault = `${task}: ${err instanceof Error ? err.message : String(err)}`;
      this.opts.degraded?.set(1);
    }
  }

  private recovered(): void {
    if (!this.fault || this.unsealed.size > 0 || this.failingWrites > 0) return;
    this.opts.logger?.info({ was: this.fault }, 'prediction trace: writing again');
    this.fault = undefined;
    this.opts.degraded?.set(0);
  }
}
