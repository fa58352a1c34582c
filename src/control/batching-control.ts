import type { AuditSink } from '../contracts/audit.js';
import type { BatchingSetting, BatchingTuner } from '../contracts/batching.js';
import { modelNotFound } from '../errors/index.js';
import { unbatchableReason } from '../contracts/batch-axes.js';
import type { ModelRepository } from '../repository/model-repository.js';

/** A model's batching as the admin API shows it. */
export interface BatchingView extends BatchingSetting {
  model: string;
  /** config: the gateway's configuration; runtime: set through the admin API since the start. */
  source: 'config' | 'runtime';
  /** Each loaded version; one that cannot be batched runs every request alone, whatever the setting. */
  versions: { version: string; batchable: boolean; reason?: string }[];
}

type Listener = (model: string, setting: BatchingSetting) => void;

/**
 * Dynamic batching changed at run time (model analyzer's sweep through the admin API): audited
 * with the caller's principal BEFORE it takes effect, so a change that cannot be recorded (the
 * store unreachable: 503) changes nothing. Not persisted: a restart goes back to the configuration.
 */
export class BatchingControl {
  private readonly changed = new Set<string>();
  private readonly listeners: Listener[] = [];

  constructor(
    private readonly tuner: BatchingTuner,
    private readonly repository: ModelRepository,
    private readonly audit: AuditSink,
  ) {}

  view(model: string): BatchingView {
    const lvs = this.repository.versions(model);
    if (lvs.length === 0) throw modelNotFound(model);
    return {
      model,
      ...this.tuner.current(model),
      source: this.changed.has(model) ? 'runtime' : 'config',
      versions: lvs.map((lv) => {
        const reason = lv.manifest.inputs.length === 0 ? 'the model declares no inputs' : unbatchableReason(lv.manifest);
        return { version: lv.version, batchable: reason === undefined, ...(reason ? { reason } : {}) };
      }),
    };
  }

  /** Change a model's batching (fields not given keep their current value); returns the new view. */
  async set(model: string, change: Partial<BatchingSetting>, actor: string): Promise<BatchingView> {
    const before = this.view(model);
    const after: BatchingSetting = {
      enabled: change.enabled ?? before.enabled,
      maxBatchSize: change.maxBatchSize ?? before.maxBatchSize,
      maxQueueDelayMicros: change.maxQueueDelayMicros ?? before.maxQueueDelayMicros,
    };
    const { enabled, maxBatchSize, maxQueueDelayMicros } = before;
    await this.audit.append({ actor, action: 'model.batching', target: model, before: { enabled, maxBatchSize, maxQueueDelayMicros }, after });
    this.apply(model, after);
    for (const l of this.listeners) l(model, after);
    return this.view(model);
  }

  /** A setting another worker of `serve --workers` made (it audited it): applied here, not announced again. */
  apply(model: string, setting: BatchingSetting): void {
    this.tuner.configure(model, setting);
    this.changed.add(model);
  }

  /** Told of every change made here through set() (the cluster worker forwards it to the others). */
  onChange(listener: Listener): void {
    this.listeners.push(listener);
  }
}
