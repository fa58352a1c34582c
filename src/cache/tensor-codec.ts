import { GatewayError } from '../errors/index.js';
import type { HostTensor, TensorMap, TensorType } from '../contracts/tensor.js';

/**
 * A compact binary form of a TensorMap for the shared cache tier: per tensor its name, type,
 * dims and raw bytes (strings as JSON). A 1x1 float32 output is ~20 bytes, against ~90 for JSON
 * with base64; decoding copies each tensor's bytes once (typed arrays need aligned memory).
 */
const TYPES: readonly TensorType[] = [
  'bool', 'uint8', 'uint16', 'uint32', 'uint64', 'int8', 'int16', 'int32', 'int64', 'float16', 'float32', 'float64', 'string',
];
const FORMAT = 1;

type Ctor = { new (buffer: ArrayBuffer): Exclude<HostTensor['data'], string[]> };
const ARRAYS: Record<Exclude<TensorType, 'string'>, Ctor> = {
  bool: Uint8Array, uint8: Uint8Array, uint16: Uint16Array, uint32: Uint32Array, uint64: BigUint64Array,
  int8: Int8Array, int16: Int16Array, int32: Int32Array, int64: BigInt64Array,
  float16: Uint16Array, float32: Float32Array, float64: Float64Array,
};

export function encodeTensors(tensors: TensorMap): Buffer {
  const parts: Buffer[] = [];
  const names = Object.keys(tensors);
  const head = Buffer.alloc(2);
  head.writeUInt8(FORMAT, 0);
  head.writeUInt8(names.length, 1);
  parts.push(head);
  for (const name of names) {
    const t = tensors[name] as HostTensor;
    const nameBytes = Buffer.from(name, 'utf8');
    const data = Array.isArray(t.data)
      ? Buffer.from(JSON.stringify(t.data), 'utf8')
      : Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    const meta = Buffer.alloc(2 + nameBytes.length + 2 + t.dims.length * 4 + 4);
    let o = meta.writeUInt16LE(nameBytes.length, 0);
    o += nameBytes.copy(meta, o);
    o = meta.writeUInt8(TYPES.indexOf(t.type), o);
    o = meta.writeUInt8(t.dims.length, o);
    for (const d of t.dims) o = meta.writeUInt32LE(d, o);
    meta.writeUInt32LE(data.byteLength, o);
    parts.push(meta, data);
  }
  return Buffer.concat(parts);
}

/** The tensors of an encoded buffer; a malformed one (another format, a truncated value) throws. */
export function decodeTensors(buf: Buffer): TensorMap {
  if (buf.length < 2 || buf.readUInt8(0) !== FORMAT) throw corrupt();
  const out: TensorMap = {};
  const count = buf.readUInt8(1);
  let o = 2;
  for (let i = 0; i < count; i++) {
    const nameLen = buf.readUInt16LE(o);
    const name = buf.toString('utf8', o + 2, o + 2 + nameLen);
    o += 2 + nameLen;
    const type = TYPES[buf.readUInt8(o)];
    const ndims = buf.readUInt8(o + 1);
    o += 2;
    const dims: number[] = [];
    for (let d = 0; d < ndims; d++, o += 4) dims.push(buf.readUInt32LE(o));
    const len = buf.readUInt32LE(o);
    o += 4;
    if (type === undefined || o + len > buf.length) throw corrupt();
    const bytes = buf.subarray(o, o + len);
    o += len;
    if (type === 'string') {
      out[name] = { type, dims, data: JSON.parse(bytes.toString('utf8')) as string[] };
    } else {
      const copy = new ArrayBuffer(len);
      new Uint8Array(copy).set(bytes);
      out[name] = { type, dims, data: new ARRAYS[type](copy) };
    }
  }
  return out;
}

const corrupt = () => new GatewayError('internal', 500, 'a shared cache entry could not be decoded');
