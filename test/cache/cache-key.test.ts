import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { predictionCacheKey } from '../../src/cache/cache-key.js';
import { encodeInstances } from '../../src/core/feature-encoder.js';
import { encodeRequestTensors } from '../../src/core/input-validation.js';
import { Manifest } from '../../src/contracts/manifest.js';
import type { TensorMap } from '../../src/contracts/tensor.js';
import { HOUSE_V1 } from '../support/fixtures.js';

const manifest = Manifest.parse(JSON.parse(readFileSync(join(process.cwd(), 'models/property-valuation/1.0.0/manifest.json'), 'utf8')));
const keyOf = (instances: Record<string, unknown>[], version = '1.0.0', outputs?: string[]) =>
  predictionCacheKey('property-valuation', version, encodeInstances(manifest, instances, 1024), outputs).id;

const f32 = (data: number[], dims = [1, data.length]): TensorMap => ({ x: { type: 'float32', dims, data: Float32Array.from(data) } });

describe('prediction cache key', () => {
  it('is the same for the same features in another JSON key order', () => {
    const reversed = Object.fromEntries(Object.entries(HOUSE_V1).reverse());
    expect(JSON.stringify(reversed)).not.toBe(JSON.stringify(HOUSE_V1));
    expect(keyOf([reversed])).toBe(keyOf([HOUSE_V1]));
  });

  it('compares numbers as the float32 the model sees', () => {
    const a = { ...HOUSE_V1, bathrooms: 2.1 };
    const b = { ...HOUSE_V1, bathrooms: 2.1000000001 };
    expect(Math.fround(2.1)).toBe(Math.fround(2.1000000001));
    expect(keyOf([b])).toBe(keyOf([a]));
    // ...and a category label is the same feature value as its code.
    expect(keyOf([{ ...HOUSE_V1, location_cluster: 'suburb' }])).toBe(keyOf([HOUSE_V1]));
  });

  it('differs when a float32 differs, by as little as one ulp', () => {
    const next = new Float32Array([2]);
    new Uint32Array(next.buffer)[0] = (new Uint32Array(next.buffer)[0] as number) + 1;
    expect(keyOf([{ ...HOUSE_V1, bathrooms: next[0] as number }])).not.toBe(keyOf([HOUSE_V1]));
  });

  it('never shares an entry between versions, models or output selections', () => {
    const feeds = encodeInstances(manifest, [HOUSE_V1], 1024);
    const ids = new Set([
      predictionCacheKey('property-valuation', '1.0.0', feeds, undefined).id,
      predictionCacheKey('property-valuation', '1.1.0', feeds, undefined).id,
      predictionCacheKey('property-valuation', '1.0.0', feeds, ['price']).id,
      predictionCacheKey('other-model', '1.0.0', feeds, undefined).id,
    ]);
    expect(ids.size).toBe(4);
  });

  it('keys output selections as sets, inputs by name whatever their order', () => {
    const t = f32([1, 2]);
    expect(predictionCacheKey('m', '1.0.0', t, ['b', 'a', 'a']).id).toBe(predictionCacheKey('m', '1.0.0', t, ['a', 'b']).id);
    const x = { type: 'float32' as const, dims: [1, 1], data: Float32Array.from([1]) };
    const y = { type: 'float32' as const, dims: [1, 1], data: Float32Array.from([2]) };
    expect(predictionCacheKey('m', '1.0.0', { a: x, b: y }, undefined).id).toBe(predictionCacheKey('m', '1.0.0', { b: y, a: x }, undefined).id);
    expect(predictionCacheKey('m', '1.0.0', { a: x, b: y }, undefined).id).not.toBe(predictionCacheKey('m', '1.0.0', { a: y, b: x }, undefined).id);
  });

  it.each([
    ['dims', f32([1, 2, 3, 4], [2, 2]), f32([1, 2, 3, 4], [1, 4])],
    ['element type', f32([1, 2]), { x: { type: 'int32', dims: [1, 2], data: Int32Array.from([1, 2]) } } as TensorMap],
    ['batch rows', f32([1, 2, 3, 4], [2, 2]), f32([3, 4, 1, 2], [2, 2])],
    ['strings', { x: { type: 'string', dims: [2], data: ['a,b', 'c'] } } as TensorMap, { x: { type: 'string', dims: [2], data: ['a', 'b,c'] } } as TensorMap],
  ])('tells inputs apart by %s', (_what, a, b) => {
    expect(predictionCacheKey('m', '1.0.0', a, undefined).id).not.toBe(predictionCacheKey('m', '1.0.0', b, undefined).id);
  });

  it('hashes large inputs (fixed-size key) and still tells one changed element apart', () => {
    const big = Array.from({ length: 512 }, (_, i) => i / 7);
    const a = predictionCacheKey('m', '1.0.0', f32(big), undefined).id;
    const changed = [...big];
    changed[300] = (changed[300] as number) + 1;
    expect(a.length).toBeLessThan(120);
    expect(predictionCacheKey('m', '1.0.0', f32(changed), undefined).id).not.toBe(a);
    expect(predictionCacheKey('m', '1.0.0', f32([...big]), undefined).id).toBe(a);
  });

  it('reads only a typed array view, not the buffer around it', () => {
    const buffer = Float32Array.from([9, 1, 2, 9]);
    const view: TensorMap = { x: { type: 'float32', dims: [1, 2], data: buffer.subarray(1, 3) } };
    expect(predictionCacheKey('m', '1.0.0', view, undefined).id).toBe(predictionCacheKey('m', '1.0.0', f32([1, 2]), undefined).id);
  });

  it('gives OIP FP32 tensors and v1 instances of the same values the same key', () => {
    const oip = encodeRequestTensors(manifest, [{ name: 'features', datatype: 'FP32', shape: [1, 8], data: Object.values(HOUSE_V1) }], 1024);
    expect(predictionCacheKey('property-valuation', '1.0.0', oip, undefined).id).toBe(keyOf([HOUSE_V1]));
  });
});
