import { describe, expect, it } from 'vitest';
import { decodeTensorData, tensorDataJson, type HostTensor } from '../../src/contracts/tensor.js';

const tensors: HostTensor[] = [
  { type: 'float32', dims: [6], data: Float32Array.from([417796.40625, -0, 1e-7, 3.4e38, Number.NaN, Number.NEGATIVE_INFINITY]) },
  { type: 'float64', dims: [3], data: Float64Array.from([0.1, Number.POSITIVE_INFINITY, -123456789.123]) },
  { type: 'int32', dims: [3], data: Int32Array.from([-2147483648, 0, 7]) },
  { type: 'uint8', dims: [2], data: Uint8Array.from([0, 255]) },
  { type: 'float32', dims: [0], data: new Float32Array(0) },
];

describe('tensor data written as JSON', () => {
  it('is byte for byte what JSON.stringify writes of the decoded data', () => {
    for (const t of tensors) expect(tensorDataJson(t)).toBe(JSON.stringify(decodeTensorData(t)));
  });

  it('leaves the kinds decoding converts to the generic path', () => {
    expect(tensorDataJson({ type: 'bool', dims: [2], data: Uint8Array.from([0, 1]) })).toBeUndefined();
    expect(tensorDataJson({ type: 'int64', dims: [1], data: BigInt64Array.from([5n]) })).toBeUndefined();
    expect(tensorDataJson({ type: 'float16', dims: [1], data: Uint16Array.from([0x3c00]) })).toBeUndefined();
  });
});
