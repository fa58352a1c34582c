import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeRawTensor } from '../../src/core/raw-tensor.js';
import { GatewayError } from '../../src/errors/index.js';
import { blake3 } from '@napi-rs/blake-hash';
import { sha256Digester } from '../../src/contracts/digest.js';
import { tensorsBytes, tensorsDigest, writeTensors } from '../../src/contracts/tensor-bytes.js';
import type { TensorMap } from '../../src/contracts/tensor.js';

const le32 = (xs: number[]) => Buffer.from(new Float32Array(xs).buffer);

describe('binary tensors', () => {
  it('views aligned bytes without copying and copies unaligned ones', () => {
    const body = Buffer.concat([le32([1, 2, 3, 4]), Buffer.from([0]), le32([5, 6])]);
    const aligned = decodeRawTensor({ name: 'x', datatype: 'FP32', shape: [2, 2], raw: body.subarray(0, 16) }, 'float32', 4);
    expect(Array.from(aligned.data as Float32Array)).toEqual([1, 2, 3, 4]);
    expect((aligned.data as Float32Array).buffer).toBe(body.buffer);
    const unaligned = decodeRawTensor({ name: 'y', datatype: 'FP32', shape: [2], raw: body.subarray(17, 25) }, 'float32', 2);
    expect(Array.from(unaligned.data as Float32Array)).toEqual([5, 6]);
  });

  it.each([
    ['a byte count that is not the shape', { datatype: 'FP32', shape: [3], raw: le32([1, 2]) }, 'float32', 3, /has 8 bytes of data but shape \[3\] of FP32 needs 12/],
    ['a BOOL byte that is not 0 or 1', { datatype: 'BOOL', shape: [2], raw: Buffer.from([1, 7]) }, 'bool', 2, /element 1 is byte 7/],
    ['BYTES that end early', { datatype: 'BYTES', shape: [1], raw: Buffer.from([9, 0, 0, 0, 65]) }, 'string', 1, /declares 9 bytes/],
    ['BYTES with bytes left over', { datatype: 'BYTES', shape: [1], raw: Buffer.from([1, 0, 0, 0, 65, 66]) }, 'string', 1, /1 bytes left over/],
  ] as const)('refuses %s with a 400 naming the tensor', (_what, t, type, n, words) => {
    try {
      decodeRawTensor({ name: 'x', ...t, shape: [...t.shape] }, type, n);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(GatewayError);
      expect((err as GatewayError).status).toBe(400);
      expect((err as Error).message).toMatch(/input 'x'/);
      expect((err as Error).message).toMatch(words);
    }
  });

  it('reads BYTES elements as length-prefixed UTF-8', () => {
    const r = Buffer.concat([Buffer.from([3, 0, 0, 0]), Buffer.from('hé'), Buffer.from([0, 0, 0, 0])]);
    expect(decodeRawTensor({ name: 's', datatype: 'BYTES', shape: [2], raw: r }, 'string', 2).data).toEqual(['hé', '']);
  });

  it('digests a large input over its own bytes exactly as the copied layout (BLAKE3, and SHA-256 where BLAKE3 is missing)', () => {
    const big: TensorMap = {
      pixels: { type: 'float32', dims: [1, 3, 224, 224], data: new Float32Array(3 * 224 * 224).map((_, i) => i % 251) },
      scale: { type: 'float32', dims: [1], data: new Float32Array([0.5]) },
    };
    const buf = Buffer.alloc(tensorsBytes(big));
    const copied = buf.subarray(0, writeTensors(big, buf, 0));
    const b3 = { algorithm: 'blake3', base64: blake3(copied).toString('base64') };
    expect(tensorsDigest(big)).toEqual(b3);
    expect(tensorsDigest(big)).toEqual(b3); // remembered per map
    expect(tensorsDigest(big, sha256Digester)).toEqual({ algorithm: 'sha256', base64: createHash('sha256').update(copied).digest('base64') });
    // A small map (copied, hashed in one call) agrees with its layout too.
    const row: TensorMap = { x: { type: 'float32', dims: [1, 2], data: new Float32Array([1.5, -2]) } };
    const small = Buffer.alloc(tensorsBytes(row));
    expect(tensorsDigest(row).base64).toBe(blake3(small.subarray(0, writeTensors(row, small, 0))).toString('base64'));
  });
});
