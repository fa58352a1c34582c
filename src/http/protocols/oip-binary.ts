import type { JsonTensor, ParsedRequest, Protocol, RawTensor, RequestTensor } from '../../contracts/prediction.js';
import { badRequest } from '../../errors/index.js';
import { InferenceHeader } from '../oip-schema.js';
import { binaryRendering, type OipAnswer, type OipHead } from './oip-binary-output.js';
import { finishOip, headerShapeOk, renderOip } from './oip.js';
import { isObject, refuse } from './shape.js';

/**
 * A request of OIP's binary tensor extension as read: one buffer holding the JSON header
 * (`headerLength` bytes, from the Inference-Header-Content-Length header, already parsed by the
 * reader to check the declared sizes) and then each binary input's bytes in order.
 */
export interface BinaryBody {
  bytes: Buffer;
  headerLength: number;
  header: unknown;
}

/** An input's declared binary size: a non-negative integer, undefined when absent (JSON `data`). */
export function binaryDataSize(input: unknown): number | undefined {
  if (!isObject(input) || !isObject(input.parameters)) return undefined;
  const size = input.parameters.binary_data_size;
  if (size === undefined) return undefined;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    const name = typeof input.name === 'string' ? input.name.slice(0, 256) : '?';
    throw badRequest(`input '${name}': parameters.binary_data_size must be a non-negative integer, got ${JSON.stringify(size)?.slice(0, 40)}`);
  }
  return size;
}

/** BF16 has no onnxruntime-node tensor type, so no model here can take it: say so rather than "invalid option". */
function refuseUnservable(json: unknown): void {
  if (!isObject(json) || !Array.isArray(json.inputs)) return;
  for (const t of json.inputs) {
    if (isObject(t) && t.datatype === 'BF16') {
      throw badRequest(`input '${String(t.name).slice(0, 256)}': datatype BF16 is not supported (onnxruntime-node has no bfloat16 tensors); send FP32, or FP16 as raw bits`);
    }
  }
}

/**
 * Open Inference Protocol V2 with the binary tensor extension, as Triton and KServe define it:
 * inputs with `parameters.binary_data_size` take the next bytes after the JSON header, in input
 * order, as views over the one received buffer (never JSON-parsed); the others carry JSON `data`.
 * The sizes must use up the body exactly. Outputs are binary where asked (see oip-binary-output).
 */
export const oipBinaryProtocol: Protocol<BinaryBody, OipAnswer, OipHead> = {
  name: 'oip-binary',

  parse(body: BinaryBody): ParsedRequest {
    const json = body.header;
    if (!headerShapeOk(json)) {
      refuseUnservable(json);
      refuse(InferenceHeader, json);
    }
    const { bytes, headerLength } = body;
    let at = headerLength;
    const tensors = json.inputs.map((t): RequestTensor => {
      const size = binaryDataSize(t);
      if (size === undefined) {
        if (t.data === undefined) throw badRequest(`input '${t.name}' has neither data nor parameters.binary_data_size`);
        return t as JsonTensor;
      }
      if (t.data !== undefined) throw badRequest(`input '${t.name}' has both data and parameters.binary_data_size; send one`);
      if (at + size > bytes.length) {
        throw badRequest(
          `input '${t.name}' declares binary_data_size ${size} but only ${bytes.length - at} bytes of the body are left after the ${headerLength}-byte header and the inputs before it`,
        );
      }
      const raw: RawTensor = { name: t.name, datatype: t.datatype, shape: t.shape, raw: bytes.subarray(at, at + size) };
      at += size;
      return raw;
    });
    if (at !== bytes.length) {
      throw badRequest(
        `the body has ${bytes.length - at} bytes after the last binary input: the ${headerLength}-byte header and the inputs' binary_data_size add up to ${at}, the body has ${bytes.length}`,
      );
    }
    const rendering = binaryRendering(json.parameters, json.outputs);
    const parsed: ParsedRequest = { input: { kind: 'tensors', tensors }, outputs: json.outputs?.map((o) => o.name), parameters: json.parameters, id: json.id };
    return rendering === undefined ? parsed : { ...parsed, rendering };
  },

  render: renderOip,
  finish: finishOip,
};
