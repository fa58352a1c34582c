import { describe, expect, it } from 'vitest';
import { BatchingExecutor, type BatchingPolicy } from '../../src/batching/batching-executor.js';
import { DirectExecutor } from '../../src/core/direct-executor.js';
import { fakeVersion, xFeeds } from '../support/fake-version.js';

const on: BatchingPolicy = { enabled: true, maxBatchSize: 16, maxQueueDelayMicros: 1_000 };
const rowsOf = (runs: { feeds: { x?: { dims: number[] } } }[]) => runs.map((r) => r.feeds.x?.dims[0]);

describe('BatchingExecutor', () => {
  it('batches the concurrent requests of one version, never across versions', async () => {
    const executor = new BatchingExecutor(new DirectExecutor(), () => on);
    const a = fakeVersion('m', '1.0.0');
    const b = fakeVersion('m', '1.1.0', { offset: 100 });
    const results = await Promise.all([
      ...[1, 2, 3].map((i) => executor.run(a.lv, xFeeds([[i, i]]), undefined, {})),
      ...[1, 2].map((i) => executor.run(b.lv, xFeeds([[i, i]]), undefined, {})),
    ]);
    expect(rowsOf(a.runner.runs)).toEqual([3]);
    expect(rowsOf(b.runner.runs)).toEqual([2]);
    expect(results.map((r) => (r.outputs.y?.data as Float32Array)[0])).toEqual([2, 4, 6, 102, 104]);
  });

  it('passes through when batching is off for the model', async () => {
    const executor = new BatchingExecutor(new DirectExecutor(), (m) => ({ ...on, enabled: m !== 'off' }));
    const { lv, runner } = fakeVersion('off');
    await Promise.all([1, 2, 3].map((i) => executor.run(lv, xFeeds([[i, i]]), undefined, {})));
    expect(rowsOf(runner.runs)).toEqual([1, 1, 1]);
  });

  it('passes through a version whose inputs have no dynamic first dim', async () => {
    const executor = new BatchingExecutor(new DirectExecutor(), () => on);
    const { lv, runner } = fakeVersion('fixed', '1.0.0', { firstDim: 1 });
    await Promise.all([1, 2].map((i) => executor.run(lv, xFeeds([[i, i]]), undefined, {})));
    expect(rowsOf(runner.runs)).toEqual([1, 1]);
  });

  it('binds a reloaded version to a new batcher, so no request runs on the old session', async () => {
    const executor = new BatchingExecutor(new DirectExecutor(), () => on);
    const old = fakeVersion('m', '1.0.0');
    const reloaded = fakeVersion('m', '1.0.0', { offset: 50 });
    await executor.run(old.lv, xFeeds([[1, 1]]), undefined, {});
    executor.drop('m', '1.0.0');
    const r = await Promise.all([1, 2].map((i) => executor.run(reloaded.lv, xFeeds([[i, i]]), undefined, {})));
    expect(r.map((x) => (x.outputs.y?.data as Float32Array)[0])).toEqual([52, 54]);
    expect(old.runner.runs).toHaveLength(1);
    // Even without the drop event, identity decides.
    const again = fakeVersion('m', '1.0.0', { offset: 10 });
    expect(((await executor.run(again.lv, xFeeds([[1, 1]]), undefined, {})).outputs.y?.data as Float32Array)[0]).toBe(12);
    expect(reloaded.runner.runs).toHaveLength(1);
  });
});
