import { decodeTensorData, tensorDataFromBytes, type TensorMap, type TensorType } from '../contracts/tensor.js';
import { TENSOR_TYPES, tensorsBytes, tensorsDigest, writeStr, writeTensors } from '../contracts/tensor-bytes.js';

/** One traced prediction as the API shows it. */
export interface TraceRecord {
  requestId: string;
  at: string;
  model: string;
  version: string;
  /** The version's registry stage when the prediction was answered. */
  stage: string | null;
  /** pinned | flag:<variant> | fallback:<reason> */
  route: string;
  /** path:<v> or header:<v> when the caller pinned a version or alias. */
  pin: string | null;
  cache: string;
  /** `<algorithm>:<hex>` of the inputs' canonical bytes (names, types, shapes, raw bytes): `blake3:...`, or `sha256:...` where BLAKE3 is unavailable and in records written before it was used. */
  inputDigest: string;
  /** The outputs (name -> type, shape, data), or null when they were larger than maxOutputBytes... */
  output: Record<string, { type: string; shape: number[]; data: unknown[] }> | null;
  /** ...then only their digest is kept, as inputDigest is. */
  outputDigest: string | null;
  latencyMs: number;
  /** The request's input tensors, when `trace.captureInputs` recorded them (absent otherwise). */
  input?: Record<string, { type: string; shape: number[]; data: unknown[] }>;
  /** The request's OpenTelemetry trace id (32 hex digits) when it was traced, else null (and in records written before it existed). */
  traceId: string | null;
}

/** The per-request fields of a record; the payload (input hash + outputs) may be shared by many. */
export interface TraceHeader {
  requestId: string;
  atMs: number;
  latencyMs: number;
  model: string;
  version: string;
  stage: string;
  route: string;
  pin: string;
  cache: 'hit' | 'miss' | 'bypass';
  /** A traced request's trace id (32 hex digits). */
  traceId?: string;
}

const TYPES: readonly TensorType[] = TENSOR_TYPES;
const CACHE = ['hit', 'miss', 'bypass'] as const;
const FORMAT = 1;
const OUTPUT_DIGEST = 1;
/** Payload flag: the input tensors follow the input digest (u32 length, then writeTensors' layout). */
const INPUTS_CAPTURED = 2;
/** Payload flags: the input (output) digest is BLAKE3; clear, SHA-256 (every record written before BLAKE3). */
const INPUT_BLAKE3 = 4;
const OUTPUT_BLAKE3 = 8;
/** length, format, cache, flags, atMs, latencyMs */
const FIXED = 4 + 1 + 1 + 2 + 8 + 4;
/**
 * Header flag (the u16 at offset 6, 0 in records written before flags were used): 16 bytes of
 * trace id follow the six strings. A reader that knows no flag still reads the request id and the
 * length, so format 1 stays one format and older files read as they did.
 */
const HAS_TRACE_ID = 0x0001;
const TRACE_ID_BYTES = 16;
const TRACE_ID = /^[0-9a-f]{32}$/;
/** A record's worst-case header: fixed fields, six strings of at most 255 bytes, a trace id. */
export const MAX_HEADER_BYTES = FIXED + 6 * 256 + TRACE_ID_BYTES;

/**
 * The shared part of a record: the input's digest, the inputs themselves only when `captureInputs`
 * (opt-in, size-capped by the caller), and the outputs, raw, when they fit in maxOutputBytes, else
 * their digest. Made once per cache entry. Layout: flags, input digest (32 bytes), [u32 length +
 * input tensors when flags has INPUTS_CAPTURED], then the outputs (or their digest) to the record's
 * end; records written before a flag existed never set it, so they decode as before.
 */
export function encodePayload(inputs: TensorMap, outputs: TensorMap, maxOutputBytes: number, captureInputs = false): Buffer {
  const inputDigest = tensorsDigest(inputs);
  const size = tensorsBytes(outputs);
  const stored = size <= maxOutputBytes;
  const inputRoom = captureInputs ? 4 + tensorsBytes(inputs) : 0;
  const out = Buffer.allocUnsafe(1 + 32 + inputRoom + (stored ? size : 32));
  out[0] = (stored ? 0 : OUTPUT_DIGEST) | (captureInputs ? INPUTS_CAPTURED : 0) | (inputDigest.algorithm === 'blake3' ? INPUT_BLAKE3 : 0);
  out.write(inputDigest.base64, 1, 32, 'base64');
  let p = 33;
  if (captureInputs) {
    const end = writeTensors(inputs, out, p + 4);
    out.writeUInt32LE(end - p - 4, p);
    p = end;
  }
  if (!stored) {
    const outputDigest = tensorsDigest(outputs);
    if (outputDigest.algorithm === 'blake3') out[0] |= OUTPUT_BLAKE3;
    out.write(outputDigest.base64, p, 32, 'base64');
    return out.subarray(0, p + 32);
  }
  // tensorsBytes is an upper bound (names may be shorter in UTF-8): keep what was written.
  return out.subarray(0, writeTensors(outputs, out, p));
}

