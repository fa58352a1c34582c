import type { TraceSpan } from '../contracts/tracing.js';
import { GatewayError } from '../errors/index.js';
import type { GatewayMetrics } from '../metrics/gateway-metrics.js';
import { ortErrorToGatewayError, ortMessage } from '../contracts/run-failure.js';
import type { TensorMap } from '../contracts/tensor.js';
import { batchShapeKey, concatFeeds, rowCount, splitOutputs, type BatchAxes } from './tensor-batch.js';
import { batchStarted, queueSpan, runDone, type BatchSpans } from './batch-spans.js';

export interface BatcherSettings {
  /** Rows per batch at most; a batch is sent as soon as it is full. */
  maxBatchSize: number;
  /** How long the oldest queued request may wait for others (0: until the end of this turn). */
  maxQueueDelayMicros: number;
  /** Batches executing at once (default 1: a runner runs one session run at a time). */
  maxInFlight?: number;
}

/** Runs one (possibly concatenated) request on the model; undefined output names: all outputs. */
export type BatchExecute = (feeds: TensorMap, outputNames: readonly string[] | undefined) => Promise<TensorMap>;

interface Queued {
  feeds: TensorMap;
  rows: number;
  shape: string;
  outputNames: readonly string[] | undefined;
  enqueuedAt: number;
  resolve: (outputs: TensorMap) => void;
  reject: (err: Error) => void;
  /** A traced request's spans: its queue wait, then its model run. */
  spans: BatchSpans | undefined;
}

interface Observer {
  observe(value: number): void;
}
const NO_OBSERVER: Observer = { observe: () => undefined };

/**
 * Triton-style dynamic batching for one model version. Concurrent requests queue; a batch goes
 * out when it holds maxBatchSize rows or when its oldest request has waited maxQueueDelayMicros,
 * and at most maxInFlight batches execute at once (others keep filling, so load makes batches
 * bigger). Inputs are concatenated along dim 0 and outputs split back by row counts. A batch
 * that fails rejects only its own requests, each with an inference_failed error.
 */
export class DynamicBatcher {
  private queue: Queued[] = [];
  private queuedRows = 0;
  private running = 0;
  /** The oldest queued request has waited its full delay: send as soon as a slot is free. */
  private due = false;
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private maxInFlight: number;
  private readonly batchSize: Observer;
  private readonly queueSeconds: Observer;

  constructor(
    /** Model and version, for metric labels and error messages. */
    readonly model: string,
    readonly version: string,
    private settings: BatcherSettings,
    private readonly execute: BatchExecute,
    metrics?: GatewayMetrics,
    /** Per-tensor batch axis (default 0 for all). */
    private readonly axes: BatchAxes = {},
  ) {
    this.maxInFlight = Math.max(1, settings.maxInFlight ?? 1);
    this.batchSize = metrics?.batchSize.labels({ model, version }) ?? NO_OBSERVER;
    this.queueSeconds = metrics?.queueDuration.labels({ model, version }) ?? NO_OBSERVER;
  }

  /** Requests waiting for a batch. */
  get pending(): number {
    return this.queue.length;
  }

  /**
   * New limits (the admin batching API): requests already queued stay queued and go out under
   * them: at once if they now fill a batch, else when the head has waited the new delay.
   */
  reconfigure(settings: BatcherSettings): void {
    this.settings = settings;
    this.maxInFlight = Math.max(1, settings.maxInFlight ?? 1);
    if (this.queue.length === 0) return;
    if (this.queuedRows >= settings.maxBatchSize) this.due = true;
    else this.arm();
    this.dispatch();
  }

  /** Send what is queued as soon as slots allow (a batcher being replaced: nothing new joins it). */
  flush(): void {
    this.reconfigure({ ...this.settings, maxQueueDelayMicros: 0 });
  }

  submit(feeds: TensorMap, outputNames: readonly string[] | undefined, span?: TraceSpan): Promise<TensorMap> {
    const rows = rowCount(feeds, this.axes);
    if (rows > this.settings.maxBatchSize) {
      // Bigger than any batch: it is a batch of its own.
      this.batchSize.observe(1);
      this.queueSeconds.observe(0);
      return this.execute(feeds, outputNames).catch((err: unknown) => {
        throw this.failure(err, 1);
      });
    }
    return new Promise<TensorMap>((resolve, reject) => {
      const shape = batchShapeKey(feeds, this.axes);
      const head = this.queue[0];
      if (head && (head.shape !== shape || this.queuedRows + rows > this.settings.maxBatchSize)) {
        // It cannot join the batch being filled: that batch is as full as it gets.
        this.due = true;
        this.dispatch();
      }
      const spans = span === undefined ? undefined : queueSpan(span);
      this.queue.push({ feeds, rows, shape, outputNames, enqueuedAt: performance.now(), resolve, reject, spans });
      this.queuedRows += rows;
      if (this.queuedRows >= this.settings.maxBatchSize) {
        this.due = true;
        this.dispatch();
      } else if (this.queue.length === 1 || (!this.due && !this.armed())) {
        this.arm();
      }
    });
  }

