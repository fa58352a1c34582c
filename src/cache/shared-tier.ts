import type { TensorMap } from '../contracts/tensor.js';
import type { PredictionCacheKey } from './cache-key.js';

/**
 * A cache tier shared by every process (Redis): outputs by canonical key, and invalidations that
 * reach every other process. It never throws and never makes a caller wait on a dead server:
 * `get` answers `undefined` synchronously when it would not ask (circuit open, disconnected).
 */
export interface SharedTier {
  get(key: PredictionCacheKey): Promise<TensorMap | undefined> | undefined;
  /** Store outputs in the background (the response does not wait for it). */
  set(key: PredictionCacheKey, outputs: TensorMap): void;
  /** Make every process's entries of a version (or of the whole model) unreachable. */
  invalidate(model: string, version?: string): void;
  /** Called when another process invalidated (its L1 must drop the same entries). */
  onInvalidate(listener: (model: string, version: string | undefined) => void): void;
  close(): Promise<void>;
}
