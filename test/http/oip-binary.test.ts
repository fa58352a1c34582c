import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway.js';
import { binaryRequest, parseBinaryAnswer, tensorBytes, type BinaryInput } from '../support/binary-tensors.js';
import { ALL_DATATYPES, tempDir, writeIdentityModel } from '../support/fixtures.js';
import { json, startGateway } from '../support/gateway.js';

/** Each datatype's 2x2 sample as the bytes a binary client sends (FP16 as raw bits: 0, 1.5, -2.25, 65504). */
const BYTES: Record<string, Buffer> = {
  BOOL: tensorBytes(Uint8Array.of(1, 0, 0, 1)),
  UINT8: tensorBytes(Uint8Array.of(0, 1, 128, 255)),
  UINT16: tensorBytes(Uint16Array.of(0, 1, 40000, 65535)),
  UINT32: tensorBytes(Uint32Array.of(0, 1, 3000000000, 4294967295)),
  UINT64: tensorBytes(BigUint64Array.of(0n, 1n, 2n ** 40n, 2n ** 64n - 1n)),
  INT8: tensorBytes(Int8Array.of(-128, -1, 0, 127)),
  INT16: tensorBytes(Int16Array.of(-32768, -1, 0, 32767)),
  INT32: tensorBytes(Int32Array.of(-2147483648, -1, 0, 2147483647)),
  INT64: tensorBytes(BigInt64Array.of(-(2n ** 63n), -1n, 0n, 2n ** 63n - 1n)),
  FP16: tensorBytes(Uint16Array.of(0x0000, 0x3e00, 0xc080, 0x7bff)),
  FP32: tensorBytes(Float32Array.of(0, 1.5, -2.25, 2 ** 100)),
  FP64: tensorBytes(Float64Array.of(0, 1.5, -2.25, 1e300)),
  BYTES: tensorBytes(['a', '', 'ünïcödé', '{"json":1}']),
};
const name = (prefix: string, d: string) => `${prefix}_${d.toLowerCase()}`;
const allInputs = (override: Partial<Record<string, Partial<BinaryInput>>> = {}): BinaryInput[] =>
  ALL_DATATYPES.map((d) => ({ name: name('in', d), datatype: d, shape: [2, 2], bytes: BYTES[d], ...override[d] }));

const post = (body: Buffer, headerLength: number | string, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { 'inference-header-content-length': String(headerLength), ...headers },
  body,
});

