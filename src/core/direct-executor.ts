import type { ExecResult, InferenceExecutor } from '../contracts/executor.js';
import type { GatewayMetrics } from '../metrics/gateway-metrics.js';
import type { HistogramSlot } from '../metrics/slots.js';
import type { LoadedVersion } from '../contracts/loaded-version.js';
import type { TensorMap } from '../contracts/tensor.js';

/** Runs the version's runner and times each run (one request, or one batch under batching). */
export class DirectExecutor implements InferenceExecutor {
  private readonly durations = new WeakMap<LoadedVersion, HistogramSlot>();

  constructor(private readonly metrics?: GatewayMetrics) {}

  run(version: LoadedVersion, feeds: TensorMap, outputNames: readonly string[] | undefined): Promise<ExecResult> {
    const started = performance.now();
    const timed = () => this.duration(version)?.observe((performance.now() - started) / 1000);
    // One `then` rather than an async function: no wrapper promise or extra microtask turns a request.
    let running: Promise<TensorMap>;
    try {
      running = version.runner.run(feeds, outputNames);
    } catch (err) {
      timed();
      return Promise.reject(err as Error);
    }
    return running.then(
      (outputs) => {
        timed();
        return { outputs, cache: 'bypass' };
      },
      (err: unknown) => {
        timed();
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