  private armed(): boolean {
    return this.timer !== undefined || this.immediate !== undefined;
  }

  /** Start the max-delay clock for the request now at the head of the queue. */
  private arm(): void {
    this.disarm();
    const head = this.queue[0];
    if (!head) return;
    const delayMs = this.settings.maxQueueDelayMicros / 1000;
    const left = delayMs - (performance.now() - head.enqueuedAt);
    const fire = () => {
      this.timer = undefined;
      this.immediate = undefined;
      this.due = true;
      this.dispatch();
    };
    // Delay 0 still lets everything that arrived in this event-loop turn join.
    if (delayMs === 0) this.immediate = setImmediate(fire);
    else if (left <= 0) this.due = true;
    else this.timer = setTimeout(fire, left);
  }

  private disarm(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
  }

  /** Send batches while one is due and a slot is free. */
  private dispatch(): void {
    while (this.due && this.queue.length > 0 && this.running < this.maxInFlight) {
      this.disarm();
      this.runBatch(this.take());
      this.due = false;
      if (this.queue.length > 0) {
        if (this.queuedRows >= this.settings.maxBatchSize || this.queue[0]?.shape !== this.queue.at(-1)?.shape) this.due = true;
        else this.arm();
      }
    }
  }

  /** The head of the queue: compatible requests up to maxBatchSize rows. */
  private take(): Queued[] {
    const head = this.queue[0] as Queued;
    let rows = 0;
    let n = 0;
    while (n < this.queue.length) {
      const q = this.queue[n] as Queued;
      // At least the head: a request queued under a larger maxBatchSize still goes out, alone.
      if (q.shape !== head.shape || (n > 0 && rows + q.rows > this.settings.maxBatchSize)) break;
      rows += q.rows;
      n++;
    }
    const batch = this.queue.splice(0, n);
    this.queuedRows -= rows;
    return batch;
  }

  private runBatch(batch: Queued[]): void {
    this.running++;
    const started = performance.now();
    let traced = false;
    for (const q of batch) {
      this.queueSeconds.observe((started - q.enqueuedAt) / 1000);
      if (q.spans !== undefined) traced = batchStarted(q.spans, batch.length);
    }
    this.batchSize.observe(batch.length);
    const single = batch.length === 1 ? batch[0] : undefined;
    let run: Promise<TensorMap>;
    try {
      run = single ? this.execute(single.feeds, single.outputNames) : this.execute(concatFeeds(batch.map((q) => q.feeds), this.axes), undefined);
    } catch (err) {
      run = Promise.reject(err);
    }
    // The slot is released before the answers are rendered, so the next batch is already running
    // (on a worker runner) while this thread splits and answers this one.
    if (traced) run.then(() => runDone(batch), (err: unknown) => runDone(batch, err));
    run.then(
      (outputs) => {
        this.release();
        if (single) return single.resolve(outputs);
        let parts: TensorMap[];
        try {
          parts = splitOutputs(outputs, batch.map((q) => q.rows), batch.map((q) => q.outputNames), this.axes);
        } catch (err) {
          const failure = this.failure(err, batch.length);
          for (const q of batch) q.reject(failure);
          return;
        }
        batch.forEach((q, i) => q.resolve(parts[i] as TensorMap));
      },
      (err: unknown) => {
        this.release();
        const failure = this.failure(err, batch.length);
        if (failure.status === 400 && batch.length > 1) {
          // One request's input was refused by the graph: run each alone so only that one fails.
          for (const q of batch) this.execute(q.feeds, q.outputNames).then(q.resolve, (e: unknown) => q.reject(this.failure(e, 1)));
          return;
        }
        for (const q of batch) q.reject(failure);
      },
    );
  }

  private release(): void {
    this.running--;
    this.dispatch();
  }

  private failure(err: unknown, requests: number): GatewayError {
    const refused = ortErrorToGatewayError(err, `${this.model}@${this.version}`);
    if (refused.status === 400) return refused;
    const why = ortMessage(err).slice(0, 300);
    const what = requests === 1 ? 'a batch of 1 request' : `a batch of ${requests} requests`;
    return new GatewayError('inference_failed', 500, `inference failed for ${what} on ${this.model}@${this.version}: ${why}`, {
      cause: err,
    });
  }
}
