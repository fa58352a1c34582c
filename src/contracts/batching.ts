/** Dynamic batching of one model, as an operator sets it (config `models.<m>.batching`, or the admin API). */
export interface BatchingSetting {
  enabled: boolean;
  /** Rows per batch at most. */
  maxBatchSize: number;
  /** How long the oldest queued request may wait for others (0: until the end of its event-loop turn). */
  maxQueueDelayMicros: number;
}

/** The batching stage of the executor chain, as the control plane changes it at run time. */
export interface BatchingTuner {
  /** The setting a model's requests are batched with now. */
  current(model: string): BatchingSetting;
  /** Batch a model's requests with this setting from now on; requests already queued are kept. */
  configure(model: string, setting: BatchingSetting): void;
}
