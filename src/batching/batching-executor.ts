import type { BatchingSetting, BatchingTuner } from '../contracts/batching.js';
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
export class BatchingExecutor implements InferenceExecutor, BatchingTuner {
  private readonly batchers = new Map<string, { lv: LoadedVersion; batcher: DynamicBatcher | undefined }>();
  /** Settings made at run time (the admin batching API), over the configuration's. */
  private readonly overrides = new Map<string, BatchingPolicy>();

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
    return batcher.submit(feeds, outputNames, opts.span).then((outputs) => ({ outputs, cache: 'bypass' }));
  }

  /** Forget a version's batcher (unloaded or reloaded); requests already queued still complete. */
  drop(model: string, version?: string): void {
    if (version !== undefined) {
      this.batchers.delete(`${model}@${version}`);
      return;
    }
    for (const [key, { lv }] of this.batchers) if (lv.name === model) this.batchers.delete(key);
  }

  current(model: string): BatchingSetting {
    const { enabled, maxBatchSize, maxQueueDelayMicros } = this.policyOf(model);
    return { enabled, maxBatchSize, maxQueueDelayMicros };
  }

  /**
   * A new setting for a model's versions: their batchers take the new limits with their queues as
   * they are; a batcher switched off sends what it holds and the next request runs unbatched;
   * versions not batched so far get a batcher at their next request.
   */
  configure(model: string, setting: BatchingSetting): void {
    const policy: BatchingPolicy = { ...this.policyFor(model), ...setting };
    this.overrides.set(model, policy);
    for (const [key, { lv, batcher }] of this.batchers) {
      if (lv.name !== model) continue;
      if (batcher && policy.enabled) {
        batcher.reconfigure(capped(lv, policy));
        continue;
      }
      batcher?.flush();
      this.batchers.delete(key);
    }
  }

  private policyOf(model: string): BatchingPolicy {
    return this.overrides.get(model) ?? this.policyFor(model);
  }

  private batcherFor(lv: LoadedVersion): DynamicBatcher | undefined {
    const key = lv.key;
    const known = this.batchers.get(key);
    // Identity, not name: a reloaded version gets a new batcher bound to its new session.
    if (known?.lv === lv) return known.batcher;
    const policy = capped(lv, this.policyOf(lv.name));
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

/** A version's own limit (Triton's max_batch_size) caps the configured batch size. */
function capped(lv: LoadedVersion, policy: BatchingPolicy): BatchingPolicy {
  return lv.manifest.maxBatchSize ? { ...policy, maxBatchSize: Math.min(policy.maxBatchSize, lv.manifest.maxBatchSize) } : policy;
}

/** Batching joins along each tensor's batch axis: every input and output must have a dynamic one. */
export function batchable(lv: LoadedVersion): boolean {
  return lv.manifest.inputs.length > 0 && unbatchableReason(lv.manifest) === undefined;
}
