import { afterAll, describe, expect, it } from 'vitest';
import { DigestThread } from '../../src/runtime/digest-thread.js';
import { tensorsSha256 } from '../../src/runtime/tensor-bytes.js';
import type { TensorMap } from '../../src/runtime/tensor.js';

const image = (seed: number): TensorMap => {
  const data = new Float32Array(3 * 224 * 224);
  for (let i = 0; i < data.length; i++) data[i] = ((i * 7919 + seed) % 1000) / 1000;
  return { pixels: { type: 'float32', dims: [1, 3, 224, 224], data } };
};
/** The same tensors in a new map object (nothing remembered for it). */
const copy = (m: TensorMap): TensorMap => Object.fromEntries(Object.entries(m).map(([k, t]) => [k, { ...t, data: (t.data as Float32Array).slice() }]));

describe('DigestThread', () => {
  const thread = new DigestThread();
  afterAll(() => thread.close());

  it('gives a large map the same sha256 as tensorsSha256, off the event loop, and remembers it', async () => {
    const map = image(1);
    const soon = thread.sha256(map);
    expect(soon).toBeInstanceOf(Promise);
    const digest = await soon;
    expect(digest).toBe(tensorsSha256(copy(map)));
    expect(thread.sha256(map)).toBe(digest);
  });

  it('answers a small map at once', () => {
    const map: TensorMap = { x: { type: 'float32', dims: [1, 2], data: new Float32Array([1, 2]) } };
    expect(thread.sha256(map)).toBe(tensorsSha256(map));
  });

  it('gets every digest right when more are asked than may wait (the rest are hashed in place)', async () => {
    const maps = Array.from({ length: 12 }, (_, i) => image(100 + i));
    const digests = await Promise.all(maps.map((m) => thread.sha256(m)));
    expect(digests).toEqual(maps.map((m) => tensorsSha256(copy(m))));
    expect(new Set(digests).size).toBe(12);
  });

  it('hashes what waited when closed, and starts again when asked', async () => {
    const t = new DigestThread();
    const map = image(7);
    const waiting = t.sha256(map);
    await t.close();
    expect(await waiting).toBe(tensorsSha256(copy(map)));
    const again = image(8);
    expect(await t.sha256(again)).toBe(tensorsSha256(copy(again)));
    await t.close();
  });
});
