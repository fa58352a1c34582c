import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { encodeInferRequest } from '../../src/perf/grpc-messages.js';
import { encodeOipBinary, tensorBytes } from '../../src/perf/request-encoding.js';

const set = {
  tensors: [
    { name: 'x', datatype: 'FP32', shape: [1, 3], data: [1.5, -2, 3] },
    { name: 'ids', datatype: 'INT64', shape: [2], data: [7, 9] },
    { name: 's', datatype: 'BYTES', shape: [1], data: ['hé'] },
  ],
};

describe('OIP binary tensor extension (Triton)', () => {
  it('JSON head with binary_data_size, then each input little-endian, head length in the header', () => {
    const { body, headers } = encodeOipBinary(set);
    const buf = body as Buffer;
    const headLen = Number(headers['inference-header-content-length']);
    const head = JSON.parse(buf.subarray(0, headLen).toString()) as { inputs: { name: string; parameters: { binary_data_size: number } }[] };
    expect(head.inputs.map((i) => [i.name, i.parameters.binary_data_size])).toEqual([['x', 12], ['ids', 16], ['s', 7]]);
    let off = headLen;
    expect([0, 1, 2].map((i) => buf.readFloatLE(off + i * 4))).toEqual([1.5, -2, 3]);
    off += 12;
    expect([buf.readBigInt64LE(off), buf.readBigInt64LE(off + 8)]).toEqual([7n, 9n]);
    off += 16;
    expect(buf.readUInt32LE(off)).toBe(3);
    expect(buf.subarray(off + 4).toString()).toBe('hé');
    expect(buf.length).toBe(off + 7);
  });

  it('BOOL is one byte an element; FP16 is refused with the way out', () => {
    expect([...tensorBytes('BOOL', [true, false])]).toEqual([1, 0]);
    expect(() => tensorBytes('FP16', [1])).toThrow(/--protocol oip-json/);
  });
});

describe('gRPC ModelInferRequest', () => {
  it('carries names, shapes and raw_input_contents with the KServe V2 field numbers', () => {
    const bytes = encodeInferRequest('m', '2', set);
    // Decoded with a raw reader: field 1 model_name, 2 model_version, 5 inputs, 7 raw_input_contents.
    const r = protobuf.Reader.create(bytes);
    const fields: [number, Uint8Array][] = [];
    while (r.pos < r.len) {
      const tag = r.uint32();
      fields.push([tag >>> 3, r.bytes()]);
    }
    const text = (n: number) => fields.filter(([f]) => f === n).map(([, b]) => Buffer.from(b).toString());
    expect(text(1)).toEqual(['m']);
    expect(text(2)).toEqual(['2']);
    expect(fields.filter(([f]) => f === 5)).toHaveLength(3);
    const raws = fields.filter(([f]) => f === 7).map(([, b]) => Buffer.from(b));
    expect(raws[0]?.readFloatLE(4)).toBe(-2);
    expect(raws[1]?.readBigInt64LE(8)).toBe(9n);
  });
});
