import type { LoadedVersion } from '../contracts/loaded-version.js';
import type { TensorMap } from './tensor.js';
import type { CacheResult } from './prediction.js';
import type { TraceSpan } from './tracing.js';

/**
 * A cached prediction. Immutable once made (its tensors are shared by every hit, never cloned);
 * responses rendered from it are kept per protocol, so a hit is a lookup and a string concat.
 */
export interface CachedPrediction {
  readonly outputs: TensorMap;
  /** The canonical inputs that produced it (for observers: the trace's hash, shadow runs). */
  readonly feeds: TensorMap;
  /**
   * Response heads by protocol name (plus the request's rendering choice, when it made one),
   * made on first use. Each protocol reads back only what it wrote under its own key.
   */
  readonly rendered: Record<string, unknown>;
  /** performance.now() milliseconds after which the entry is stale (Infinity: no TTL). */
  readonly expiresAt: number;
  /** Set by the cache when the entry is evicted, expired or invalidated. */
  evicted: boolean;
}

export interface ExecOptions {
  /** Skip the cache read (Cache-Control: no-cache); the result is still stored. */
  noCache?: boolean;
  /** The request's span when traced: cache tiers, the batch queue and the model run add theirs under it. */
  span?: TraceSpan;
}

export interface ExecResult {
  outputs: TensorMap;
  cache: CacheResult;
  /** The cache entry holding these outputs, when the cache is on for the model. */
  entry?: CachedPrediction;
}

/**
 * Runs an encoded request on a loaded version. The plain executor calls the runner; cache and
 * batching wrap it (decorators), so the prediction service never changes when they do.
 */
export interface InferenceExecutor {
  run(version: LoadedVersion, feeds: TensorMap, outputNames: readonly string[] | undefined, opts: ExecOptions): Promise<ExecResult>;
}

/** A live entry: not evicted, not past its TTL. */
export const isLive = (e: CachedPrediction, nowMs: number): boolean => !e.evicted && nowMs <= e.expiresAt;
