import type { Counter } from 'prom-client';
import type { TraceSettings } from '../config/registry-schema.js';
import type { PredictionObserver, PredictRequest, PredictResult } from '../core/prediction-service.js';
import type { Logger } from '../logger.js';
import type { GatewayMetrics } from '../metrics/gateway-metrics.js';
import type { TensorMap } from '../runtime/tensor.js';
import type { TraceSink } from './trace-sink.js';
import type { TraceRow } from './trace-store.js';

export interface TraceWriterOptions {
  sink: TraceSink;
  metrics: GatewayMetrics;
  settings: TraceSettings;
  /** The registry stage of a version now (production, staging...), recorded with the prediction. */
  stageOf?: (model: string, version: string) => string | undefined;
  logger?: Logger;
  now?: () => number;
}

const HOUR_MS = 3_600_000;

/**
 * The prediction trace as a PredictionObserver. observe() only appends references to a bounded
 * queue: when the queue (plus what the sink has not yet acknowledged) is full the record is
 * dropped and counted, so requests never wait for the trace. A timer or a full batch hands
 * batches to the sink (a writer thread by default); an hourly prune enforces retention.
 */
export class TraceWriter implements PredictionObserver {
  private queue: TraceRow[] = [];
  private inFlight = 0;
  private readonly writes = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private pruneTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly now: () => number;
  private readonly written: Counter.Internal;
  private readonly dropped: Counter.Internal;
  private readonly failed: Counter.Internal;

  constructor(private readonly opts: TraceWriterOptions) {
    this.now = opts.now ?? Date.now;
    this.written = opts.metrics.traceRecords.labels({ result: 'written' });
    this.dropped = opts.metrics.traceRecords.labels({ result: 'dropped' });
    this.failed = opts.metrics.traceRecords.labels({ result: 'failed' });
  }

  /** Records queued or being written. */
  get pending(): number {
    return this.queue.length + this.inFlight;
  }

  observe(req: PredictRequest, feeds: TensorMap, result: PredictResult, latencyMs: number): void {
    const { settings } = this.opts;
    if (this.closed || this.queue.length + this.inFlight >= settings.queueSize) {
      this.dropped.inc();
      return;
    }
    const version = result.version.version;
    this.queue.push({
      requestId: req.requestId,
      atMs: this.now(),
      model: result.model,
      version,
      stage: this.opts.stageOf?.(result.model, version) ?? null,
      route: result.route,
      pin: req.pin ? `${req.pin.source}:${req.pin.value}` : null,
      cache: result.cache,
      latencyMs,
      inputs: feeds,
      outputs: result.outputs,
    });
    if (this.queue.length >= settings.batchSize) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), settings.flushIntervalMs);
  }

  /** Hand everything queued to the sink, in batches. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.opts.settings.batchSize).map(detach);
      this.inFlight += batch.length;
      const write = this.opts.sink.write(batch).then((r) => {
        this.inFlight -= batch.length;
        if (r.written) this.written.inc(r.written);
        if (r.failed) {
          this.failed.inc(r.failed);
          this.opts.logger?.error({ records: r.failed, err: r.error }, 'prediction trace: records could not be written');
        }
      });
      this.writes.add(write);
      void write.finally(() => this.writes.delete(write));
    }
  }

  /** Flush and wait until the sink has written everything (tests, shutdown). */
  async drain(): Promise<void> {
    this.flush();
    while (this.writes.size > 0) await Promise.all([...this.writes]);
  }

  /** Start the retention pruning (now and hourly). */
  start(): void {
    if (this.opts.settings.retentionDays <= 0) return;
    void this.prune();
    this.pruneTimer = setInterval(() => void this.prune(), HOUR_MS);
    this.pruneTimer.unref();
  }

  /** Delete records older than the retention period; resolves with how many. */
  async prune(): Promise<number> {
    const days = this.opts.settings.retentionDays;
    if (days <= 0) return 0;
    const pruned = await this.opts.sink.prune(this.now() - days * 24 * HOUR_MS);
    if (pruned > 0) this.opts.logger?.info({ pruned, retentionDays: days }, 'prediction trace: pruned old records');
    return pruned;
  }

  /** Stop accepting records, write what is queued, close the sink. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.pruneTimer) clearInterval(this.pruneTimer);
    await this.drain();
    await this.opts.sink.close();
  }
}

/**
 * A row that owns exact-size copies of its tensors: a tensor may be a view into a larger buffer
 * (a batch, a cache entry), and the writer thread must not receive, nor keep alive, the whole of it.
 */
function detach(row: TraceRow): TraceRow {
  return { ...row, inputs: copyTensors(row.inputs), outputs: copyTensors(row.outputs) };
}

function copyTensors(map: TensorMap): TensorMap {
  const out: TensorMap = {};
  for (const [name, t] of Object.entries(map)) out[name] = { type: t.type, dims: [...t.dims], data: t.data.slice() };
  return out;
}
