import type { ObservedPrediction, PredictionObserver } from '../contracts/prediction.js';
import type { TensorMap } from '../contracts/tensor.js';
import { tensorsBytes } from '../contracts/tensor-bytes.js';
import { encodePayload } from './trace-codec.js';
import type { TraceStore } from './trace-store.js';

/** trace.captureInputs: keep inputs up to maxBytes in the record; count what was kept and what was too large. */
export interface InputCapture {
  maxBytes: number;
  counted: { captured(): void; tooLarge(): void };
}

/** An InputCapture counted in modelgate_trace_inputs_total{result} (slots resolved once). */
export function inputCapture(maxBytes: number, counter: { labels(l: { result: string }): { inc(by?: number): void } }): InputCapture {
  const captured = counter.labels({ result: 'captured' });
  const tooLarge = counter.labels({ result: 'too_large' });
  return { maxBytes, counted: { captured: () => captured.inc(), tooLarge: () => tooLarge.inc() } };
}

/**
 * The prediction trace as an observer: each answered prediction becomes one record in the trace
 * log. The record's shared part (input digest, outputs) is encoded once per cache entry, found
 * again by the identity of the entry's outputs, so tracing a hit copies a few dozen bytes.
 */
export class PredictionTrace implements PredictionObserver {
  private readonly payloads = new WeakMap<TensorMap, Buffer>();

  constructor(
    readonly log: TraceStore,
    private readonly maxOutputBytes: number,
    /** The registry stage of a version now (production, staging...), recorded with the prediction. */
    private readonly stageOf?: (model: string, version: string) => string | undefined,
    /** Opt-in input capture (undefined: inputs are never stored, only their digest). */
    private readonly capture?: InputCapture,
  ) {}

  /** Whether records carry the request's inputs (trace.captureInputs). */
  get capturing(): boolean {
    return this.capture !== undefined;
  }

  observe(p: ObservedPrediction): void {
    let payload = this.payloads.get(p.outputs);
    if (!payload) {
      payload = encodePayload(p.feeds, p.outputs, this.maxOutputBytes, this.capture !== undefined && this.captures(p.feeds));
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
        traceId: p.span?.traceId,
      },
      payload,
    );
  }

  /** Whether this request's inputs fit the capture's cap (counted either way). */
  private captures(feeds: TensorMap): boolean {
    const c = this.capture as InputCapture;
    if (tensorsBytes(feeds) <= c.maxBytes) {
      c.counted.captured();
      return true;
    }
    c.counted.tooLarge();
    return false;
  }
}
