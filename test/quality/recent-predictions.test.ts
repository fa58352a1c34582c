import { describe, expect, it } from 'vitest';
import type { ObservedPrediction } from '../../src/contracts/prediction.js';
import type { LoadedVersion } from '../../src/contracts/loaded-version.js';
import { RecentPredictions } from '../../src/quality/recent-predictions.js';
import type { TensorMap } from '../../src/contracts/tensor.js';

const version = (v: string) => ({ name: 'm', version: v, manifest: { task: 'regression', outputs: [{ name: 'y' }] } }) as unknown as LoadedVersion;
const outputs = (...ys: number[]): TensorMap => ({ y: { type: 'float32', dims: [ys.length, 1], data: Float32Array.from(ys) } });
const observed = (requestId: string, lv: LoadedVersion, out: TensorMap, cache: ObservedPrediction['cache'] = 'bypass') =>
  ({ requestId, atMs: 1_000, model: 'm', version: lv, route: 'flag:stable', cache, latencyMs: 1, feeds: {}, outputs: out }) as ObservedPrediction;

describe('recent predictions (the feedback index when the trace is off)', () => {
  it('finds each of the last `capacity` predictions by id, with its version and values, and forgets the oldest first', () => {
    const recent = new RecentPredictions(3);
    const v1 = version('1.0.0');
    for (let i = 1; i <= 5; i++) recent.observe(observed(`r${i}`, v1, outputs(i, 10 * i)));
    expect(recent.size).toBe(3);
    expect(recent.get('r1')).toBeUndefined();
    expect(recent.get('r2')).toBeUndefined();
    expect(recent.get('r5')).toEqual({ model: 'm', version: '1.0.0', task: 'regression', atMs: 1_000, values: [5, 50], labelled: false });
  });

  it('answers a reused id with its latest prediction, and evicting the older slot does not forget it', () => {
    const recent = new RecentPredictions(2);
    recent.observe(observed('same', version('1.0.0'), outputs(1)));
    recent.observe(observed('same', version('1.1.0'), outputs(2)));
    expect(recent.get('same')?.version).toBe('1.1.0');
    recent.observe(observed('other', version('1.0.0'), outputs(3)));
    expect(recent.get('same')).toMatchObject({ version: '1.1.0', values: [2] });
    expect(recent.size).toBe(2);
  });

  it('shares one values array among the hits of a cache entry', () => {
    const recent = new RecentPredictions(10);
    const entry = outputs(7);
    recent.observe(observed('a', version('1.0.0'), entry, 'miss'));
    recent.observe(observed('b', version('1.0.0'), entry, 'hit'));
    expect(recent.get('a')?.values).toBe(recent.get('b')?.values);
    expect(new RecentPredictions(0).get('a')).toBeUndefined();
  });
});
