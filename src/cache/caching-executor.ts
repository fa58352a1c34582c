import type { CachedPrediction, ExecOptions, ExecResult, InferenceExecutor } from '../contracts/executor.js';
import type { CacheResult } from '../contracts/prediction.js';
import type { GatewayMetrics } from '../metrics/gateway-metrics.js';
import type { CounterSlot } from '../metrics/slots.js';
import type { LoadedVersion } from '../contracts/loaded-version.js';
import type { TensorMap } from '../contracts/tensor.js';
import { predictionCacheKey, type PredictionCacheKey } from './cache-key.js';
import type { PredictionCache } from './prediction-cache.js';
import { SingleFlight } from './single-flight.js';

type ResultCounters = Record<CacheResult, { inc(): void }>;

const NO_COUNT = { inc: () => undefined };
const NO_COUNTERS: ResultCounters = { hit: NO_COUNT, miss: NO_COUNT, bypass: NO_COUNT };

/**
 * The prediction cache as an executor decorator. Keyed by the version routing chose, so a hit
 * can only ever return that version's prediction. Off for a model: 'bypass'. `noCache` skips
 * the read but still writes. Concurrent identical misses run the model once (single flight)
 * and share one immutable entry.
 */
export class CachingExecutor implements InferenceExecutor {
  private readonly flights = new SingleFlight<Computed>();
  /** Bumped on every invalidation (model -> whole-model count and per-version counts): results computed before it are not written. */
  private readonly generations = new Map<string, { all: number; versions: Map<string, number> }>();
  private readonly counters = new Map<string, ResultCounters>();

  constructor(
    private readonly inner: InferenceExecutor,
    private readonly cache: PredictionCache,
    readonly enabledFor: (model: string) => boolean,
    private readonly metrics?: GatewayMetrics,
  ) {}

  run(lv: LoadedVersion, feeds: TensorMap, outputNames: readonly string[] | undefined, opts: ExecOptions): Promise<ExecResult> {
    const count = this.countersFor(lv.name);
    if (!this.enabledFor(lv.name)) {
      count.bypass.inc();
      // The inner executors answer 'bypass' with no entry: their promise is the answer (no wrapper).
      return this.inner.run(lv, feeds, outputNames, opts);
    }
    return this.cached(lv, feeds, outputNames, opts, count);
  }

  private async cached(
    lv: LoadedVersion,
    feeds: TensorMap,
    outputNames: readonly string[] | undefined,
    opts: ExecOptions,
    count: ResultCounters,
  ): Promise<ExecResult> {
    const key = predictionCacheKey(lv.name, lv.version, feeds, outputNames);
    const generation = this.generation(lv.name, lv.version);
    if (opts.noCache) {
      count.bypass.inc();
      return this.answer(await this.compute(lv, feeds, outputNames, opts, key, generation), 'bypass');
    }
    const cached = this.read(key, feeds, opts);
    const hit = cached instanceof Promise ? await cached : cached;
    if (hit) {
      count.hit.inc();
      return { outputs: hit.outputs, cache: 'hit', entry: hit };
    }
    count.miss.inc();
    const flight = this.flights.run(`${generation}\u0000${key.id}`, () => this.compute(lv, feeds, outputNames, opts, key, generation));
    return this.answer(await flight.promise, 'miss');
  }

  /** A hit found by the data plane itself (its memo of request bodies): counted like any hit. */
  countHit(model: string): void {
    this.countersFor(model).hit.inc();
  }

  /** Forget one version's predictions (it was reloaded or unloaded); in-flight misses are not written. */
  async invalidate(model: string, version?: string): Promise<number> {
    let g = this.generations.get(model);
    if (!g) this.generations.set(model, (g = { all: 0, versions: new Map() }));
    if (version === undefined) g.all++;
    else g.versions.set(version, (g.versions.get(version) ?? 0) + 1);
    return this.cache.invalidate(model, version);
  }

  /** Release the cache's connections (a shared tier); the gateway calls it on close. */
  async close(): Promise<void> {
    await this.cache.close?.();
  }

  private answer(r: Computed, cache: CacheResult): ExecResult {
    return r.entry ? { outputs: r.outputs, cache, entry: r.entry } : { outputs: r.outputs, cache };
  }

  /** Run the model and store the result: the entry, or the bare outputs when it could not be stored. */
  private async compute(
    lv: LoadedVersion,
    feeds: TensorMap,
    outputNames: readonly string[] | undefined,
    opts: ExecOptions,
    key: PredictionCacheKey,
    generation: number,
  ): Promise<Computed> {
    const { outputs } = await this.inner.run(lv, feeds, outputNames, opts);
    if (this.generation(key.model, key.version) !== generation) return { outputs };
    try {
      const stored = this.cache.set(key, outputs, feeds);
      return { outputs, entry: stored instanceof Promise ? await stored : stored };
    } catch {
      // A cache that cannot store (a shared tier being down) never fails a prediction.
      return { outputs };
    }
  }

  /** The cached entry, synchronously when the tier answers synchronously; a failing tier is a miss. */
  private read(key: PredictionCacheKey, feeds: TensorMap, opts: ExecOptions): CachedPrediction | undefined | Promise<CachedPrediction | undefined> {
    try {
      const got = this.cache.get(key, feeds, opts.span);
      return got instanceof Promise ? got.catch(() => undefined) : got;
    } catch {
      return undefined;
    }
  }

  /** A version's generation: its own invalidations plus those of its whole model. */
  private generation(model: string, version: string): number {
    const g = this.generations.get(model);
    return g ? g.all + (g.versions.get(version) ?? 0) : 0;
  }

  private countersFor(model: string): ResultCounters {
    const m = this.metrics;
    if (!m) return NO_COUNTERS;
    let c = this.counters.get(model);
    if (!c) {
      const of = (result: CacheResult): CounterSlot => m.cacheRequests.labels({ model, result });
      c = { hit: of('hit'), miss: of('miss'), bypass: of('bypass') };
      this.counters.set(model, c);
    }
    return c;
  }
}

/** A model run's result: its cache entry when it could be stored. */
interface Computed {
  outputs: TensorMap;
  entry?: CachedPrediction;
}