describe('OIP binary tensor extension (Triton / KServe): binary inputs and outputs', () => {
  let gw: Gateway;
  beforeAll(async () => {
    const dir = tempDir();
    writeIdentityModel(dir);
    gw = await startGateway(dir, { limits: { maxBinaryBodyBytes: 4096 } });
  });
  afterAll(() => gw.close());

  it('round-trips all 13 datatypes as raw bytes (FP16 as raw bits, BYTES length-prefixed) through onnxruntime', async () => {
    const { body, headerLength } = binaryRequest(allInputs(), { id: 'b1', parameters: { binary_data_output: true } });
    const res = await gw.app.request('/v2/models/identity/infer', post(body, headerLength, { 'content-type': 'application/octet-stream' }));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    expect(res.headers.get('x-model-version')).toBe('1.0.0');
    expect(res.headers.get('x-cache')).toBe('miss');
    const answer = parseBinaryAnswer(Buffer.from(await res.arrayBuffer()), Number(res.headers.get('inference-header-content-length')));
    expect(answer.header).toMatchObject({ model_name: 'identity', model_version: '1.0.0', id: 'b1', parameters: { route: expect.any(String) } });
    for (const d of ALL_DATATYPES) {
      const out = answer.header.outputs.find((o) => o.name === name('out', d));
      expect(out, d).toMatchObject({ datatype: d, shape: [2, 2], parameters: { binary_data_size: BYTES[d]?.length } });
      expect(out?.data, d).toBeUndefined();
      expect(answer.bytes.get(name('out', d)), d).toEqual(BYTES[d]);
    }
  });

  it('mixes JSON data and binary inputs, and answers binary only the outputs asked binary', async () => {
    const inputs = allInputs({ FP32: { bytes: undefined, data: [0, 1.5, -2.25, 2 ** 100] }, BYTES: { bytes: undefined, data: ['a', 'b', 'c', 'd'] } });
    const outputs = [{ name: 'out_fp16', parameters: { binary_data: true } }, { name: 'out_fp32' }, { name: 'out_bytes', parameters: { binary_data: true } }];
    const { body, headerLength } = binaryRequest(inputs, { outputs });
    const res = await gw.app.request('/v2/models/identity/versions/1.0.0/infer', post(body, headerLength));
    expect(res.status).toBe(200);
    const answer = parseBinaryAnswer(Buffer.from(await res.arrayBuffer()), Number(res.headers.get('inference-header-content-length')));
    expect(answer.header.outputs.map((o) => o.name)).toEqual(['out_fp16', 'out_fp32', 'out_bytes']);
    expect(answer.header.outputs[1]).toEqual({ name: 'out_fp32', shape: [2, 2], datatype: 'FP32', data: [0, 1.5, -2.25, 2 ** 100] });
    expect(answer.bytes.get('out_fp16')).toEqual(BYTES.FP16);
    expect(answer.bytes.get('out_bytes')).toEqual(tensorBytes(['a', 'b', 'c', 'd']));
  });

  it('answers a binary request without binary outputs in plain JSON', async () => {
    const { body, headerLength } = binaryRequest(allInputs(), { outputs: [{ name: 'out_fp16' }] });
    const res = await gw.app.request('/v2/models/identity/infer', post(body, headerLength));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.get('inference-header-content-length')).toBeNull();
    // FP16 raw bits 0x3e00 etc. decode to the values they encode.
    expect(((await res.json()) as { outputs: { data: number[] }[] }).outputs[0]?.data).toEqual([0, 1.5, -2.25, 65504]);
  });

  it('gives a JSON request its binary outputs when it asks for them', async () => {
    const inputs = ALL_DATATYPES.map((d) => ({ name: name('in', d), datatype: d, shape: [1, 2], data: d === 'BYTES' ? ['x', 'y'] : d === 'BOOL' ? [true, false] : [1, 2] }));
    const res = await gw.app.request('/v2/models/identity/infer', json({ inputs, outputs: [{ name: 'out_int32', parameters: { binary_data: true } }] }));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    const answer = parseBinaryAnswer(Buffer.from(await res.arrayBuffer()), Number(res.headers.get('inference-header-content-length')));
    expect(answer.bytes.get('out_int32')).toEqual(tensorBytes(Int32Array.of(1, 2)));
  });

  const tooFew = () => {
    const { body, headerLength } = binaryRequest(allInputs());
    return post(body.subarray(0, body.length - 3), headerLength);
  };
  const tooMany = () => {
    const { body, headerLength } = binaryRequest(allInputs());
    return post(Buffer.concat([body, Buffer.from('junk')]), headerLength);
  };
  const withHeader = (header: string) => post(Buffer.from(header), Buffer.byteLength(header));
  it.each([
    ['too few bytes for the declared sizes', tooFew, 400, 'the sizes do not add up'],
    ['bytes past the declared sizes', tooMany, 400, 'the sizes do not add up'],
    ['a header length past the body', () => post(binaryRequest(allInputs()).body, 1_000_000), 400, 'past the end of the'],
    ['a header length that is no number', () => post(binaryRequest(allInputs()).body, 'twelve'), 400, 'must be a byte count'],
    ['a header length of 0 (raw body)', () => post(binaryRequest(allInputs()).body, 0), 400, 'is not supported'],
    ['a header that is not JSON', () => post(binaryRequest(allInputs()).body, 20), 400, 'is not valid JSON'],
    ['an input with data and binary_data_size', () => withHeader('{"inputs":[{"name":"in_fp32","datatype":"FP32","shape":[1,2],"data":[1,2],"parameters":{"binary_data_size":0}}]}'), 400, "input 'in_fp32' has both data and parameters.binary_data_size"],
    ['a negative binary_data_size', () => withHeader('{"inputs":[{"name":"in_fp32","datatype":"FP32","shape":[1,2],"parameters":{"binary_data_size":-8}}]}'), 400, 'must be a non-negative integer'],
    ['BF16, which onnxruntime-node cannot take', () => binaryRequestPost(allInputs({ FP32: { datatype: 'BF16', bytes: Buffer.alloc(8) } })), 400, 'datatype BF16 is not supported'],
    ['a datatype the model does not take', () => binaryRequestPost(allInputs({ FP32: { datatype: 'FP64', bytes: BYTES.FP64 } })), 400, "input 'in_fp32' must have datatype FP32, got FP64"],
    ['bytes that do not fit the shape', () => binaryRequestPost(allInputs({ FP32: { bytes: BYTES.FP32?.subarray(0, 12) } })), 400, "input 'in_fp32' has 12 bytes of data but shape [2, 2] of FP32 needs 16"],
    ['BYTES whose element length runs past the data', () => binaryRequestPost(allInputs({ BYTES: { bytes: Buffer.from([1, 0, 0, 0, 97, 200, 0, 0, 0]) } })), 400, "input 'in_bytes' (BYTES): element 1 declares 200 bytes"],
    ['BYTES with bytes left over', () => binaryRequestPost(allInputs({ BYTES: { bytes: Buffer.concat([BYTES.BYTES as Buffer, Buffer.from([0])]) } })), 400, 'bytes left over after 4 elements'],
    ['a body over limits.maxBinaryBodyBytes', () => binaryRequestPost(allInputs({ FP32: { shape: [2000, 2], bytes: Buffer.alloc(16000) } })), 413, 'binary tensor limit of 4096 bytes'],
  ])('refuses %s with a 4xx in OIP’s error shape', async (_case, request, status, message) => {
    const res = await gw.app.request('/v2/models/identity/infer', request());
    expect(res.status).toBe(status);
    const body = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(['error']);
    expect(body.error).toContain(message);
  });

  it('counts predictions by protocol', async () => {
    const text = await (await gw.app.request('/metrics')).text();
    expect(text).toMatch(/modelgate_inference_requests_total\{model="identity",version="1.0.0",protocol="oip-binary",status="success"\} [1-9]/);
    expect(text).toMatch(/modelgate_inference_requests_total\{model="identity",version="1.0.0",protocol="oip",status="success"\} [1-9]/);
  });
});

function binaryRequestPost(inputs: BinaryInput[]): RequestInit {
  const { body, headerLength } = binaryRequest(inputs);
  return post(body, headerLength);
}
