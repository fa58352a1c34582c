import { describe, expect, it } from 'vitest';
import { isRawTensor, type JsonTensor, type RawTensor } from '../../src/contracts/prediction.js';
import { GatewayError } from '../../src/errors/index.js';
import { grpcProtocol } from '../../src/grpc/infer-protocol.js';
import { loadProtos, type ModelInferRequestMsg } from '../../src/grpc/proto.js';
import { fakeVersion } from '../support/fake-version.js';

const protos = loadProtos();
const protocol = grpcProtocol(protos);
const { ModelInferRequest, ModelInferResponse } = protos;

/** A request as the server receives it: bytes off the wire, decoded. */
function received(message: object): { bytes: Buffer; msg: ModelInferRequestMsg } {
  const bytes = Buffer.from(ModelInferRequest.encode(ModelInferRequest.fromObject(message)).finish());
  return { bytes, msg: ModelInferRequest.decode(bytes) as unknown as ModelInferRequestMsg };
}

const refusal = (message: object): string => {
  try {
    protocol.parse(received(message).msg);
  } catch (err) {
    expect(err).toBeInstanceOf(GatewayError);
    expect((err as GatewayError).status).toBe(400);
    return (err as GatewayError).message;
  }
  throw new Error('accepted');
};

describe('the grpc protocol (ModelInfer <-> the data plane)', () => {
  it('takes raw_input_contents as views over the received message (no copy)', () => {
    const x = Float32Array.from([1, 2, 3, 4]);
    const { bytes, msg } = received({
      model_name: 'm',
      id: 'r1',
      parameters: { user_id: { string_param: 'alice' }, n: { int64_param: 7 }, f: { bool_param: true } },
      inputs: [{ name: 'x', datatype: 'FP32', shape: [2, 2] }],
      outputs: [{ name: 'y' }],
      raw_input_contents: [Buffer.from(x.buffer)],
    });
    const parsed = protocol.parse(msg);
    const t = (parsed.input as { tensors: RawTensor[] }).tensors[0] as RawTensor;
    expect(isRawTensor(t)).toBe(true);
    expect(t.raw.buffer).toBe(bytes.buffer);
    expect(Array.from(new Float32Array(Uint8Array.from(t.raw).buffer))).toEqual([1, 2, 3, 4]);
    expect(parsed).toMatchObject({ id: 'r1', outputs: ['y'], parameters: { user_id: 'alice', n: 7, f: true } });
  });

  it('takes typed contents per datatype (INT64 as numbers, BYTES as UTF-8 strings)', () => {
    const { msg } = received({
      model_name: 'm',
      inputs: [
        { name: 'a', datatype: 'INT64', shape: [2], contents: { int64_contents: [5, -3] } },
        { name: 'b', datatype: 'BYTES', shape: [1], contents: { bytes_contents: [Buffer.from('héllo')] } },
        { name: 'c', datatype: 'FP32', shape: [1], contents: { fp32_contents: [0.5] } },
      ],
    });
    const tensors = (protocol.parse(msg).input as { tensors: JsonTensor[] }).tensors;
    expect(tensors.map((t) => t.data)).toEqual([[5, -3], ['héllo'], [0.5]]);
  });

  it.each([
    [{ inputs: [] }, 'no inputs'],
    [{ inputs: [{ name: 'x', datatype: 'FP16', shape: [1], contents: {} }] }, 'must be sent in raw_input_contents'],
    [{ inputs: [{ name: 'x', datatype: 'REAL', shape: [1] }] }, "unknown datatype 'REAL'"],
    [{ inputs: [{ name: 'x', datatype: 'FP32', shape: [1] }, { name: 'y', datatype: 'FP32', shape: [1] }], raw_input_contents: [Buffer.alloc(4)] }, '1 entries for 2 inputs'],
    [{ inputs: [{ name: 'x', datatype: 'FP32', shape: [1], contents: { fp32_contents: [1] } }], raw_input_contents: [Buffer.alloc(4)] }, 'one or the other'],
    [{ inputs: [{ name: 'x', datatype: 'FP32', shape: [-1] }] }, 'negative'],
  ])('refuses %j with a 400 naming the problem', (message, words) => {
    expect(refusal({ model_name: 'm', ...message })).toContain(words);
  });

  it('renders a head once and closes it per request: id and route appended, outputs as raw_output_contents', () => {
    const { lv } = fakeVersion('m', '1.2.0');
    const y = Float32Array.from([1.5, -2]);
    const head = protocol.render(lv, { y: { type: 'float32', dims: [1, 2], data: y }, z: { type: 'string', dims: [1], data: ['ok'] } }, protocol.parse(received({ model_name: 'm', inputs: [{ name: 'x', datatype: 'FP32', shape: [1], contents: { fp32_contents: [1] } }] }).msg));
    const request = (id: string) => protocol.parse(received({ model_name: 'm', id, inputs: [{ name: 'x', datatype: 'FP32', shape: [1], contents: { fp32_contents: [1] } }] }).msg);
    for (const [id, route] of [['a', 'pinned'], ['b', 'flag:canary']] as const) {
      const body = protocol.finish(head, 'rid', request(id), route);
      const res = ModelInferResponse.toObject(ModelInferResponse.decode(body), { longs: Number, defaults: false }) as Record<string, unknown>;
      expect(res).toMatchObject({
        model_name: 'm',
        model_version: '1.2.0',
        id,
        parameters: { route: { string_param: route } },
        outputs: [{ name: 'y', datatype: 'FP32', shape: [1, 2] }, { name: 'z', datatype: 'BYTES', shape: [1] }],
      });
      const [ry, rz] = res.raw_output_contents as Uint8Array[];
      expect(Array.from(new Float32Array(Uint8Array.from(ry as Uint8Array).buffer))).toEqual([1.5, -2]);
      expect(Buffer.from(rz as Uint8Array)).toEqual(Buffer.from([2, 0, 0, 0, 0x6f, 0x6b]));
    }
    // No id given: the request id stands in, as over HTTP.
    const anonymous = protocol.parse(received({ model_name: 'm', inputs: [{ name: 'x', datatype: 'FP32', shape: [1], contents: { fp32_contents: [1] } }] }).msg);
    expect((ModelInferResponse.decode(protocol.finish(head, 'rid-9', anonymous, 'pinned')) as unknown as { id: string }).id).toBe('rid-9');
  });
});
