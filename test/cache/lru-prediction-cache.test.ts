import { describe, expect, it } from 'vitest';
import { predictionCacheKey } from '../../src/cache/cache-key.js';
import { LruPredictionCache, type CacheLimits } from '../../src/cache/lru-prediction-cache.js';
import { GatewayMetrics } from '../../src/metrics/gateway-metrics.js';
import type { TensorMap } from '../../src/contracts/tensor.js';

const limits = (over: Partial<CacheLimits> = {}): CacheLimits => ({ maxEntries: 100, maxBytes: 1_000_000, ttlMs: 0, ...over });
const key = (i: number, version = '1.0.0', model = 'm') =>
  predictionCacheKey(model, version, { x: { type: 'float32', dims: [1, 1], data: Float32Array.from([i]) } }, undefined);
const out = (v: number, n = 1): TensorMap => ({ y: { type: 'float32', dims: [1, n], data: new Float32Array(n).fill(v) } });
const value = (e: { outputs: TensorMap } | undefined) => (e?.outputs.y?.data as Float32Array | undefined)?.[0];
const FEEDS: TensorMap = {};

async function metricValue(metrics: GatewayMetrics, name: string): Promise<number> {
  const m = await metrics.registry.getSingleMetric(name)?.get();
  return (m?.values ?? []).reduce((a, v) => a + v.value, 0);
}

describe('LruPredictionCache', () => {
  it('stores and returns outputs by key, per version', () => {
    const cache = new LruPredictionCache({ limitsFor: () => limits() });
    cache.set(key(1), out(10), FEEDS);
    cache.set(key(1, '2.0.0'), out(20), FEEDS);
    expect(value(cache.get(key(1)))).toBe(10);
    expect(value(cache.get(key(1, '2.0.0')))).toBe(20);
    expect(cache.get(key(2))).toBeUndefined();
    expect(cache.stats()).toMatchObject({ entries: 2, hits: 2, misses: 1 });
  });

  it('is bounded by entries, evicting the least recently used and counting it', async () => {
    const metrics = new GatewayMetrics(undefined, { processMetrics: false });
    const cache = new LruPredictionCache({ limitsFor: () => limits({ maxEntries: 3 }), metrics });
    for (let i = 0; i < 3; i++) cache.set(key(i), out(i), FEEDS);
    cache.get(key(0)); // 0 is now the most recently used: 1 goes first
    cache.set(key(3), out(3), FEEDS);
    expect(cache.get(key(1))).toBeUndefined();
    expect(value(cache.get(key(0)))).toBe(0);
    expect(cache.stats()).toMatchObject({ entries: 3, evictions: 1 });
    expect(await metricValue(metrics, 'modelgate_cache_evictions_total')).toBe(1);
    expect(await metricValue(metrics, 'modelgate_cache_entries')).toBe(3);
  });

  it('is bounded by bytes, and refuses an entry bigger than the whole budget', async () => {
    const metrics = new GatewayMetrics(undefined, { processMetrics: false });
    const cache = new LruPredictionCache({ limitsFor: () => limits({ maxBytes: 3 * 4096 }), metrics });
    for (let i = 0; i < 5; i++) cache.set(key(i), out(i, 900), FEEDS); // ~3.8 KB each
    const { entries, bytes } = cache.stats();
    expect(entries).toBe(3);
    expect(bytes).toBeLessThanOrEqual(3 * 4096);
    expect(bytes).toBeGreaterThan(3 * 3600);
    expect(await metricValue(metrics, 'modelgate_cache_bytes')).toBe(bytes);
    cache.set(key(99), out(99, 4000), FEEDS);
    expect(cache.get(key(99))).toBeUndefined();
  });

  it('expires entries after their TTL (injected clock)', async () => {
    let now = 1_000;
    const metrics = new GatewayMetrics(undefined, { processMetrics: false });
    const cache = new LruPredictionCache({ limitsFor: () => limits({ ttlMs: 5_000 }), metrics, clock: { now: () => now } });
    cache.set(key(1), out(1), FEEDS);
    now += 4_999;
    expect(value(cache.get(key(1)))).toBe(1);
    now += 2;
    expect(cache.get(key(1))).toBeUndefined();
    expect(cache.stats().entries).toBe(0);
    expect(await metricValue(metrics, 'modelgate_cache_entries')).toBe(0);
    expect(await metricValue(metrics, 'modelgate_cache_evictions_total')).toBe(1);
  });

  it('sizes each model by its own limits', () => {
    const cache = new LruPredictionCache({ limitsFor: (m) => limits({ maxEntries: m === 'small' ? 1 : 10 }) });
    for (let i = 0; i < 3; i++) {
      cache.set(key(i, '1.0.0', 'small'), out(i), FEEDS);
      cache.set(key(i, '1.0.0', 'big'), out(i), FEEDS);
    }
    expect(cache.stats().entries).toBe(4);
  });

  it('invalidates one version, or every version of a model', () => {
    const cache = new LruPredictionCache({ limitsFor: () => limits() });
    for (let i = 0; i < 3; i++) {
      cache.set(key(i, '1.0.0'), out(i), FEEDS);
      cache.set(key(i, '1.1.0'), out(i), FEEDS);
      cache.set(key(i, '1.0.0', 'other'), out(i), FEEDS);
    }
    expect(cache.invalidate('m', '1.1.0')).toBe(3);
    expect(cache.get(key(0, '1.1.0'))).toBeUndefined();
    expect(value(cache.get(key(0, '1.0.0')))).toBe(0);
    expect(cache.invalidate('m')).toBe(3);
    expect(cache.stats().entries).toBe(3);
    expect(cache.invalidate('nothing-here')).toBe(0);
  });

  it('shares one immutable entry with every reader and marks it when it leaves (evicted, expired, invalidated)', () => {
    const cache = new LruPredictionCache({ limitsFor: () => limits({ maxEntries: 1 }) });
    const first = cache.set(key(1), out(7), FEEDS);
    expect(cache.get(key(1))).toBe(first);
    expect(first.evicted).toBe(false);
    const second = cache.set(key(2), out(8), FEEDS);
    expect(first.evicted).toBe(true);
    cache.invalidate('m');
    expect(second.evicted).toBe(true);
  });
});
