import type { ExecOptions, ExecResult, InferenceExecutor } from '../contracts/executor.js';
import type { GatewayMetrics } from '../metrics/gateway-metrics.js';
import { batchAxes, unbatchableReason } from '../contracts/batch-axes.js';
import type { LoadedVersion } from '../contracts/loaded-version.js';
import type { TensorMap } from '../contracts/tensor.js';
import { DynamicBatcher, type BatcherSettings } from './dynamic-batcher.js';

export interface BatchingPolicy extends BatcherSettings {
  enabled: boolean;
}

/**
 * Dynamic batching as an executor decorator: one batcher per loaded version, made on first use.
 * A version whose inputs or outputs lack a dynamic first dim is never batched (passed through).
 */
export class BatchingExecutor implements InferenceExecutor {
  private readonly batchers = new Map<string, { lv: LoadedVersion; batcher: DynamicBatcher | undefined }>();

  constructor(
    private readonly inner: InferenceExecutor,
    private readonly policyFor: (model: string) => BatchingPolicy,
    private readonly metrics?: GatewayMetrics,
  ) {}

  // Not async: an unbatched run is the inner executor's promise itself (an async function returning
  // a promise would add a wrapper promise and two microtask turns to every request).
  run(lv: LoadedVersion, feeds: TensorMap, outputNames: readonly string[] | undefined, opts: ExecOptions): Promise<ExecResult> {
    const batcher = this.batcherFor(lv);
    if (!batcher) return this.inner.run(lv, feeds, outputNames, opts);
    return batcher.submit(feeds, outputNames).then((outputs) => ({ outputs, cache: 'bypass' }));
  }

  /** Forget a version's batcher (unloaded or reloaded); requests already queued still complete. */
  drop(model: string, version?: string): void {
    if (version !== undefined) {
      this.batchers.delete(`${model}@${version}`);
      return;
    }
    for (const [key, { lv }] of this.batchers) if (lv.name === model) this.batchers.delete(key);
  }

  private batcherFor(lv: LoadedVersion): DynamicBatcher | undefined {
    const key = lv.key;
    const known = this.batchers.get(key);
    // Identity, not name: a reloaded version gets a new batcher bound to its new session.
    if (known?.lv === lv) return known.batcher;
    const own = this.policyFor(lv.name);
    // A version's own limit (Triton's max_batch_size) caps the configured batch size.
    const policy = lv.manifest.maxBatchSize ? { ...own, maxBatchSize: Math.min(own.maxBatchSize, lv.manifest.maxBatchSize) } : own;
    const batcher = policy.enabled && batchable(lv)
      ? new DynamicBatcher(lv.name, lv.version, policy, (feeds, names) => this.execute(lv, feeds, names), this.metrics, batchAxes(lv.manifest))
      : undefined;
    this.batchers.set(key, { lv, batcher });
    return batcher;
  }

  private async execute(lv: LoadedVersion, feeds: TensorMap, outputNames: readonly string[] | undefined): Promise<TensorMap> {
    return (await this.inner.run(lv, feeds, outputNames, {})).outputs;
  }
}

/** Batching joins along each tensor's batch axis: every input and output must have a dynamic one. */
export function batchable(lv: LoadedVersion): boolean {
  return lv.manifest.inputs.length > 0 && unbatchableReason(lv.manifest) === undefined;
}
