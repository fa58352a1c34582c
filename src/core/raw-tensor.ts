import type { RawTensor } from '../contracts/prediction.js';
import { invalidInput } from '../errors/index.js';
import type { HostTensor, TensorData, TensorType } from '../contracts/tensor.js';

type Numeric = Exclude<TensorType, 'string'>;
type View = Exclude<TensorData, string[]>;
type ViewCtor = { readonly BYTES_PER_ELEMENT: number; new (buffer: ArrayBuffer, offset: number, length: number): View; new (length: number): View };

/** The typed array over each element type's little-endian bytes (FP16 as its raw bits, BOOL as bytes). */
const VIEW: Record<Numeric, ViewCtor> = {
  float32: Float32Array, float64: Float64Array, float16: Uint16Array,
  int8: Int8Array, int16: Int16Array, int32: Int32Array, int64: BigInt64Array,
  uint8: Uint8Array, bool: Uint8Array, uint16: Uint16Array, uint32: Uint32Array, uint64: BigUint64Array,
};

/**
 * A binary tensor (OIP binary extension, gRPC raw contents) as a host tensor: a typed-array view
 * over the received bytes where their offset is aligned for the element type, else one copy.
 * The byte count must be exactly what the shape needs; BYTES elements are each a 4-byte
 * little-endian length and that many bytes (UTF-8). Every refusal names the tensor.
 */
export function decodeRawTensor(t: RawTensor, type: TensorType, elements: number): HostTensor {
  const dims = [...t.shape];
  if (type === 'string') return { type, dims, data: decodeBytesElements(t, elements) };
  const Ctor = VIEW[type];
  const size = Ctor.BYTES_PER_ELEMENT;
  const raw = t.raw;
  if (raw.byteLength !== elements * size) {
    throw invalidInput(
      `input '${t.name}' has ${raw.byteLength} bytes of data but shape [${t.shape.join(', ')}] of ${t.datatype} needs ${elements * size}`,
    );
  }
  let data: View;
  if (raw.byteOffset % size === 0) {
    data = new Ctor(raw.buffer as ArrayBuffer, raw.byteOffset, elements);
  } else {
    data = new Ctor(elements);
    new Uint8Array(data.buffer).set(raw);
  }
  if (type === 'bool') {
    const bytes = data as Uint8Array;
    for (let i = 0; i < bytes.length; i++) {
      if (bytes[i] as number > 1) throw invalidInput(`input '${t.name}' (BOOL): element ${i} is byte ${bytes[i]}, not 0 or 1`);
    }
  }
  return { type, dims, data };
}

/** BYTES: `elements` strings, each a uint32 little-endian length and its bytes, filling the data exactly. */
function decodeBytesElements(t: RawTensor, elements: number): string[] {
  const raw = t.raw;
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const out = new Array<string>(elements);
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let p = 0;
  for (let i = 0; i < elements; i++) {
    if (p + 4 > raw.byteLength) throw invalidInput(`input '${t.name}' (BYTES): data ends before element ${i} of ${elements}`);
    const n = view.getUint32(p, true);
    p += 4;
    if (p + n > raw.byteLength) throw invalidInput(`input '${t.name}' (BYTES): element ${i} declares ${n} bytes, past the end of the data`);
    try {
      out[i] = decoder.decode(raw.subarray(p, p + n));
    } catch {
      throw invalidInput(`input '${t.name}' (BYTES): element ${i} is not valid UTF-8`);
    }
    p += n;
  }
  if (p !== raw.byteLength) throw invalidInput(`input '${t.name}' (BYTES): ${raw.byteLength - p} bytes left over after ${elements} elements`);
  return out;
}