/** The model of the record at `at`, when the record carries captured inputs (a scan's cheap filter). */
export function capturedModel(buf: Buffer, at: number): string | undefined {
  let p = at + FIXED;
  p += 1 + (buf[p] as number);
  const model = buf.toString('utf8', p + 1, p + 1 + (buf[p] as number));
  // Past model, version, stage, route, pin and the trace id: keep in step with writeRecord.
  for (let i = 0; i < 5; i++) p += 1 + (buf[p] as number);
  if (buf.readUInt16LE(at + 6) & HAS_TRACE_ID) p += TRACE_ID_BYTES;
  return (buf[p] as number) & INPUTS_CAPTURED ? model : undefined;
}

/** Append one record at `at` (the caller guarantees MAX_HEADER_BYTES + payload bytes of room); returns the end. */
export function writeRecord(buf: Buffer, at: number, h: TraceHeader, payload: Uint8Array): number {
  buf[at + 4] = FORMAT;
  buf[at + 5] = h.cache === 'hit' ? 0 : h.cache === 'miss' ? 1 : 2;
  const traced = h.traceId !== undefined && TRACE_ID.test(h.traceId);
  buf.writeUInt16LE(traced ? HAS_TRACE_ID : 0, at + 6);
  buf.writeDoubleLE(h.atMs, at + 8);
  buf.writeFloatLE(h.latencyMs, at + 16);
  let p = at + FIXED;
  p = writeStr(buf, p, h.requestId);
  p = writeStr(buf, p, h.model);
  p = writeStr(buf, p, h.version);
  p = writeStr(buf, p, h.stage);
  p = writeStr(buf, p, h.route);
  p = writeStr(buf, p, h.pin);
  if (traced) p += buf.write(h.traceId as string, p, TRACE_ID_BYTES, 'hex');
  buf.set(payload, p);
  p += payload.byteLength;
  buf.writeUInt32LE(p - at, at);
  return p;
}

/** The request id of the record at `at` (index rebuilds read only this). */
export function readRequestId(buf: Buffer, at: number): string {
  const p = at + FIXED;
  return buf.toString('utf8', p + 1, p + 1 + (buf[p] as number));
}

/** The length of the record starting at `at`, 0 when the bytes there are not a whole record. */
export function recordLength(buf: Buffer, at: number): number {
  if (at + FIXED > buf.length) return 0;
  const n = buf.readUInt32LE(at);
  return n >= FIXED && at + n <= buf.length && buf[at + 4] === FORMAT ? n : 0;
}

/** Decode one whole record (as returned by recordLength) into what the API shows. */
export function decodeRecord(buf: Buffer): TraceRecord {
  let p = FIXED;
  const str = () => {
    const n = buf[p] as number;
    const s = buf.toString('utf8', p + 1, p + 1 + n);
    p += 1 + n;
    return s;
  };
  const requestId = str();
  const model = str();
  const version = str();
  const stage = str();
  const route = str();
  const pin = str();
  let traceId: string | null = null;
  if (buf.readUInt16LE(6) & HAS_TRACE_ID) {
    traceId = buf.toString('hex', p, p + TRACE_ID_BYTES);
    p += TRACE_ID_BYTES;
  }
  const flags = buf[p] as number;
  const inputDigest = digestText(flags & INPUT_BLAKE3, buf, p + 1);
  p += 33;
  let input: TraceRecord['input'];
  if (flags & INPUTS_CAPTURED) {
    const n = buf.readUInt32LE(p);
    input = decodeTensors(buf.subarray(p + 4, p + 4 + n));
    p += 4 + n;
  }
  let output: TraceRecord['output'] = null;
  let outputDigest: string | null = null;
  if (flags & OUTPUT_DIGEST) {
    outputDigest = digestText(flags & OUTPUT_BLAKE3, buf, p);
  } else {
    const raw = buf.subarray(p);
    output = decodeTensors(raw);
  }
  return {
    requestId,
    at: new Date(buf.readDoubleLE(8)).toISOString(),
    model,
    version,
    stage: stage || null,
    route,
    pin: pin || null,
    cache: CACHE[buf[5] as number] ?? 'bypass',
    inputDigest,
    output,
    outputDigest,
    latencyMs: Math.round(buf.readFloatLE(16) * 1000) / 1000,
    ...(input ? { input } : {}),
    traceId,
  };
}

/** A stored 32-byte digest as the API shows it: `<algorithm>:<hex>`. */
function digestText(blake3: number, buf: Buffer, at: number): string {
  return `${blake3 ? 'blake3' : 'sha256'}:${buf.toString('hex', at, at + 32)}`;
}

function decodeTensors(buf: Buffer): NonNullable<TraceRecord['output']> {
  const out: NonNullable<TraceRecord['output']> = {};
  const count = buf.readUInt16LE(0);
  let p = 2;
  for (let i = 0; i < count; i++) {
    const n = buf[p] as number;
    const name = buf.toString('utf8', p + 1, p + 1 + n);
    p += 1 + n;
    const type = TYPES[buf[p++] as number] ?? 'float32';
    const dims: number[] = [];
    const nd = buf[p++] as number;
    for (let d = 0; d < nd; d++, p += 4) dims.push(buf.readUInt32LE(p));
    const len = buf.readUInt32LE(p);
    p += 4;
    const bytes = Uint8Array.prototype.slice.call(buf, p, p + len);
    p += len;
    out[name] = { type, shape: dims, data: decodeTensorData({ type, dims, data: tensorDataFromBytes(type, bytes) }) };
  }
  return out;
}
