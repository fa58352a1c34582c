/**
 * OIP binary tensor extension requests and answers, written as a client would (Triton's
 * tritonclient lays them out the same way): a JSON header, then each binary input's bytes.
 */

/** Little-endian bytes of a typed array, or BYTES elements as uint32 length + UTF-8. */
export function tensorBytes(data: ArrayBufferView | string[]): Buffer {
  if (Array.isArray(data)) {
    return Buffer.concat(data.flatMap((s) => {
      const b = Buffer.from(s, 'utf8');
      const len = Buffer.alloc(4);
      len.writeUInt32LE(b.length);
      return [len, b];
    }));
  }
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

export interface BinaryInput {
  name: string;
  datatype: string;
  shape: number[];
  /** Bytes sent after the header (binary_data_size); absent: `data` goes in the header as JSON. */
  bytes?: Buffer;
  data?: unknown[];
}

/** A binary request: the header JSON (inputs given bytes get binary_data_size), then the bytes in order. */
export function binaryRequest(inputs: BinaryInput[], extra: Record<string, unknown> = {}): { body: Buffer; headerLength: number } {
  const header = {
    ...extra,
    inputs: inputs.map((i) =>
      i.bytes
        ? { name: i.name, datatype: i.datatype, shape: i.shape, parameters: { binary_data_size: i.bytes.length } }
        : { name: i.name, datatype: i.datatype, shape: i.shape, data: i.data },
    ),
  };
  const head = Buffer.from(JSON.stringify(header), 'utf8');
  return { body: Buffer.concat([head, ...inputs.flatMap((i) => (i.bytes ? [i.bytes] : []))]), headerLength: head.length };
}

export interface BinaryOutput {
  name: string;
  datatype: string;
  shape: number[];
  data?: unknown[];
  parameters?: { binary_data_size?: number };
}

export interface BinaryAnswer {
  header: { model_name: string; model_version: string; id: string; parameters: { route: string }; outputs: BinaryOutput[] };
  /** Output name -> its bytes after the header (binary outputs only). */
  bytes: Map<string, Buffer>;
}

/** Split an answer: the JSON header (Inference-Header-Content-Length bytes), then each binary output's bytes in order. */
export function parseBinaryAnswer(body: Buffer, headerLength: number): BinaryAnswer {
  const header = JSON.parse(body.subarray(0, headerLength).toString('utf8')) as BinaryAnswer['header'];
  const bytes = new Map<string, Buffer>();
  let at = headerLength;
  for (const o of header.outputs) {
    const size = o.parameters?.binary_data_size;
    if (size === undefined) continue;
    bytes.set(o.name, body.subarray(at, at + size));
    at += size;
  }
  if (at !== body.length) throw new Error(`answer has ${body.length - at} bytes after its binary outputs`);
  return { header, bytes };
}
