import { describe, expect, it } from 'vitest';
import { decodeRecord, encodePayload, MAX_HEADER_BYTES, readRequestId, recordLength, writeRecord, type TraceHeader } from '../../src/audit/trace-codec.js';
import type { TensorMap } from '../../src/contracts/tensor.js';

const inputs: TensorMap = { features: { type: 'float32', dims: [1, 2], data: new Float32Array([1, 2]) } };
const outputs: TensorMap = { price: { type: 'float32', dims: [1, 1], data: new Float32Array([3.5]) } };
const header: TraceHeader = {
  requestId: 'req-1',
  atMs: Date.UTC(2026, 11, 5),
  latencyMs: 1.25,
  model: 'm',
  version: '1.0.0',
  stage: 'production',
  route: 'flag:canary',
  pin: '',
  cache: 'miss',
};

function record(h: TraceHeader): Buffer {
  const payload = encodePayload(inputs, outputs, 1024);
  const buf = Buffer.alloc(MAX_HEADER_BYTES + payload.byteLength);
  return buf.subarray(0, writeRecord(buf, 0, h, payload));
}

describe('trace records: the trace id is optional and old records still read', () => {
  it('keeps a traced request\'s trace id', () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const buf = record({ ...header, traceId });
    expect(recordLength(buf, 0)).toBe(buf.length);
    expect(readRequestId(buf, 0)).toBe('req-1');
    expect(decodeRecord(buf)).toMatchObject({ requestId: 'req-1', route: 'flag:canary', traceId, output: { price: { data: [3.5] } } });
  });

  it('writes an untraced record byte for byte as before (flags 0, no trace id field), and reads it with traceId null', () => {
    const untraced = record(header);
    const malformed = record({ ...header, traceId: 'not-a-trace-id' });
    expect(malformed.equals(untraced)).toBe(true);
    expect(untraced.readUInt16LE(6)).toBe(0);
    expect(decodeRecord(untraced)).toMatchObject({ requestId: 'req-1', traceId: null, output: { price: { data: [3.5] } } });
    expect(record({ ...header, traceId: '4bf92f3577b34da6a3ce929d0e0e4736' }).length).toBe(untraced.length + 16);
  });
});
