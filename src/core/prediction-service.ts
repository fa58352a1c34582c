import { overloaded } from '../errors/index.js';
import { ChildCache } from '../metrics/child-cache.js';
import type { GatewayMetrics } from '../metrics/gateway-metrics.js';
import type { LoadedVersion } from '../repository/loaded-version.js';
import { ortErrorToGatewayError } from '../runtime/ort-error.js';
import type { TensorMap } from '../runtime/tensor.js';
import type { Pin, RoutingContext, VersionResolver } from '../routing/types.js';
import type { InferenceExecutor } from './executor.js';
import { encodeInstances, type Instance } from './feature-encoder.js';
import { checkOutputSelection, encodeRequestTensors, type RequestTensor } from './input-validation.js';

export type PredictInput =
  | { kind: 'tensors'; tensors: RequestTensor[]; outputs?: string[] }
  | { kind: 'instances'; instances: Instance[] };

export interface PredictRequest {
  model: string;
  pin?: Pin;
  context: RoutingContext;
  requestId: string;
  input: PredictInput;
  noCache?: boolean;
}

export interface PredictResult {
  model: string;
  version: LoadedVersion;
  route: string;
  outputs: TensorMap;
  cache: 'hit' | 'miss' | 'bypass';
}

/** Called after a prediction has been answered (shadow traffic, prediction trace): never on its path. */
export interface PredictionObserver {
  observe(req: PredictRequest, feeds: TensorMap, result: PredictResult, latencyMs: number): void;
}

export interface PredictionServiceOptions {
  resolver: VersionResolver;
  executor: InferenceExecutor;
  metrics: GatewayMetrics;
  maxBatchInstances: number;
  maxInFlight: number;
}

/**
 * The data plane: one prediction from a protocol-neutral request to outputs stamped with the
 * version that ran. Route -> validate against that version -> execute (cache, batch, runner).
 */
export class PredictionService {
  private inFlight = 0;
  private readonly observers: PredictionObserver[] = [];
  /** Bound metric children per (version, outcome) and (version, route kind, reason): bounded keys. */
  private readonly outcomes: ChildCache<{ inc(): void }>;
  private readonly decisions: ChildCache<{ inc(): void }>;

  constructor(private readonly opts: PredictionServiceOptions) {
    const split = (key: string) => key.split('\u0000') as [string, string, string, string?];
    this.outcomes = new ChildCache((key) => {
      const [model, version, status] = split(key);
      return opts.metrics.inferences.labels({ model, version, status });
    });
    this.decisions = new ChildCache((key) => {
      const [model, version, route, reason = ''] = split(key);
      return opts.metrics.routingDecisions.labels({ model, version, route, reason });
    });
  }

  addObserver(o: PredictionObserver): void {
    this.observers.push(o);
  }

  get pending(): number {
    return this.inFlight;
  }

  async predict(req: PredictRequest): Promise<PredictResult> {
    const { metrics } = this.opts;
    if (this.inFlight >= this.opts.maxInFlight) {
      metrics.shed.inc({ reason: 'in_flight' });
      throw overloaded(`the gateway is at its limit of ${this.opts.maxInFlight} concurrent predictions`);
    }
    const decision = this.opts.resolver.resolve(req.model, req.pin, req.context);
    const lv = decision.version;
    this.decisions.get(`${lv.name}\u0000${lv.version}\u0000${decision.kind}\u0000${decision.reason}`).inc();
    const feeds = this.encode(lv, req.input);
    const outputNames = req.input.kind === 'tensors' ? req.input.outputs : undefined;
    const started = performance.now();
    this.inFlight++;
    metrics.inFlight.inc();
    lv.acquire();
    try {
      const exec = await this.opts.executor.run(lv, feeds, outputNames, { noCache: req.noCache });
      this.outcomes.get(`${lv.name}\u0000${lv.version}\u0000success`).inc();
      const result: PredictResult = { model: lv.name, version: lv, route: decision.route, outputs: exec.outputs, cache: exec.cache };
      if (this.observers.length > 0) this.notify(req, feeds, result, performance.now() - started);
      return result;
    } catch (err) {
      this.outcomes.get(`${lv.name}\u0000${lv.version}\u0000error`).inc();
      throw ortErrorToGatewayError(err, lv.key);
    } finally {
      lv.release();
      this.inFlight--;
      metrics.inFlight.dec();
    }
  }

  private encode(lv: LoadedVersion, input: PredictInput): TensorMap {
    if (input.kind === 'instances') return encodeInstances(lv.manifest, input.instances, this.opts.maxBatchInstances);
    checkOutputSelection(lv.manifest, input.outputs);
    return encodeRequestTensors(lv.manifest, input.tensors, this.opts.maxBatchInstances);
  }

  private notify(req: PredictRequest, feeds: TensorMap, result: PredictResult, latencyMs: number): void {
    setImmediate(() => {
      for (const o of this.observers) {
        try {
          o.observe(req, feeds, result, latencyMs);
        } catch {
          // An observer's failure never reaches a caller; observers count their own errors.
        }
      }
    });
  }
}
