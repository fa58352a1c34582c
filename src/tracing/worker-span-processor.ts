import type { Worker } from 'node:worker_threads';
import { TraceFlags } from '@opentelemetry/api';
import { globalErrorHandler } from '@opentelemetry/core';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace-node';
import { startWorker } from '../runtime/start-worker.js';
import type { ExportReply, ExportRequest, ExportWorkerData } from './export-protocol.js';
import { toRecord, type SpanRecord } from './span-record.js';

/** Ended spans sent to the export thread in one message: at this many, or after DELAY_MS. */
const BATCH = 64;
const DELAY_MS = 50;

/**
 * Sends each sampled span, once ended, to a thread of its own that batches, encodes and exports
 * them (span-export-worker.ts: the SDK's BatchSpanProcessor and OTLP exporter, configured by the
 * same OTEL_* variables). Why: on the event loop, OTLP encoding and a 5 s batch of live spans
 * (promoted by the GC) cost a sampled uncached request ~65 µs of its ~120 µs; here it pays a copy
 * of plain data (~1 µs a span), and the spans die young.
 */
export class WorkerSpanProcessor implements SpanProcessor {
  private pending: SpanRecord[] = [];
  private timer: NodeJS.Timeout | undefined;
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly calls = new Map<number, (error?: string) => void>();
  private stopped = false;

  constructor(private readonly data: ExportWorkerData) {
    this.thread();
  }

  onStart(): void {}

  onEnd(span: ReadableSpan): void {
    if (this.stopped || (span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return;
    this.pending.push(toRecord(span));
    if (this.pending.length >= BATCH) this.send();
    else this.timer ??= setTimeout(this.sendLater, DELAY_MS).unref();
  }

  /** Resolves once the export thread has exported every span ended before the call. */
  forceFlush(): Promise<void> {
    return this.call('flush');
  }

  /** Exports what is buffered, then stops the thread; spans ended later are dropped. */
  async shutdown(): Promise<void> {
    if (this.stopped) return;
    try {
      await this.call('shutdown');
    } finally {
      this.stopped = true;
      await this.worker?.terminate();
    }
  }

  private readonly sendLater = (): void => {
    this.timer = undefined;
    this.send();
  };

  private send(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) return;
    const spans = this.pending;
    this.pending = [];
    try {
      this.thread().postMessage({ type: 'spans', spans } satisfies ExportRequest);
    } catch (err) {
      // A value structured clone refuses: these spans are lost, the next ones are not.
      globalErrorHandler(err instanceof Error ? err : String(err));
    }
  }

  private call(type: 'flush' | 'shutdown'): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.send();
    const worker = this.thread();
    const id = this.nextId++;
    // Awaited at shutdown, when nothing else may hold the process open: the thread does until it answers.
    worker.ref();
    return new Promise<void>((resolve, reject) => {
      this.calls.set(id, (error) => (error === undefined ? resolve() : reject(new Error(error))));
      worker.postMessage({ type, id } satisfies ExportRequest);
    });
  }

  /** The export thread; started again if it ever exits (its buffered spans are then lost). */
  private thread(): Worker {
    if (this.worker !== undefined) return this.worker;
    const worker = startWorker(import.meta.url, 'span-export-worker', { workerData: this.data });
    // Never what keeps the process alive: shutdown() flushes it explicitly.
    worker.unref();
    worker.on('message', (r: ExportReply) => {
      const settle = this.calls.get(r.id);
      this.calls.delete(r.id);
      if (this.calls.size === 0) worker.unref();
      settle?.(r.error);
    });
    worker.on('error', (err) => globalErrorHandler(err));
    worker.on('exit', () => {
      if (this.worker === worker) this.worker = undefined;
      for (const settle of this.calls.values()) settle('the span export thread exited');
      this.calls.clear();
    });
    return (this.worker = worker);
  }
}
