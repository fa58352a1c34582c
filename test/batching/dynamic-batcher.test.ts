import { describe, expect, it } from 'vitest';
import { DynamicBatcher, type BatcherSettings } from '../../src/batching/dynamic-batcher.js';
import { GatewayError } from '../../src/errors/index.js';
import { GatewayMetrics } from '../../src/metrics/gateway-metrics.js';
import type { TensorMap } from '../../src/contracts/tensor.js';
import { FakeRunner, latch, xFeeds } from '../support/fake-version.js';

function batcher(settings: Partial<BatcherSettings> = {}, runner = new FakeRunner(), metrics?: GatewayMetrics) {
  const b = new DynamicBatcher(
    'm',
    '1.0.0',
    { maxBatchSize: 8, maxQueueDelayMicros: 0, ...settings },
    (feeds, names) => runner.run(feeds, names),
    metrics,
  );
  return { b, runner };
}

const y = (o: TensorMap) => Array.from(o.y?.data as Float32Array);
const rowsOf = (r: FakeRunner) => r.runs.map((x) => x.feeds.x?.dims[0]);
const tick = () => new Promise((r) => setImmediate(r));

describe('DynamicBatcher', () => {
  it('joins concurrent requests into one batch and splits the outputs back by row counts', async () => {
    const { b, runner } = batcher();
    const calls = [[[1, 1]], [[2, 2], [3, 3]], [[4, 4], [5, 5], [6, 6]]].map((rows) => b.submit(xFeeds(rows), undefined));
    const out = await Promise.all(calls);
    expect(rowsOf(runner)).toEqual([6]);
    expect(out.map(y)).toEqual([[2, 2], [4, 4, 6, 6], [8, 8, 10, 10, 12, 12]]);
    expect(out.map((o) => o.y?.dims)).toEqual([[1, 2], [2, 2], [3, 2]]);
  });

  it('flushes as soon as a batch holds maxBatchSize rows', async () => {
    const { b, runner } = batcher({ maxBatchSize: 4, maxQueueDelayMicros: 10_000_000 });
    const calls = Array.from({ length: 8 }, (_, i) => b.submit(xFeeds([[i, i]]), undefined));
    await Promise.all(calls);
    expect(rowsOf(runner)).toEqual([4, 4]);
  });

  it('flushes a partial batch once its oldest request waited maxQueueDelayMicros', async () => {
    const { b, runner } = batcher({ maxBatchSize: 64, maxQueueDelayMicros: 20_000 });
    const started = performance.now();
    const first = b.submit(xFeeds([[1, 1]]), undefined);
    await tick();
    expect(runner.runs).toHaveLength(0);
    const second = b.submit(xFeeds([[2, 2]]), undefined);
    await Promise.all([first, second]);
    expect(performance.now() - started).toBeGreaterThanOrEqual(15);
    expect(rowsOf(runner)).toEqual([2]);
  });

  it('with delay 0, batches what arrived in the same event-loop turn', async () => {
    const { b, runner } = batcher({ maxQueueDelayMicros: 0 });
    const a = [b.submit(xFeeds([[1, 1]]), undefined), b.submit(xFeeds([[2, 2]]), undefined)];
    await Promise.all(a);
    await b.submit(xFeeds([[3, 3]]), undefined);
    expect(rowsOf(runner)).toEqual([2, 1]);
  });

  it('runs a request bigger than maxBatchSize alone', async () => {
    const { b, runner } = batcher({ maxBatchSize: 2 });
    const big = Array.from({ length: 5 }, (_, i) => [i, i]);
    const [out] = await Promise.all([b.submit(xFeeds(big), undefined), b.submit(xFeeds([[9, 9]]), undefined)]);
    expect(y(out as TensorMap)).toEqual(big.flat().map((v) => v * 2));
    expect(rowsOf(runner).sort()).toEqual([1, 5]);
  });

  it('never mixes requests whose other dims differ', async () => {
    const { b, runner } = batcher();
    const out = await Promise.all([
      b.submit(xFeeds([[1, 1]]), undefined),
      b.submit(xFeeds([[1, 2, 3]]), undefined),
      b.submit(xFeeds([[2, 2]]), undefined),
    ]);
    expect(out.map(y)).toEqual([[2, 2], [2, 4, 6], [4, 4]]);
    for (const run of runner.runs) expect(new Set([run.feeds.x?.dims[1]]).size).toBe(1);
  });

  it('keeps only the outputs each request asked for', async () => {
    const { b } = batcher();
    const [both, onlyZ] = await Promise.all([b.submit(xFeeds([[1, 1]]), undefined), b.submit(xFeeds([[2, 2]]), ['z'])]);
    expect(Object.keys(both as TensorMap).sort()).toEqual(['y', 'z']);
    expect(Object.keys(onlyZ as TensorMap)).toEqual(['z']);
    expect(Array.from(onlyZ?.z?.data as Float32Array)).toEqual([-4, -4]);
  });

  it('queues while a batch executes, so load makes the next batch bigger', async () => {
    const { b, runner } = batcher({ maxBatchSize: 32 });
    const gate = latch();
    runner.gate = gate.promise;
    const first = b.submit(xFeeds([[0, 0]]), undefined);
    await tick();
    const rest = Array.from({ length: 10 }, (_, i) => b.submit(xFeeds([[i, i]]), undefined));
    await tick();
    expect(rowsOf(runner)).toEqual([1]);
    gate.release();
    await Promise.all([first, ...rest]);
    expect(rowsOf(runner)).toEqual([1, 10]);
  });

  it('fails only the requests of a failed batch, each with a clear error; the next batch succeeds', async () => {
    const runner = new FakeRunner();
    runner.failWhen = (i) => (i === 0 ? new Error('Failed to allocate memory for requested buffer of size 4096') : undefined);
    const { b } = batcher({ maxBatchSize: 3, maxQueueDelayMicros: 1_000 }, runner);
    const calls = Array.from({ length: 6 }, (_, i) => b.submit(xFeeds([[i, i]]), undefined));
    const settled = await Promise.allSettled(calls);
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled']);
    for (const s of settled.slice(0, 3)) {
      const err = (s as PromiseRejectedResult).reason as GatewayError;
      expect(err).toBeInstanceOf(GatewayError);
      expect(err.code).toBe('inference_failed');
      expect(err.status).toBe(500);
      expect(err.message).toBe("inference failed for a batch of 3 requests on m@1.0.0: Failed to allocate memory for requested buffer of size 4096");
    }
    expect(settled.slice(3).map((s) => y((s as PromiseFulfilledResult<TensorMap>).value))).toEqual([[6, 6], [8, 8], [10, 10]]);
    expect(y(await b.submit(xFeeds([[7, 7]]), undefined))).toEqual([14, 14]);
  });

  it('fails a batch whose outputs cannot be split back, and keeps serving', async () => {
    const runner = new FakeRunner();
    const { b } = batcher({}, runner);
    const broken = new DynamicBatcher('m', '1.0.0', { maxBatchSize: 8, maxQueueDelayMicros: 0 }, async () => ({
      y: { type: 'float32', dims: [1], data: Float32Array.from([1]) },
    }));
    const settled = await Promise.allSettled([broken.submit(xFeeds([[1, 1]]), undefined), broken.submit(xFeeds([[2, 2]]), undefined)]);
    for (const s of settled) expect(((s as PromiseRejectedResult).reason as Error).message).toMatch(/output 'y' has 1 rows for a batch of 2/);
    expect(y(await b.submit(xFeeds([[1, 1]]), undefined))).toEqual([2, 2]);
  });

  it('records batch sizes and queue time', async () => {
    const metrics = new GatewayMetrics(undefined, { processMetrics: false });
    const { b } = batcher({}, new FakeRunner(), metrics);
    await Promise.all([1, 2, 3].map((i) => b.submit(xFeeds([[i, i]]), undefined)));
    const sizes = await metrics.registry.getSingleMetric('modelgate_batch_size')?.get();
    const sum = sizes?.values.find((v) => (v as { metricName?: string }).metricName === 'modelgate_batch_size_sum');
    const count = sizes?.values.find((v) => (v as { metricName?: string }).metricName === 'modelgate_batch_size_count');
    expect([sum?.value, count?.value]).toEqual([3, 1]);
    expect(sum?.labels).toEqual({ model: 'm', version: '1.0.0' });
    const queue = await metrics.registry.getSingleMetric('modelgate_queue_duration_seconds')?.get();
    expect(queue?.values.find((v) => (v as { metricName?: string }).metricName === 'modelgate_queue_duration_seconds_count')?.value).toBe(3);
  });
});
