import type { ObservedPrediction, PredictionObserver } from '../contracts/prediction.js';
import { DigestThread } from '../runtime/digest-thread.js';
import type { TensorMap } from '../runtime/tensor.js';
import { encodePayload, type TraceHeader } from './trace-codec.js';
import type { TraceStore } from './trace-store.js';

/**
 * The prediction trace as an observer: each answered prediction becomes one record in the trace
 * log. The record's shared part (input sha256, outputs) is encoded once per cache entry, found
 * again by the identity of the entry's outputs, so tracing a hit copies a few dozen bytes. A large
 * input whose digest nobody took yet (an uncached image) is hashed on a worker thread and its
 * record appended when the digest arrives: the event loop does not spend ~450 µs per image on it.
 */
export class PredictionTrace implements PredictionObserver {
  private readonly payloads = new WeakMap<TensorMap, Buffer>();
  private readonly digests = new DigestThread();

  constructor(
    readonly log: TraceStore,
    private readonly maxOutputBytes: number,
    /** The registry stage of a version now (production, staging...), recorded with the prediction. */
    private readonly stageOf?: (model: string, version: string) => string | undefined,
  ) {}

  observe(p: ObservedPrediction): void {
    const version = p.version.version;
    const header: TraceHeader = {
      requestId: p.requestId,
      atMs: p.atMs,
      latencyMs: p.latencyMs,
      model: p.model,
      version,
      stage: this.stageOf?.(p.model, version) ?? '',
      route: p.route,
      pin: p.pin ? `${p.pin.source}:${p.pin.value}` : '',
      cache: p.cache,
    };
    const known = this.payloads.get(p.outputs);
    if (known) {
      this.log.append(header, known);
      return;
    }
    const digest = this.digests.sha256(p.feeds);
    if (typeof digest !== 'string') {
      this.log.appendLater(header, digest.then((sha) => this.payload(p, sha)));
      return;
    }
    this.log.append(header, this.payload(p, digest));
  }

  /** Stop taking records, write what was taken, stop the digest thread. */
  async close(): Promise<void> {
    await this.log.close();
    await this.digests.close();
  }

  private payload(p: ObservedPrediction, inputSha: string): Buffer {
    const payload = encodePayload(inputSha, p.outputs, this.maxOutputBytes);
    // Only cache entries' outputs come back; per-request outputs would only churn the map.
    if (p.cache !== 'bypass') this.payloads.set(p.outputs, payload);
    return payload;
  }
}
