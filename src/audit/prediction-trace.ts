import type { ObservedPrediction, PredictionObserver } from '../contracts/prediction.js';
import type { TensorMap } from '../contracts/tensor.js';
import { encodePayload } from './trace-codec.js';
import type { TraceStore } from './trace-store.js';

/**
 * The prediction trace as an observer: each answered prediction becomes one record in the trace
 * log. The record's shared part (input sha256, outputs) is encoded once per cache entry, found
 * again by the identity of the entry's outputs, so tracing a hit copies a few dozen bytes.
 */
export class PredictionTrace implements PredictionObserver {
  private readonly payloads = new WeakMap<TensorMap, Buffer>();

  constructor(
    readonly log: TraceStore,
    private readonly maxOutputBytes: number,
    /** The registry stage of a version now (production, staging...), recorded with the prediction. */
    private readonly stageOf?: (model: string, version: string) => string | undefined,
  ) {}

  observe(p: ObservedPrediction): void {
    let payload = this.payloads.get(p.outputs);
    if (!payload) {
      payload = encodePayload(p.feeds, p.outputs, this.maxOutputBytes);
      // Only cache entries' outputs come back; per-request outputs would only churn the map.
      if (p.cache !== 'bypass') this.payloads.set(p.outputs, payload);
    }
    const version = p.version.version;
    this.log.append(
      {
        requestId: p.requestId,
        atMs: p.atMs,
        latencyMs: p.latencyMs,
        model: p.model,
        version,
        stage: this.stageOf?.(p.model, version) ?? '',
        route: p.route,
        pin: p.pin ? `${p.pin.source}:${p.pin.value}` : '',
        cache: p.cache,
      },
      payload,
    );
  }
}
