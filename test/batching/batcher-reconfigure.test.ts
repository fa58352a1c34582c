import { describe, expect, it } from 'vitest';
import { DynamicBatcher } from '../../src/batching/dynamic-batcher.js';
import type { TensorMap } from '../../src/contracts/tensor.js';
import { FakeRunner, xFeeds } from '../support/fake-version.js';

const y = (o: TensorMap) => Array.from(o.y?.data as Float32Array);
const rowsOf = (r: FakeRunner) => r.runs.map((x) => x.feeds.x?.dims[0]);

/** New limits for a batcher with requests already queued (the admin batching API). */
describe('DynamicBatcher.reconfigure', () => {
  const setup = () => {
    const runner = new FakeRunner();
    // A delay no test waits for: the queue moves only when the limits change.
    const b = new DynamicBatcher('m', '1.0.0', { maxBatchSize: 64, maxQueueDelayMicros: 600_000_000 }, (f, n) => runner.run(f, n));
    return { b, runner };
  };

  it('a smaller maxBatchSize sends the queue at once, in batches of the new size, every answer kept', async () => {
    const { b, runner } = setup();
    const calls = Array.from({ length: 5 }, (_, i) => b.submit(xFeeds([[i, i]]), undefined));
    expect(b.pending).toBe(5);
    b.reconfigure({ maxBatchSize: 2, maxQueueDelayMicros: 600_000_000 });
    const out = await Promise.all(calls.slice(0, 4));
    expect(out.map(y)).toEqual([[0, 0], [2, 2], [4, 4], [6, 6]]);
    // The fifth fills no batch of 2: it waits for the delay, or a flush.
    expect(b.pending).toBe(1);
    b.flush();
    expect(y(await (calls[4] as Promise<TensorMap>))).toEqual([8, 8]);
    expect(rowsOf(runner)).toEqual([2, 2, 1]);
  });

  it('a request queued with more rows than the new maxBatchSize still goes out, alone', async () => {
    const { b, runner } = setup();
    const big = b.submit(xFeeds([[1, 1], [2, 2], [3, 3]]), undefined);
    const small = b.submit(xFeeds([[4, 4]]), undefined);
    b.reconfigure({ maxBatchSize: 2, maxQueueDelayMicros: 0 });
    expect(y(await big)).toEqual([2, 2, 4, 4, 6, 6]);
    expect(y(await small)).toEqual([8, 8]);
    expect(rowsOf(runner)).toEqual([3, 1]);
  });

  it('a shorter delay sends a partial batch once its head has waited the new delay', async () => {
    const { b, runner } = setup();
    const calls = [1, 2, 3].map((i) => b.submit(xFeeds([[i, i]]), undefined));
    b.reconfigure({ maxBatchSize: 64, maxQueueDelayMicros: 0 });
    expect((await Promise.all(calls)).map(y)).toEqual([[2, 2], [4, 4], [6, 6]]);
    expect(rowsOf(runner)).toEqual([3]);
  });
});
