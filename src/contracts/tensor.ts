import type { OipDatatype } from './manifest.js';

/**
 * A plain host tensor: what crosses every boundary below HTTP (cache, batching, worker threads).
 * Its element type names follow onnxruntime's; data is the typed array ORT reads and writes.
 */
export type TensorType =
  | 'bool' | 'uint8' | 'uint16' | 'uint32' | 'uint64' | 'int8' | 'int16' | 'int32' | 'int64'
  | 'float16' | 'float32' | 'float64' | 'string';

export type TensorData =
  | Float32Array | Float64Array | Int8Array | Int16Array | Int32Array | BigInt64Array
  | Uint8Array | Uint16Array | Uint32Array | BigUint64Array | string[];

export interface HostTensor {
  type: TensorType;
  dims: number[];
  data: TensorData;
}

export type TensorMap = Record<string, HostTensor>;

const OIP_TO_ORT: Record<OipDatatype, TensorType> = {
  BOOL: 'bool', UINT8: 'uint8', UINT16: 'uint16', UINT32: 'uint32', UINT64: 'uint64',
  INT8: 'int8', INT16: 'int16', INT32: 'int32', INT64: 'int64',
  FP16: 'float16', FP32: 'float32', FP64: 'float64', BYTES: 'string',
};
const ORT_TO_OIP = Object.fromEntries(Object.entries(OIP_TO_ORT).map(([k, v]) => [v, k])) as Record<
  TensorType,
  OipDatatype
>;

export const oipToOrt = (d: OipDatatype): TensorType => OIP_TO_ORT[d];
export const ortToOip = (t: TensorType): OipDatatype => ORT_TO_OIP[t];

export const elementCount = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1);

/** Integer ranges of the integer types that JSON numbers can reach exactly. */
const INT_RANGE: Partial<Record<TensorType, [number, number]>> = {
  int8: [-128, 127], int16: [-32768, 32767], int32: [-2147483648, 2147483647],
  uint8: [0, 255], uint16: [0, 65535], uint32: [0, 4294967295],
  int64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER], uint64: [0, Number.MAX_SAFE_INTEGER],
};

/** Why a value cannot be encoded; the caller turns it into a 400 naming the tensor. */
export class TensorEncodeError extends Error {}

/**
 * Encode a flat array of JSON values as the typed array of `type`. Refuses, with the offending
 * index, what the type cannot hold exactly: NaN/Infinity never reach a model.
 */
export function encodeTensorData(type: TensorType, values: readonly unknown[]): TensorData {
  const n = values.length;
  if (type === 'string') {
    const out: string[] = new Array<string>(n);
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (typeof v !== 'string') throw new TensorEncodeError(`element ${i} must be a string`);
      out[i] = v;
    }
    return out;
  }
  if (type === 'bool') {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (v === true || v === 1) out[i] = 1;
      else if (v !== false && v !== 0) throw new TensorEncodeError(`element ${i} must be a boolean`);
    }
    return out;
  }
  const out = allocate(type, n);
  const range = INT_RANGE[type];
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new TensorEncodeError(`element ${i} must be a finite number`);
    }
    if (range) {
      if (!Number.isInteger(v) || v < range[0] || v > range[1]) {
        throw new TensorEncodeError(`element ${i} must be an integer in [${range[0]}, ${range[1]}]`);
      }
      if (out instanceof BigInt64Array || out instanceof BigUint64Array) out[i] = BigInt(v);
      else (out as Int32Array)[i] = v;
    } else if (type === 'float16') {
      // Like float32 overflow: a value that would silently become Infinity is refused.
      if (Math.abs(v) > 65504) throw new TensorEncodeError(`element ${i} overflows float16 (largest finite value 65504)`);
      (out as Uint16Array)[i] = toHalf(v);
    } else {
      if (type === 'float32' && Math.abs(v) > 3.4028234663852886e38) {
        throw new TensorEncodeError(`element ${i} overflows float32`);
      }
      (out as Float32Array)[i] = v;
    }
  }
  return out;
}

/**
 * Decode a host tensor's data to JSON-friendly values (int64 as numbers, fp16 as floats).
 * JSON has no NaN or Infinity (JSON.stringify would write null): non-finite floats become the
 * strings "NaN", "Infinity" and "-Infinity", as in the protobuf JSON mapping (documented in the README).
 */
export function decodeTensorData(t: HostTensor): (number | string | boolean)[] {
  const d = t.data;
  if (Array.isArray(d)) return d;
  if (t.type === 'bool') return Array.from(d as Uint8Array, (x) => x !== 0);
  if (t.type === 'float16') return finite(Array.from(d as Uint16Array, fromHalf));
  if (d instanceof BigInt64Array || d instanceof BigUint64Array) return Array.from(d, (x) => Number(x));
  const values = Array.from(d as Float32Array);
  return t.type === 'float32' || t.type === 'float64' ? finite(values) : values;
}

/**
 * A numeric tensor's data as the JSON text of `decodeTensorData` (non-finite floats as their
 * names), written straight from the typed array: no intermediate array, no generic stringify.
 * Undefined for the kinds decodeTensorData converts (bool, float16, 64-bit ints, strings).
 */
export function tensorDataJson(t: HostTensor): string | undefined {
  const d = t.data;
  if (Array.isArray(d) || t.type === 'bool' || t.type === 'float16' || d instanceof BigInt64Array || d instanceof BigUint64Array) return undefined;
  const values = d as ArrayLike<number>;
  let json = '[';
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (i > 0) json += ',';
    json += Number.isFinite(v) ? String(v) : Number.isNaN(v) ? '"NaN"' : v > 0 ? '"Infinity"' : '"-Infinity"';
  }
  return `${json}]`;
}

/** Non-finite floats as their JSON-safe names; the common all-finite case allocates nothing more. */
function finite(values: number[]): (number | string)[] {
  let out: (number | string)[] | undefined;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (Number.isFinite(v)) continue;
    out ??= values.slice();
    out[i] = Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
  }
  return out ?? values;
}

type NumericType = Exclude<TensorType, 'string'>;
type TypedArrayCtor = { new (n: number): Exclude<TensorData, string[]>; new (b: ArrayBuffer): Exclude<TensorData, string[]> };

/** The typed array that holds each numeric element type (fp16 as its raw bits, bool as bytes). */
const TYPED_ARRAY: Record<NumericType, TypedArrayCtor> = {
  float32: Float32Array, float64: Float64Array, float16: Uint16Array,
  int8: Int8Array, int16: Int16Array, int32: Int32Array, int64: BigInt64Array,
  uint8: Uint8Array, bool: Uint8Array, uint16: Uint16Array, uint32: Uint32Array, uint64: BigUint64Array,
};

function allocate(type: TensorType, n: number): TensorData {
  return type === 'string' ? new Array<string>(n) : new TYPED_ARRAY[type](n);
}

/** A tensor's data over raw little-endian bytes (an exact-size copy's buffer); strings are their JSON. */
export function tensorDataFromBytes(type: TensorType, bytes: Uint8Array): TensorData {
  if (type === 'string') return JSON.parse(Buffer.from(bytes).toString('utf8')) as string[];
  const own = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
  return new TYPED_ARRAY[type](own.buffer as ArrayBuffer);
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE 754 binary16 bits of a number (round to nearest even), for FP16 inputs. */
export function toHalf(value: number): number {
  f32[0] = value;
  const x = u32[0] ?? 0;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rem > mid || (rem === mid && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && half & 1)) half++;
  e = half >>> 10;
  return sign | half;
}

export function fromHalf(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}
