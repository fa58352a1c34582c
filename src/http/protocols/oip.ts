import type { ParsedRequest, Protocol, RequestTensor } from '../../contracts/prediction.js';
import { OipDatatype } from '../../contracts/manifest.js';
import type { LoadedVersion } from '../../contracts/loaded-version.js';
import { decodeTensorData, ortToOip, tensorDataJson, type HostTensor, type TensorMap } from '../../contracts/tensor.js';
import { InferRequest, type InferenceHeader } from '../oip-schema.js';
import { binaryRendering, finishBinary, renderBinaryHead, type OipAnswer, type OipHead } from './oip-binary-output.js';
import { isObject, isParameters, jsonString, parseJson, refuse } from './shape.js';

const DATATYPES = new Set<string>(OipDatatype.options);

/**
 * The shape of an OIP V2 inference request, checked by hand: the happy path costs a few type
 * tests per field instead of a zod parse (measured 15-20 µs with encoding and keying). Anything
 * it refuses is handed to the zod schema, which words the 400 and names the field.
 */
function oipShape(json: unknown, dataOptional: boolean): boolean {
  if (!isObject(json)) return false;
  const { id, parameters, inputs, outputs } = json;
  if (id !== undefined && (typeof id !== 'string' || id.length > 256)) return false;
  if (parameters !== undefined && !isParameters(parameters)) return false;
  if (!Array.isArray(inputs) || inputs.length === 0) return false;
  for (const t of inputs) {
    if (!isObject(t) || typeof t.name !== 'string' || t.name.length === 0 || t.name.length > 256) return false;
    if (typeof t.datatype !== 'string' || !DATATYPES.has(t.datatype)) return false;
    // Binary requests' inputs may carry their data after the header instead (binary_data_size).
    if (!Array.isArray(t.data) && !(dataOptional && t.data === undefined)) return false;
    if (t.parameters !== undefined && !isParameters(t.parameters)) return false;
    const shape = t.shape;
    if (!Array.isArray(shape) || shape.length > 16) return false;
    for (const d of shape) if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) return false;
  }
  if (outputs !== undefined) {
    if (!Array.isArray(outputs)) return false;
    for (const o of outputs) {
      if (!isObject(o) || typeof o.name !== 'string' || o.name.length === 0) return false;
      if (o.parameters !== undefined && !isParameters(o.parameters)) return false;
    }
  }
  return true;
}

const shapeOk = (json: unknown): json is InferRequest => oipShape(json, false);

/** The JSON header of a binary tensor request: the same shape, an input's `data` may be left to the bytes after it. */
export const headerShapeOk = (json: unknown): json is InferenceHeader => oipShape(json, true);

/** Outputs in the manifest's order (those present), else in the runner's. */
export function outputOrder(lv: LoadedVersion, outputs: TensorMap): string[] {
  const wanted = lv.manifest.outputs.map((o) => o.name).filter((n) => outputs[n]);
  return wanted.length > 0 ? wanted : Object.keys(outputs);
}

/** The request's fields of an OIP answer, after its outputs. */
export const oipClosing = (requestId: string, request: ParsedRequest, route: string): string =>
  `,"id":${jsonString(request.id ?? requestId)},"parameters":{"route":${jsonString(route)}}}`;

/** An OIP answer's head: JSON text, or a header and bytes when the request asked for binary outputs. */
export function renderOip(lv: LoadedVersion, outputs: TensorMap, request: ParsedRequest): OipHead {
  return request.rendering === undefined ? renderJson(lv, outputs) : renderBinaryHead(lv, outputOrder(lv, outputs), outputs, request);
}

export function finishOip(head: OipHead, requestId: string, request: ParsedRequest, route: string): OipAnswer {
  const closing = oipClosing(requestId, request, route);
  return typeof head === 'string' ? head + closing : finishBinary(head, closing);
}

/**
 * Open Inference Protocol V2 (REST/JSON, tensor data inline), as KServe and Triton speak it. A
 * JSON request may ask for binary outputs (the binary tensor extension); its answer is then a
 * JSON header and the outputs' bytes.
 */
export const oipProtocol: Protocol<string, OipAnswer, OipHead> = {
  name: 'oip',

  parse(text: string): ParsedRequest {
    const json = parseJson(text);
    if (!shapeOk(json)) refuse(InferRequest, json);
    const rendering = json.parameters === undefined && json.outputs === undefined ? undefined : binaryRendering(json.parameters, json.outputs);
    const parsed: ParsedRequest = {
      input: { kind: 'tensors', tensors: json.inputs as RequestTensor[] },
      outputs: json.outputs?.map((o) => o.name),
      parameters: json.parameters,
      id: json.id,
    };
    return rendering === undefined ? parsed : { ...parsed, rendering };
  },

  render: renderOip,
  finish: finishOip,
};

function renderJson(lv: LoadedVersion, outputs: TensorMap): string {
  const out = outputOrder(lv, outputs).map((name) => {
    const t = outputs[name] as HostTensor;
    const datatype = ortToOip(t.type);
    // A type OIP has no name for keeps the generic rendering (no datatype key, as JSON.stringify leaves it out).
    if (datatype === undefined) return JSON.stringify({ name, shape: t.dims, datatype, data: decodeTensorData(t) });
    const data = tensorDataJson(t) ?? JSON.stringify(decodeTensorData(t));
    return `{"name":${jsonString(name)},"shape":${JSON.stringify(t.dims)},"datatype":"${datatype}","data":${data}}`;
  });
  return `{"model_name":${jsonString(lv.name)},"model_version":${jsonString(lv.version)},"outputs":[${out.join(',')}]`;
}
