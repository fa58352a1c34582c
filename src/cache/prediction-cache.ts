import type { TensorMap } from '../runtime/tensor.js';
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
 * shared tier (Redis) can sit beside or behind the in-memory LRU without touching it.
 * Implementations own their copies: what `get` returns may be handed to a caller as is, and what
 * `set` receives may be changed by the caller afterwards.
 */
export interface PredictionCache {
  get(key: PredictionCacheKey): MaybePromise<TensorMap | undefined>;
  set(key: PredictionCacheKey, outputs: TensorMap): MaybePromise<void>;
  /** Drop every entry of one version (or of every version of the model); returns how many. */
  invalidate(model: string, version?: string): MaybePromise<number>;
  stats(): PredictionCacheStats;
}
