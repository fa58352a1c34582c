import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from '../../src/cache/circuit-breaker.js';
import { decodeTensors, encodeTensors } from '../../src/cache/tensor-codec.js';
import type { HostTensor } from '../../src/contracts/tensor.js';

describe('shared-tier tensor codec', () => {
  const cases: [string, HostTensor][] = [
    ['float32 1x1', { type: 'float32', dims: [1, 1], data: new Float32Array([417796.40625]) }],
    ['float64 2x3', { type: 'float64', dims: [2, 3], data: new Float64Array([1, 2, 3, 4, 5, 6.5]) }],
    ['int64', { type: 'int64', dims: [2], data: new BigInt64Array([-5n, 9007199254740993n]) }],
    ['bool', { type: 'bool', dims: [3], data: new Uint8Array([1, 0, 1]) }],
    ['string', { type: 'string', dims: [2], data: ['héllo', ''] }],
    ['scalar', { type: 'int32', dims: [], data: new Int32Array([7]) }],
  ];
  it.each(cases)('%s survives a round trip', (_name, t) => {
    const back = decodeTensors(encodeTensors({ out: t, other: t }));
    expect(back.out).toEqual(t);
    expect(back.other).toEqual(t);
  });

  it('a view into a larger buffer encodes only its own bytes', () => {
    const big = new Float32Array([1, 2, 3, 4]);
    const view = new Float32Array(big.buffer, 4, 2);
    expect(decodeTensors(encodeTensors({ y: { type: 'float32', dims: [2], data: view } })).y?.data).toEqual(new Float32Array([2, 3]));
  });

  it('a truncated or foreign value is refused', () => {
    const enc = encodeTensors({ y: { type: 'float32', dims: [1], data: new Float32Array([1]) } });
    expect(() => decodeTensors(enc.subarray(0, enc.length - 2))).toThrow();
    expect(() => decodeTensors(Buffer.from('{"json":1}'))).toThrow();
  });
});

describe('circuit breaker', () => {
  it('opens after N consecutive failures, lets one probe through after the cool-down, closes on success', () => {
    let now = 0;
    const b = new CircuitBreaker({ failures: 3, cooldownMs: 1000, clock: { now: () => now } });
    b.failure();
    b.failure();
    b.success();
    b.failure();
    b.failure();
    expect(b.allow()).toBe(true);
    b.failure();
    expect([b.open, b.allow()]).toEqual([true, false]);
    now = 1000;
    expect([b.allow(), b.allow()]).toEqual([true, false]);
    b.failure();
    expect(b.allow()).toBe(false);
    now = 2000;
    expect(b.allow()).toBe(true);
    b.success();
    expect([b.open, b.allow(), b.allow()]).toEqual([false, true, true]);
  });
});
