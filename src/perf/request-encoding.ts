import type { TensorSet } from './model-inputs.js';

export type HttpProtocol = 'v1' | 'oip-json' | 'oip-binary';
export type Protocol = HttpProtocol | 'grpc';

/** One encoded request: its body and the headers that say how it is encoded. */
export interface EncodedRequest {
  body: string | Buffer;
  headers: Record<string, string>;
}

const JSON_HEADERS = { 'content-type': 'application/json' };

export function encodeOipJson(set: TensorSet): EncodedRequest {
  return { body: JSON.stringify({ inputs: set.tensors }), headers: JSON_HEADERS };
}

export function encodeV1(instances: Record<string, unknown>[]): EncodedRequest {
  return { body: JSON.stringify({ instances }), headers: JSON_HEADERS };
}

/**
 * Triton's binary tensor extension over HTTP: the JSON head (each input with
 * `parameters.binary_data_size` instead of `data`), then every input's raw little-endian bytes in
 * order; `Inference-Header-Content-Length` gives the head's length.
 */
export function encodeOipBinary(set: TensorSet): EncodedRequest {
  const raws = set.tensors.map((t) => tensorBytes(t.datatype, t.data));
  const head = Buffer.from(
    JSON.stringify({
      inputs: set.tensors.map((t, i) => ({ name: t.name, datatype: t.datatype, shape: t.shape, parameters: { binary_data_size: raws[i]?.length ?? 0 } })),
    }),
  );
  return {
    body: Buffer.concat([head, ...raws]),
    headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': String(head.length) },
  };
}

const TYPED: Record<string, (n: number) => { view: ArrayBufferView; set: (i: number, v: number) => void }> = {
  FP32: (n) => typed(new Float32Array(n)),
  FP64: (n) => typed(new Float64Array(n)),
  INT8: (n) => typed(new Int8Array(n)),
  INT16: (n) => typed(new Int16Array(n)),
  INT32: (n) => typed(new Int32Array(n)),
  UINT8: (n) => typed(new Uint8Array(n)),
  UINT16: (n) => typed(new Uint16Array(n)),
  UINT32: (n) => typed(new Uint32Array(n)),
  INT64: (n) => bigTyped(new BigInt64Array(n)),
  UINT64: (n) => bigTyped(new BigUint64Array(n)),
};

function typed(a: Float32Array | Float64Array | Int8Array | Int16Array | Int32Array | Uint8Array | Uint16Array | Uint32Array) {
  return { view: a, set: (i: number, v: number) => void (a[i] = v) };
}
function bigTyped(a: BigInt64Array | BigUint64Array) {
  return { view: a, set: (i: number, v: number) => void (a[i] = BigInt(Math.trunc(v))) };
}

/** A tensor's raw bytes as the binary extension and gRPC's raw contents carry them (little-endian; BYTES length-prefixed). */
export function tensorBytes(datatype: string, data: number[] | string[] | boolean[]): Buffer {
  if (datatype === 'BOOL') return Buffer.from((data as boolean[]).map((b) => (b ? 1 : 0)));
  if (datatype === 'BYTES') {
    return Buffer.concat(
      (data as string[]).flatMap((s) => {
        const bytes = Buffer.from(String(s));
        const len = Buffer.alloc(4);
        len.writeUInt32LE(bytes.length);
        return [len, bytes];
      }),
    );
  }
  const make = TYPED[datatype];
  if (!make) throw new Error(`datatype ${datatype} has no binary encoding here; use --protocol oip-json`);
  const { view, set } = make(data.length);
  (data as number[]).forEach((v, i) => set(i, Number(v)));
  // Typed arrays are in the platform's order: every platform Node supports here is little-endian.
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
}
