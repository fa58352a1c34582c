import { describe, expect, it } from 'vitest';
import { loadProtos, type ModelInferRequestMsg } from '../../src/grpc/proto.js';
import { alignRawInput } from '../../src/grpc/raw-alignment.js';

const { ModelInferRequest } = loadProtos();

/** A ModelInferRequest as grpc-js hands it over: a view after the 5-byte gRPC prefix of its own buffer. */
function received(tensors: { datatype: string; bytes: Buffer }[], name = 'm'): Buffer {
  const msg = ModelInferRequest.encode({
    model_name: name,
    inputs: tensors.map((t, i) => ({ name: `in${i}`, datatype: t.datatype, shape: [t.bytes.length] })),
    raw_input_contents: tensors.map((t) => t.bytes),
  }).finish();
  return Buffer.concat([Buffer.alloc(5), msg]).subarray(5);
}

const pattern = (n: number, seed: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * seed + 11) & 0xff));

describe('raw inputs moved to an aligned offset inside the received message', () => {
  it('a misaligned FP32 input becomes an aligned view with the same bytes; the other inputs are untouched', () => {
    // Names of different lengths shift the raw contents to each possible offset.
    for (const name of ['m', 'mo', 'mod', 'mode']) {
      const a = pattern(602_112, 7);
      const b = pattern(9_000, 13);
      const message = received([{ datatype: 'FP32', bytes: a }, { datatype: 'FP64', bytes: b }], name);
      const msg = ModelInferRequest.decode(message) as unknown as ModelInferRequestMsg;
      const [ra, rb] = msg.raw_input_contents as [Uint8Array, Uint8Array];
      const aligned = alignRawInput(ra, 'FP32', message);
      expect(aligned.byteOffset % 4).toBe(0);
      expect(aligned.buffer).toBe(message.buffer);
      expect(Buffer.from(aligned).equals(a)).toBe(true);
      expect(Buffer.from(rb).equals(b)).toBe(true);
      expect(new Float32Array(aligned.buffer, aligned.byteOffset, aligned.byteLength / 4)[0]).toBe(a.readFloatLE(0));
    }
  });

  it('leaves alone what it cannot move safely: small inputs, bytes of another buffer, no field header before them, 1-byte types', () => {
    const message = received([{ datatype: 'FP32', bytes: pattern(100_000, 3) }], 'mo');
    const raw = (ModelInferRequest.decode(message) as unknown as ModelInferRequestMsg).raw_input_contents[0] as Uint8Array;
    expect(raw.byteOffset % 4).not.toBe(0);
    const copy = Buffer.concat([Buffer.alloc(3), Buffer.from(raw)]).subarray(3);
    expect(alignRawInput(copy, 'FP32', message)).toBe(copy);
    expect(alignRawInput(raw, 'UINT8', message)).toBe(raw);
    const fake = Buffer.concat([Buffer.alloc(5), Buffer.alloc(8), Buffer.from(raw)]).subarray(5);
    const inner = fake.subarray(9);
    expect(alignRawInput(inner, 'FP32', fake)).toBe(inner);
    const small = received([{ datatype: 'FP32', bytes: pattern(52, 5) }], 'mo');
    const r = (ModelInferRequest.decode(small) as unknown as ModelInferRequestMsg).raw_input_contents[0] as Uint8Array;
    expect(alignRawInput(r, 'FP32', small)).toBe(r);
  });
});
