import type { ExecOptions, ExecResult, InferenceExecutor } from '../contracts/executor.js';
import type { TraceSpan } from '../contracts/tracing.js';
import type { GatewayMetrics } from '../metrics/gateway-metrics.js';
import type { HistogramSlot } from '../metrics/slots.js';
import type { LoadedVersion } from '../contracts/loaded-version.js';
import type { TensorMap } from '../contracts/tensor.js';

/** Runs the version's runner and times each run (one request, or one batch under batching). */
export class DirectExecutor implements InferenceExecutor {
  private readonly durations = new WeakMap<LoadedVersion, HistogramSlot>();

  constructor(private readonly metrics?: GatewayMetrics) {}

  run(version: LoadedVersion, feeds: TensorMap, outputNames: readonly string[] | undefined, opts?: ExecOptions): Promise<ExecResult> {
    const started = performance.now();
    // A traced request run alone (batched runs are traced by their batcher).
    const span = opts?.span === undefined ? undefined : runSpan(opts.span);
    const timed = (err?: unknown) => {
      this.duration(version)?.observe((performance.now() - started) / 1000);
      if (span !== undefined) endRun(span, err);
    };
    // One `then` rather than an async function: no wrapper promise or extra microtask turns a request.
    let running: Promise<TensorMap>;
    try {
      running = version.runner.run(feeds, outputNames);
    } catch (err) {
      timed(err ?? 'error');
      return Promise.reject(err as Error);
    }
    return running.then(
      (outputs) => {
        timed();
        return { outputs, cache: 'bypass' };
      },
      (err: unknown) => {
        timed(err ?? 'error');
        throw err;
      },
    );
  }

  private duration(lv: LoadedVersion): HistogramSlot | undefined {
    if (!this.metrics) return undefined;
    let slot = this.durations.get(lv);
    if (!slot) this.durations.set(lv, (slot = this.metrics.inferenceDuration.labels({ model: lv.name, version: lv.version })));
    return slot;
  }
}

function runSpan(request: TraceSpan): TraceSpan {
  const s = request.child('onnxruntime.run');
  s.set('modelgate.batch.size', 1);
  return s;
}

function endRun(s: TraceSpan, err: unknown): void {
  if (err !== undefined) s.fail(err);
  s.end();
}
