import { digester, type Digest, type Digester } from './digest.js';
import type { HostTensor, TensorMap, TensorType } from './tensor.js';

/**
 * Tensors as bytes, for digests and stored outputs: each tensor (sorted by name) as its name,
 * type code, dims and raw little-endian bytes (strings: their JSON). The prediction trace stores
 * outputs in this form, and one digest over it (digest.ts: BLAKE3, else SHA-256) is both a trace
 * record's input hash and the prediction cache's key for large inputs, computed once per input
 * (`tensorsDigest`).
 */
export const TENSOR_TYPES: readonly TensorType[] = [
  'bool', 'uint8', 'uint16', 'uint32', 'uint64', 'int8', 'int16', 'int32', 'int64', 'float16', 'float32', 'float64', 'string',
];
const TYPE_CODE = new Map(TENSOR_TYPES.map((t, i) => [t, i]));

/** Inputs larger than this are hashed piece by piece over their own bytes instead of copied first. */
const COPY_MAX = 64 * 1024;

let scratch = Buffer.allocUnsafe(64 * 1024);
const digests = new WeakMap<TensorMap, Digest>();

function bytesOf(t: HostTensor): Uint8Array {
  const d = t.data;
  if (Array.isArray(d)) return Buffer.from(JSON.stringify(d), 'utf8');
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
}

/** Write every tensor of a map at `at` (room: `tensorsBytes(map)`); returns the end. */
export function writeTensors(map: TensorMap, buf: Buffer, at: number): number {
  const names = sortedNames(map);
  let p = buf.writeUInt16LE(names.length, at);
  for (const name of names) {
    const t = map[name] as HostTensor;
    const bytes = bytesOf(t);
    p = writeTensorHead(buf, p, name, t, bytes.byteLength);
    const n = bytes.byteLength;
    // A few dozen bytes copy faster in JS than through a native call.
    if (n <= 64) for (let i = 0; i < n; i++) buf[p + i] = bytes[i] as number;
    else buf.set(bytes, p);
    p += n;
  }
  return p;
}

/** An upper bound of the bytes `writeTensors` writes (names may be shorter in UTF-8). */
export function tensorsBytes(map: TensorMap): number {
  let n = 2;
  for (const name in map) {
    const t = map[name] as HostTensor;
    const d = t.data;
    n += 1 + 3 * name.length + 2 + 4 * t.dims.length + 4 + (Array.isArray(d) ? Buffer.byteLength(JSON.stringify(d)) : d.byteLength);
  }
  return n;
}

/**
 * The digest of a map's tensors as `writeTensors` lays them out. Small maps are copied and hashed
 * in one call; large ones (an image) are hashed over their own bytes, never copied, and remembered
 * per map object: the cache key and the trace record of one request share that one digest.
 */
export function tensorsDigest(map: TensorMap, d: Digester = digester): Digest {
  const need = tensorsBytes(map);
  if (need <= COPY_MAX) {
    // Cheaper to hash again than to remember: a WeakMap entry per uncached request costs the GC more.
    if (need > scratch.length) scratch = Buffer.allocUnsafe(need * 2);
    return d.once(scratch.subarray(0, writeTensors(map, scratch, 0)));
  }
  let digest = digests.get(map);
  if (digest !== undefined && digest.algorithm === d.algorithm) return digest;
  const names = sortedNames(map);
  const head = Buffer.allocUnsafe(2 + 256 + 2 + 4 * 32 + 4);
  d.begin().update(head.subarray(0, head.writeUInt16LE(names.length, 0)));
  for (const name of names) {
    const t = map[name] as HostTensor;
    const bytes = bytesOf(t);
    const room = 1 + 3 * name.length + 2 + 4 * t.dims.length + 4;
    const buf = room <= head.length ? head : Buffer.allocUnsafe(room);
    d.update(buf.subarray(0, writeTensorHead(buf, 0, name, t, bytes.byteLength)));
    d.update(bytes);
  }
  digest = d.end();
  digests.set(map, digest);
  return digest;
}

function sortedNames(map: TensorMap): string[] {
  const names = Object.keys(map);
  if (names.length > 1) names.sort();
  return names;
}

function writeTensorHead(buf: Buffer, at: number, name: string, t: HostTensor, byteLength: number): number {
  let p = writeStr(buf, at, name);
  buf[p++] = TYPE_CODE.get(t.type) ?? 255;
  buf[p++] = t.dims.length;
  for (const d of t.dims) p = buf.writeUInt32LE(d, p);
  return buf.writeUInt32LE(byteLength, p);
}

/** A short string with a length byte. ASCII (ids, names, routes) is copied in JS: a native write costs more than the copy. */
export function writeStr(buf: Buffer, at: number, s: string): number {
  const len = s.length;
  if (len <= 255) {
    let i = 0;
    for (; i < len; i++) {
      const c = s.charCodeAt(i);
      if (c > 0x7f) break;
      buf[at + 1 + i] = c;
    }
    if (i === len) {
      buf[at] = len;
      return at + 1 + len;
    }
  }
  const n = buf.write(s, at + 1, 255, 'utf8');
  buf[at] = n;
  return at + 1 + n;
}

