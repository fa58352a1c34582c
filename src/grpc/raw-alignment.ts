/** Bytes per element of the datatypes whose typed arrays need an aligned offset. */
const ELEMENT_BYTES: Readonly<Record<string, number>> = {
  INT16: 2, UINT16: 2, FP16: 2, BF16: 2,
  INT32: 4, UINT32: 4, FP32: 4,
  INT64: 8, UINT64: 8, FP64: 8,
};

/** ModelInferRequest's raw_input_contents: field 7, length-delimited. */
const RAW_TAG = (7 << 3) | 2;
/** Below this the data plane's copy is cheaper than checking. */
const MIN_BYTES = 4096;

function varintLength(n: number): number {
  let len = 1;
  while (n >= 128) {
    n = Math.floor(n / 128);
    len++;
  }
  return len;
}

/** Whether `at` in `buf` is a raw_input_contents tag whose minimal length varint says `length` and ends at `at + header`. */
function isFieldHeader(buf: Uint8Array, at: number, header: number, length: number): boolean {
  if (at < 0 || buf[at] !== RAW_TAG) return false;
  let v = 0;
  let mul = 1;
  for (let i = at + 1; i < at + header; i++) {
    const b = buf[i] as number;
    const continues = (b & 0x80) !== 0;
    if (continues !== (i < at + header - 1)) return false;
    v += (b & 0x7f) * mul;
    mul *= 128;
  }
  return v === length;
}

/**
 * A large raw input moved down, inside the received message, to the aligned offset just below it:
 * the few bytes it moves over are its own field's tag and length, already decoded, so nothing else
 * reads them. The data plane then takes a typed-array view (decodeRawTensor) where it would copy.
 * A copy of an image-sized input is one more 600 KB allocation a call, and with grpc-js's own
 * message buffer and HTTP/2's chunks, such allocations set the pace of full GCs (external memory).
 * Anything unexpected (not in `message`, not preceded by its field header, a move larger than
 * that header) is returned as it is: the data plane's copy stays the fallback.
 */
export function alignRawInput(raw: Uint8Array, datatype: string, message: Uint8Array): Uint8Array {
  const size = ELEMENT_BYTES[datatype];
  if (size === undefined || raw.byteLength < MIN_BYTES || raw.buffer !== message.buffer) return raw;
  const shift = raw.byteOffset % size;
  if (shift === 0) return raw;
  const header = 1 + varintLength(raw.byteLength);
  const start = raw.byteOffset - message.byteOffset;
  if (shift > header || start - header < 0) return raw;
  const bytes = new Uint8Array(message.buffer, message.byteOffset, message.byteLength);
  if (!isFieldHeader(bytes, start - header, header, raw.byteLength)) return raw;
  bytes.copyWithin(start - shift, start, start + raw.byteLength);
  return bytes.subarray(start - shift, start - shift + raw.byteLength);
}
