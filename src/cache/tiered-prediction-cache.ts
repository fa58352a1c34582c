import type { CachedPrediction } from '../contracts/executor.js';
import type { TensorMap } from '../contracts/tensor.js';
import type { TraceSpan } from '../contracts/tracing.js';
import { lookupDone, lookupSpan } from './lookup-span.js';
import type { PredictionCacheKey } from './cache-key.js';
import type { LruPredictionCache } from './lru-prediction-cache.js';
import type { MaybePromise, PredictionCache, PredictionCacheStats } from './prediction-cache.js';
import type { SharedTier } from './shared-tier.js';

/**
 * L1 (this process's LRU) in front of L2 (a tier shared by every process), under the same key.
 * An L1 hit never leaves the process and stays synchronous; an L1 miss asks L2, and an L2 hit
 * becomes an L1 entry. Writes go to L1 at once and to L2 in the background. An invalidation
 * here drops L1 and reaches the other processes through L2; theirs drop this L1's entries.
 */
export class TieredPredictionCache implements PredictionCache {
  constructor(
    private readonly l1: LruPredictionCache,
    private readonly l2: SharedTier,
  ) {
    l2.onInvalidate((model, version) => l1.invalidate(model, version));
  }

  get(key: PredictionCacheKey, feeds?: TensorMap, span?: TraceSpan): MaybePromise<CachedPrediction | undefined> {
    const hit = this.l1.get(key, undefined, span);
    if (hit || !feeds) return hit;
    const remote = span === undefined ? this.l2.get(key) : this.tracedL2(key, span);
    if (!remote) return undefined;
    return remote.then((outputs) => (outputs ? this.l1.set(key, outputs, feeds) : undefined));
  }

  /** The shared tier's lookup as a span; its Redis command (ioredis instrumentation) is a child of it. */
  private tracedL2(key: PredictionCacheKey, span: TraceSpan): Promise<TensorMap | undefined> | undefined {
    const s = lookupSpan(span, 'redis');
    const remote = s.within(() => this.l2.get(key));
    if (!remote) {
      s.set('modelgate.cache.skipped', true);
      lookupDone(s, false);
      return undefined;
    }
    return remote.then(
      (outputs) => {
        lookupDone(s, outputs !== undefined);
        return outputs;
      },
      (err: unknown) => {
        s.fail(err);
        s.end();
        throw err;
      },
    );
  }

  set(key: PredictionCacheKey, outputs: TensorMap, feeds: TensorMap): CachedPrediction {
    const entry = this.l1.set(key, outputs, feeds);
    this.l2.set(key, outputs);
    return entry;
  }

  invalidate(model: string, version?: string): number {
    this.l2.invalidate(model, version);
    return this.l1.invalidate(model, version);
  }

  stats(): PredictionCacheStats {
    return this.l1.stats();
  }

  close(): Promise<void> {
    return this.l2.close();
  }
}
