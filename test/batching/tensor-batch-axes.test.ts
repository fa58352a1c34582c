import { describe, expect, it } from 'vitest';
import { batchShapeKey, concatFeeds, rowCount, splitOutputs } from '../../src/batching/tensor-batch.js';
import type { HostTensor } from '../../src/contracts/tensor.js';

/** A [2, rows, 3] state tensor (layers, batch, hidden): request r holds values r*100 + index. */
const state = (rows: number, base: number): HostTensor => ({
  type: 'float32',
  dims: [2, rows, 3],
  data: Float32Array.from({ length: 2 * rows * 3 }, (_, i) => base + i),
});

describe('batch axis per tensor', () => {
  const axes = { h: 1 };

  it('joins stacked recurrent state along axis 1 and splits it back unchanged', () => {
    const a = { h: state(1, 0) };
    const b = { h: state(2, 100) };
    expect(rowCount(b, axes)).toBe(2);
    expect(batchShapeKey(a, axes)).toBe(batchShapeKey(b, axes));
    const joined = concatFeeds([a, b], axes);
    expect(joined.h?.dims).toEqual([2, 3, 3]);
    // layer 0: a's row, then b's two rows; layer 1 likewise.
    expect(Array.from(joined.h?.data as Float32Array)).toEqual([0, 1, 2, 100, 101, 102, 103, 104, 105, 3, 4, 5, 106, 107, 108, 109, 110, 111]);
    const [pa, pb] = splitOutputs(joined, [1, 2], [undefined, undefined], axes);
    expect(pa?.h?.dims).toEqual([2, 1, 3]);
    expect(Array.from(pa?.h?.data as Float32Array)).toEqual(Array.from(a.h.data as Float32Array));
    expect(Array.from(pb?.h?.data as Float32Array)).toEqual(Array.from(b.h.data as Float32Array));
  });

  it('keeps requests whose non-batch dims differ apart', () => {
    expect(batchShapeKey({ h: state(1, 0) }, axes)).not.toBe(batchShapeKey({ h: { ...state(1, 0), dims: [3, 1, 2] } }, axes));
  });
});

describe('inputs without a batch axis', () => {
  const axes = { x: 0, sr: -1 };
  const req = (rows: number, sr: bigint) => ({
    x: { type: 'float32' as const, dims: [rows, 2], data: new Float32Array(rows * 2).fill(rows) },
    sr: { type: 'int64' as const, dims: [], data: BigInt64Array.of(sr) },
  });

  it('share a batch only with requests that send the same value, passed once', () => {
    expect(batchShapeKey(req(1, 16000n), axes)).toBe(batchShapeKey(req(3, 16000n), axes));
    expect(batchShapeKey(req(1, 16000n), axes)).not.toBe(batchShapeKey(req(1, 8000n), axes));
    expect(rowCount(req(3, 16000n), axes)).toBe(3);
    const joined = concatFeeds([req(1, 16000n), req(3, 16000n)], axes);
    expect(joined.x?.dims).toEqual([4, 2]);
    expect(joined.sr?.dims).toEqual([]);
  });
});
