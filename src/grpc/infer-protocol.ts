import protobuf from 'protobufjs';
import type { JsonTensor, Parameters, ParsedRequest, Protocol, RequestTensor } from '../contracts/prediction.js';
import { invalidInput } from '../errors/index.js';
import type { LoadedVersion } from '../contracts/loaded-version.js';
import { OipDatatype } from '../contracts/manifest.js';
import { ortToOip, type HostTensor, type TensorMap } from '../contracts/tensor.js';
import { int64, type ContentsMsg, type Int64, type ModelInferRequestMsg, type ParameterMsg, type Protos } from './proto.js';

const DATATYPES = new Set<string>(OipDatatype.options);
const MAX_NAME = 256;

/** The typed `contents` field that carries each datatype (FP16/BF16 have none: raw contents only). */
const CONTENTS_FIELD: Partial<Record<OipDatatype, keyof ContentsMsg>> = {
  BOOL: 'bool_contents',
  INT8: 'int_contents', INT16: 'int_contents', INT32: 'int_contents', INT64: 'int64_contents',
  UINT8: 'uint_contents', UINT16: 'uint_contents', UINT32: 'uint_contents', UINT64: 'uint64_contents',
  FP32: 'fp32_contents', FP64: 'fp64_contents', BYTES: 'bytes_contents',
};

const has = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);

/** An InferParameter's one set value (protobufjs leaves unset oneof members on the prototype). */
function parameterValue(p: ParameterMsg): string | number | boolean | undefined {
  if (has(p, 'string_param')) return p.string_param;
  if (has(p, 'bool_param')) return p.bool_param;
  if (has(p, 'double_param')) return p.double_param;
  if (has(p, 'int64_param')) return int64(p.int64_param as Int64);
  if (has(p, 'uint64_param')) return int64(p.uint64_param as Int64);
  return undefined;
}

function parameters(map: Record<string, ParameterMsg>): Parameters | undefined {
  let out: Record<string, string | number | boolean> | undefined;
  for (const key in map) {
    const v = parameterValue(map[key] as ParameterMsg);
    if (v !== undefined) (out ??= {})[key] = v;
  }
  return out;
}

/** A tensor's typed contents as the JSON data plane reads them; BYTES elements as UTF-8 strings. */
function typedData(name: string, datatype: OipDatatype, contents: ContentsMsg | null | undefined): unknown[] {
  const field = CONTENTS_FIELD[datatype];
  if (field === undefined) throw invalidInput(`input '${name}' (${datatype}) must be sent in raw_input_contents: ${datatype} has no typed contents field`);
  const values = contents?.[field] ?? [];
  if (datatype === 'INT64' || datatype === 'UINT64') return (values as Int64[]).map(int64);
  if (datatype === 'BYTES') {
    const decoder = new TextDecoder('utf-8', { fatal: true });
    return (values as Uint8Array[]).map((b, i) => {
      try {
        return decoder.decode(b);
      } catch {
        throw invalidInput(`input '${name}' (BYTES): element ${i} is not valid UTF-8`);
      }
    });
  }
  return values as unknown[];
}

function shapeOf(name: string, dims: Int64[]): number[] {
  if (dims.length > 16) throw invalidInput(`input '${name}' has ${dims.length} dimensions, more than 16`);
  const shape = dims.map(int64);
  for (const d of shape) if (!Number.isSafeInteger(d) || d < 0) throw invalidInput(`input '${name}' has a negative or huge dimension in [${shape.join(', ')}]`);
  return shape;
}

/** An output's elements as little-endian bytes (BYTES: each a 4-byte length and its UTF-8 bytes), a view where possible. */
function rawBytes(t: HostTensor): Uint8Array {
  if (!Array.isArray(t.data)) return new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  const parts = t.data.map((s) => Buffer.from(s, 'utf8'));
  const out = Buffer.allocUnsafe(parts.reduce((n, p) => n + 4 + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.writeUInt32LE(p.length, at);
    p.copy(out, at + 4);
    at += 4 + p.length;
  }
  return out;
}

/**
 * OIP V2 over gRPC (ModelInfer) as the data plane sees it. Inputs come as `raw_input_contents`
 * (views over the received message, never copied unless misaligned) or typed `contents`; outputs
 * go out as `raw_output_contents`, as Triton answers. The head is the serialised cacheable part
 * of ModelInferResponse (names, versions, shapes, bytes), kept in the cache entry; `finish`
 * appends the request's own `id` and `parameters.route` (protobuf merges concatenated messages),
 * so a cache hit serialises only those few bytes.
 */
export function grpcProtocol(protos: Protos): Protocol<ModelInferRequestMsg, Buffer, Buffer> {
  const { ModelInferResponse } = protos;
  return {
    name: 'grpc',

    parse(msg: ModelInferRequestMsg): ParsedRequest {
      const { inputs, raw_input_contents: raw } = msg;
      if (inputs.length === 0) throw invalidInput('the request has no inputs');
      if (raw.length > 0 && raw.length !== inputs.length) {
        throw invalidInput(`raw_input_contents has ${raw.length} entries for ${inputs.length} inputs: give one per input, in order`);
      }
      const tensors: RequestTensor[] = inputs.map((t, i) => {
        const { name, datatype } = t;
        if (name.length === 0 || name.length > MAX_NAME) throw invalidInput(`input ${i} needs a name of 1 to ${MAX_NAME} characters`);
        if (!DATATYPES.has(datatype)) throw invalidInput(`input '${name}' has an unknown datatype '${datatype.slice(0, 32)}'`);
        const shape = shapeOf(name, t.shape);
        const dt = datatype as OipDatatype;
        if (raw.length > 0) {
          if (t.contents) throw invalidInput(`input '${name}' has contents although raw_input_contents is used: give one or the other`);
          return { name, datatype: dt, shape, raw: raw[i] as Uint8Array };
        }
        return { name, datatype: dt, shape, data: typedData(name, dt, t.contents) } satisfies JsonTensor;
      });
      const id = msg.id.length > 0 ? msg.id : undefined;
      if (id !== undefined && id.length > MAX_NAME) throw invalidInput(`id is longer than ${MAX_NAME} characters`);
      return {
        input: { kind: 'tensors', tensors },
        outputs: msg.outputs.length > 0 ? msg.outputs.map((o) => o.name) : undefined,
        parameters: parameters(msg.parameters),
        id,
      };
    },

    render(lv: LoadedVersion, outputs: TensorMap): Buffer {
      const listed = lv.manifest.outputs.map((o) => o.name).filter((n) => outputs[n]);
      const order = listed.length > 0 ? listed : Object.keys(outputs);
      const tensors = order.map((name) => outputs[name] as HostTensor);
      const bytes = ModelInferResponse.encode({
        model_name: lv.name,
        model_version: lv.version,
        outputs: order.map((name, i) => ({ name, datatype: ortToOip((tensors[i] as HostTensor).type), shape: (tensors[i] as HostTensor).dims })),
        raw_output_contents: tensors.map(rawBytes),
      }).finish();
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    },

    finish(head: Buffer, requestId: string, request: ParsedRequest, route: string): Buffer {
      // id = 3; parameters = 4: map entry { key = 1: "route", value = 2: InferParameter { string_param = 3 } }.
      const w = protobuf.Writer.create();
      w.uint32(26).string(request.id ?? requestId);
      w.uint32(34).fork().uint32(10).string('route').uint32(18).fork().uint32(26).string(route).ldelim().ldelim();
      const tail = w.finish();
      return Buffer.concat([head, tail], head.length + tail.length);
    },
  };
}
