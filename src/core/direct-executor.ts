import type { ExecResult, InferenceExecutor } from '../contracts/executor.js';
import type { GatewayMetrics } from '../metrics/gateway-metrics.js';
import type { HistogramSlot } from '../metrics/slots.js';
import type { LoadedVersion } from '../repository/loaded-version.js';
import type { TensorMap } from '../runtime/tensor.js';

/** Runs the version's runner and times each run (one request, or one batch under batching). */
export class DirectExecutor implements InferenceExecutor {
  private readonly durations = new WeakMap<LoadedVersion, HistogramSlot>();

  constructor(private readonly metrics?: GatewayMetrics) {}

  async run(version: LoadedVersion, feeds: TensorMap, outputNames: readonly string[] | undefined): Promise<ExecResult> {
    const started = performance.now();
    try {
      return { outputs: await version.runner.run(feeds, outputNames), cache: 'bypass' };
    } finally {
      this.duration(version)?.observe((performance.now() - started) / 1000);
    }
  }

  private duration(lv: LoadedVersion): HistogramSlot | undefined {
    if (!this.metrics) return undefined;
    let slot = this.durations.get(lv);
    if (!slot) this.durations.set(lv, (slot = this.metrics.inferenceDuration.labels({ model: lv.name, version: lv.version })));
    return slot;
  }
}
