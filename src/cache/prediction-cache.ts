import type { CachedPrediction } from '../contracts/executor.js';
import type { TensorMap } from '../contracts/tensor.js';
import type { TraceSpan } from '../contracts/tracing.js';
import type { PredictionCacheKey } from './cache-key.js';

/** A value now or later: the in-memory tier answers synchronously, a shared (Redis) tier does not. */
export type MaybePromise<T> = T | Promise<T>;

export interface PredictionCacheStats {
  entries: number;
  bytes: number;
  hits: number;
  misses: number;
  evictions: number;
}

/**
 * Where predictions are kept between requests. The data plane only sees this interface, so a
 * shared tier (Redis) can sit beside or behind the in-memory LRU without touching it. Entries are
 * immutable and shared: `set` takes ownership of the tensors it is given.
 */
export interface PredictionCache {
  /**
   * `feeds` (the canonical inputs of `key`) lets a shared tier make a local entry of what it finds;
   * `span` (a traced request's) gets a lookup span per tier asked.
   */
  get(key: PredictionCacheKey, feeds?: TensorMap, span?: TraceSpan): MaybePromise<CachedPrediction | undefined>;
  /** Store a prediction; returns its entry. */
  set(key: PredictionCacheKey, outputs: TensorMap, feeds: TensorMap): MaybePromise<CachedPrediction>;
  /** Drop every entry of one version (or of every version of the model); returns how many. */
  invalidate(model: string, version?: string): MaybePromise<number>;
  stats(): PredictionCacheStats;
  /** Release connections (a shared tier). */
  close?(): Promise<void>;
}
