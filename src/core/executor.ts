import type { GatewayMetrics } from '../metrics/gateway-metrics.js';
import type { LoadedVersion } from '../repository/loaded-version.js';
import type { TensorMap } from '../runtime/tensor.js';

/**
 * Runs an encoded request on a loaded version. The plain executor calls the runner; cache and
 * batching wrap it (decorators), so the prediction service never changes when they do.
 */
export interface InferenceExecutor {
  run(version: LoadedVersion, feeds: TensorMap, outputNames: readonly string[] | undefined, opts: ExecOptions): Promise<ExecResult>;
}

export interface ExecOptions {
  /** Skip the cache read (Cache-Control: no-cache). */
  noCache?: boolean;
}

export interface ExecResult {
  outputs: TensorMap;
  cache: 'hit' | 'miss' | 'bypass';
}

/** Runs the version's runner and times each run (one request, or one batch under batching). */
export class DirectExecutor implements InferenceExecutor {
  constructor(private readonly metrics?: GatewayMetrics) {}

  async run(version: LoadedVersion, feeds: TensorMap, outputNames: readonly string[] | undefined): Promise<ExecResult> {
    const started = performance.now();
    try {
      return { outputs: await version.runner.run(feeds, outputNames), cache: 'bypass' };
    } finally {
      this.metrics?.inferenceDuration.observe({ model: version.name, version: version.version }, (performance.now() - started) / 1000);
    }
  }
}
