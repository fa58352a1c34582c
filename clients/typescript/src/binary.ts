import type { components } from './schema.js';

type Datatype = components['schemas']['InferenceHeader']['inputs'][number]['datatype'];

/** A typed array per OIP datatype (BYTES is not sent as binary here). */
export type TensorData = Float32Array | Float64Array | Int8Array | Int16Array | Int32Array | BigInt64Array | Uint8Array | Uint16Array | Uint32Array | BigUint64Array;

/** A tensor sent or received as raw little-endian bytes (OIP's binary tensor extension). */
export interface BinaryTensor {
  name: string;
  datatype: Exclude<Datatype, 'BYTES'>;
  shape: number[];
  data: TensorData;
}

const ARRAYS = {
  BOOL: Uint8Array,
  UINT8: Uint8Array,
  UINT16: Uint16Array,
  UINT32: Uint32Array,
  UINT64: BigUint64Array,
  INT8: Int8Array,
  INT16: Int16Array,
  INT32: Int32Array,
  INT64: BigInt64Array,
  FP16: Uint16Array,
  FP32: Float32Array,
  FP64: Float64Array,
} as const;

const bytesOf = (d: TensorData) => new Uint8Array(d.buffer, d.byteOffset, d.byteLength);

/** The request body: the JSON inference header, then each input's bytes; and the header's length. */
export function encodeBinaryRequest(inputs: readonly BinaryTensor[], binaryOutputs: boolean): { body: Uint8Array<ArrayBuffer>; headerLength: number } {
  const header = {
    inputs: inputs.map((t) => ({ name: t.name, datatype: t.datatype, shape: t.shape, parameters: { binary_data_size: t.data.byteLength } })),
    ...(binaryOutputs ? { parameters: { binary_data_output: true } } : {}),
  };
  const head = new TextEncoder().encode(JSON.stringify(header));
  const body = new Uint8Array(head.byteLength + inputs.reduce((n, t) => n + t.data.byteLength, 0));
  body.set(head, 0);
  let at = head.byteLength;
  for (const t of inputs) {
    body.set(bytesOf(t.data), at);
    at += t.data.byteLength;
  }
  return { body, headerLength: head.byteLength };
}

type OutputHeader = components['schemas']['InferResponse'];

/** An answer with binary outputs: the JSON header, and each binary output's bytes as its typed array. */
export function decodeBinaryResponse(bytes: Uint8Array, headerLength: number): { header: OutputHeader; tensors: Map<string, TensorData> } {
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(0, headerLength))) as OutputHeader;
  const tensors = new Map<string, TensorData>();
  let at = headerLength;
  for (const o of header.outputs) {
    const size = o.parameters?.binary_data_size;
    if (size === undefined) continue;
    const Array = ARRAYS[o.datatype as keyof typeof ARRAYS] ?? Uint8Array;
    // A copy: the typed array needs its own aligned buffer.
    const copy = bytes.slice(at, at + size);
    tensors.set(o.name, new Array(copy.buffer, 0, size / Array.BYTES_PER_ELEMENT));
    at += size;
  }
  return { header, tensors };
}
