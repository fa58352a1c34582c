import { describe, expect, it } from 'vitest';
import { CachingExecutor } from '../../src/cache/caching-executor.js';
import { LruPredictionCache } from '../../src/cache/lru-prediction-cache.js';
import { DirectExecutor } from '../../src/core/direct-executor.js';
import { GatewayMetrics } from '../../src/metrics/gateway-metrics.js';
import type { TensorMap } from '../../src/contracts/tensor.js';
import { fakeVersion, latch, xFeeds } from '../support/fake-version.js';

function setup(enabled = true) {
  const metrics = new GatewayMetrics(undefined, { processMetrics: false });
  const cache = new LruPredictionCache({ limitsFor: () => ({ maxEntries: 100, maxBytes: 1e6, ttlMs: 0 }), metrics });
  const executor = new CachingExecutor(new DirectExecutor(metrics), cache, () => enabled, metrics);
  return { metrics, cache, executor };
}

const y = (o: TensorMap) => Array.from(o.y?.data as Float32Array);

async function cacheCounts(metrics: GatewayMetrics): Promise<Record<string, number>> {
  const m = await metrics.registry.getSingleMetric('modelgate_cache_requests_total')?.get();
  return Object.fromEntries((m?.values ?? []).map((v) => [String(v.labels.result), v.value]));
}

describe('CachingExecutor', () => {
  it('misses, then hits with the same numbers, without running the model again', async () => {
    const { executor, metrics } = setup();
    const { lv, runner } = fakeVersion();
    const first = await executor.run(lv, xFeeds([[1, 2]]), undefined, {});
    const second = await executor.run(lv, xFeeds([[1, 2]]), undefined, {});
    expect([first.cache, second.cache]).toEqual(['miss', 'hit']);
    expect(y(second.outputs)).toEqual(y(first.outputs));
    expect(runner.runs).toHaveLength(1);
    expect(await cacheCounts(metrics)).toEqual({ hit: 1, miss: 1, bypass: 0 });
  });

  it('runs N concurrent identical misses once (single flight), all answered from one shared entry', async () => {
    const { executor } = setup();
    const { lv, runner } = fakeVersion();
    const gate = latch();
    runner.gate = gate.promise;
    const calls = Array.from({ length: 20 }, () => executor.run(lv, xFeeds([[3, 4]]), undefined, {}));
    await new Promise((r) => setImmediate(r));
    gate.release();
    const results = await Promise.all(calls);
    expect(runner.runs).toHaveLength(1);
    expect(new Set(results.map((r) => r.cache))).toEqual(new Set(['miss']));
    for (const r of results) expect(y(r.outputs)).toEqual([6, 8]);
    expect(new Set(results.map((r) => r.entry)).size).toBe(1);
    expect((await executor.run(lv, xFeeds([[3, 4]]), undefined, {})).cache).toBe('hit');
  });

  it('does not coalesce different inputs, versions or output selections', async () => {
    const { executor } = setup();
    const a = fakeVersion('m', '1.0.0');
    const b = fakeVersion('m', '1.1.0', { offset: 100 });
    const results = await Promise.all([
      executor.run(a.lv, xFeeds([[1, 1]]), undefined, {}),
      executor.run(a.lv, xFeeds([[1, 2]]), undefined, {}),
      executor.run(a.lv, xFeeds([[1, 1]]), ['y'], {}),
      executor.run(b.lv, xFeeds([[1, 1]]), undefined, {}),
    ]);
    expect(a.runner.runs).toHaveLength(3);
    expect(b.runner.runs).toHaveLength(1);
    expect(y(results[3]?.outputs ?? {})).toEqual([102, 102]);
    expect(Object.keys(results[2]?.outputs ?? {})).toEqual(['y']);
  });

  it('shares a failure with the waiting callers but never caches it', async () => {
    const { executor } = setup();
    const { lv, runner } = fakeVersion();
    runner.failWhen = (i) => (i === 0 ? new Error('boom') : undefined);
    const calls = [1, 2, 3].map(() => executor.run(lv, xFeeds([[5, 5]]), undefined, {}));
    const settled = await Promise.allSettled(calls);
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(runner.runs).toHaveLength(1);
    const retry = await executor.run(lv, xFeeds([[5, 5]]), undefined, {});
    expect(retry.cache).toBe('miss');
    expect(y(retry.outputs)).toEqual([10, 10]);
  });

  it('Cache-Control: no-cache skips the read but refreshes the entry', async () => {
    const { executor, metrics } = setup();
    const { lv, runner } = fakeVersion();
    await executor.run(lv, xFeeds([[1, 1]]), undefined, {});
    const fresh = await executor.run(lv, xFeeds([[1, 1]]), undefined, { noCache: true });
    expect(fresh.cache).toBe('bypass');
    expect(runner.runs).toHaveLength(2);
    expect((await executor.run(lv, xFeeds([[1, 1]]), undefined, {})).cache).toBe('hit');
    expect(await cacheCounts(metrics)).toEqual({ hit: 1, miss: 1, bypass: 1 });
  });

  it('is off for a model whose cache is disabled: bypass, every request runs', async () => {
    const { executor, cache } = setup(false);
    const { lv, runner } = fakeVersion();
    for (let i = 0; i < 3; i++) expect((await executor.run(lv, xFeeds([[1, 1]]), undefined, {})).cache).toBe('bypass');
    expect(runner.runs).toHaveLength(3);
    expect(cache.stats().entries).toBe(0);
  });

  it('drops a version on invalidation, and never writes a result computed before it', async () => {
    const { executor, cache } = setup();
    const { lv, runner } = fakeVersion();
    await executor.run(lv, xFeeds([[1, 1]]), undefined, {});
    const gate = latch();
    runner.gate = gate.promise;
    const inFlight = executor.run(lv, xFeeds([[2, 2]]), undefined, {});
    await new Promise((r) => setImmediate(r));
    expect(await executor.invalidate('m', '1.0.0')).toBe(1);
    // A request after the invalidation does not join the flight that started before it.
    const after = executor.run(lv, xFeeds([[2, 2]]), undefined, {});
    gate.release();
    await Promise.all([inFlight, after]);
    expect(runner.runs).toHaveLength(3);
    runner.gate = undefined;
    expect((await executor.run(lv, xFeeds([[1, 1]]), undefined, {})).cache).toBe('miss');
    expect((await executor.run(lv, xFeeds([[2, 2]]), undefined, {})).cache).toBe('hit');
    expect(cache.stats().entries).toBe(2);
  });

  it('answers hits from one immutable entry (never copied) and marks it once it leaves the cache', async () => {
    const { executor } = setup();
    const { lv } = fakeVersion();
    const miss = await executor.run(lv, xFeeds([[1, 1]]), undefined, {});
    const hit = await executor.run(lv, xFeeds([[1, 1]]), undefined, {});
    expect(hit.entry).toBe(miss.entry);
    expect(hit.outputs).toBe(miss.outputs);
    expect(miss.entry?.evicted).toBe(false);
    await executor.invalidate('m', '1.0.0');
    expect(miss.entry?.evicted).toBe(true);
  });
});
