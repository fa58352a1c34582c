import { BatchingExecutor, type BatchingPolicy } from './batching/batching-executor.js';
import { CachingExecutor } from './cache/caching-executor.js';
import { LruPredictionCache } from './cache/lru-prediction-cache.js';
import { RedisTier } from './cache/redis-tier.js';
import { TieredPredictionCache } from './cache/tiered-prediction-cache.js';
import { tierMetrics } from './cache/tier-metrics.js';
import type { PredictionCache } from './cache/prediction-cache.js';
import type { BatchingTuner } from './contracts/batching.js';
import type { BatchingSettings, CacheSettings, GatewayConfig } from './config/schema.js';
import { DirectExecutor } from './core/direct-executor.js';
import type { BackgroundTasks } from './logging/background-tasks.js';
import type { GatewayMetrics } from './metrics/gateway-metrics.js';
import type { ModelRepository } from './repository/model-repository.js';

export interface BuildExecutorOptions {
  /** The prediction cache; default the in-memory LRU sized by config. */
  cache?: PredictionCache;
  /** Where the Redis tier's connection errors and failed invalidations are counted and logged. */
  background?: BackgroundTasks;
  /** Handed the batching stage, for run-time changes (the admin batching API). */
  onBatching?: (tuner: BatchingTuner) => void;
}

/**
 * The executor chain of the data plane: cache (outermost, so a hit never queues) -> dynamic
 * batching -> the runner. Reloading or unloading a version drops its cache entries and batcher.
 */
export function buildExecutor(
  config: Pick<GatewayConfig, 'cache' | 'batching' | 'models'>,
  repository: ModelRepository,
  metrics: GatewayMetrics,
  options: BuildExecutorOptions = {},
): CachingExecutor {
  const cacheFor = perModel((m) => merge<CacheSettings>(config.cache, config.models[m]?.cache));
  const batchingFor = perModel((m): BatchingPolicy => merge<BatchingSettings>(config.batching, config.models[m]?.batching));
  const direct = new DirectExecutor(metrics);
  const batching = new BatchingExecutor(direct, batchingFor, metrics);
  options.onBatching?.(batching);
  const cache = options.cache ?? defaultCache(config.cache, cacheFor, metrics, options.background);
  const caching = new CachingExecutor(batching, cache, (m) => cacheFor(m).enabled, metrics);
  repository.onChange((e) => {
    batching.drop(e.name, e.version);
    const invalidated = Promise.resolve(caching.invalidate(e.name, e.version));
    if (options.background) options.background.run('cache-invalidate', () => invalidated);
    else invalidated.catch(() => undefined);
  });
  return caching;
}

/** The in-memory LRU, behind which sits the Redis tier when `cache.redis.url` is set. */
function defaultCache(settings: GatewayConfig['cache'], limitsFor: (m: string) => CacheSettings, metrics: GatewayMetrics, background?: BackgroundTasks): PredictionCache {
  const lru = new LruPredictionCache({ limitsFor, metrics });
  const { url, ...redis } = settings.redis;
  if (!url) return lru;
  return new TieredPredictionCache(lru, new RedisTier({ url, ...redis, metrics: tierMetrics(metrics), background }));
}

/** Global settings overridden by a model's own (only the keys it sets). */
function merge<T extends object>(global: T, own: Partial<T> | undefined): T {
  if (!own) return global;
  const out = { ...global };
  for (const [k, v] of Object.entries(own) as [keyof T, T[keyof T] | undefined][]) if (v !== undefined) out[k] = v;
  return out;
}

/** Resolve once per model: the hot path reads a Map, not the config. */
function perModel<T>(resolve: (model: string) => T): (model: string) => T {
  const memo = new Map<string, T>();
  return (model) => {
    let v = memo.get(model);
    if (v === undefined) memo.set(model, (v = resolve(model)));
    return v;
  };
}
