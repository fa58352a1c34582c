import protobuf from 'protobufjs/minimal.js';

/**
 * Wire-level access to a protobuf message's top-level fields, for editing a few fields of an
 * ONNX model without decoding (and re-encoding) the rest. Decoding a whole ModelProto with
 * onnx-proto would copy float_data initializers into JS arrays and drop every field newer than
 * its onnx.proto (1.10) on re-encode; splicing keeps all other bytes as they were.
 */
export interface ProtoField {
  /** Field number. */
  no: number;
  /** The whole field as written: tag, (length,) value. */
  raw: Uint8Array;
  /** The payload of a length-delimited field (a submessage, bytes or string). */
  body: Uint8Array | undefined;
}

const LENGTH_DELIMITED = 2;

/** The top-level fields of a message, in the order written. */
export function protoFields(message: Uint8Array): ProtoField[] {
  const reader = protobuf.Reader.create(message);
  const fields: ProtoField[] = [];
  while (reader.pos < reader.len) {
    const start = reader.pos;
    const tag = reader.uint32();
    const wire = tag & 7;
    let body: Uint8Array | undefined;
    if (wire === LENGTH_DELIMITED) {
      const length = reader.uint32();
      body = message.subarray(reader.pos, reader.pos + length);
      reader.skip(length);
    } else {
      reader.skipType(wire);
    }
    fields.push({ no: tag >>> 3, raw: message.subarray(start, reader.pos), body });
  }
  return fields;
}

/** A length-delimited field (a submessage) as written on the wire. */
export function messageField(no: number, body: Uint8Array): Uint8Array {
  return protobuf.Writer.create().uint32((no << 3) | LENGTH_DELIMITED).bytes(body).finish();
}

/** A message from its fields' raw bytes, in order. */
export function joinFields(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}
