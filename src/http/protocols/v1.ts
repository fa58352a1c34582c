import type { Instance, ParsedRequest, Protocol } from '../../contracts/prediction.js';
import type { LoadedVersion } from '../../repository/loaded-version.js';
import { decodeTensorData, type HostTensor, type TensorMap } from '../../runtime/tensor.js';
import { PredictBody } from '../oip-schema.js';
import { outputOrder } from './oip.js';
import { isObject, isParameters, jsonString, parseJson, refuse } from './shape.js';

function shapeOk(json: unknown): json is PredictBody {
  if (!isObject(json)) return false;
  const { instances, parameters } = json;
  if (parameters !== undefined && !isParameters(parameters)) return false;
  if (!Array.isArray(instances) || instances.length === 0) return false;
  for (const i of instances) if (!isObject(i)) return false;
  return true;
}

/**
 * The JSON API's predictions: one entry per instance. A single one-column output gives plain
 * numbers; otherwise each entry is an object of output name -> that row's values.
 */
export function v1Predictions(lv: LoadedVersion, outputs: TensorMap): unknown[] {
  const names = outputOrder(lv, outputs);
  const tensors = names.map((n) => outputs[n] as HostTensor);
  const first = tensors[0];
  if (!first) return [];
  const rows = first.dims[0] ?? 1;
  const rowsOf = (t: HostTensor) => {
    const values = decodeTensorData(t);
    const width = values.length / Math.max(1, t.dims[0] ?? 1);
    return Array.from({ length: rows }, (_, i) => (width === 1 ? values[i] : values.slice(i * width, (i + 1) * width)));
  };
  if (tensors.length === 1) return rowsOf(first);
  const columns = tensors.map(rowsOf);
  return Array.from({ length: rows }, (_, i) => Object.fromEntries(names.map((n, j) => [n, columns[j]?.[i]])));
}

/** modelgate's friendly JSON API: named features in, one prediction per instance out. */
export const v1Protocol: Protocol = {
  name: 'v1',

  parse(text: string): ParsedRequest {
    const json = parseJson(text);
    if (!shapeOk(json)) refuse(PredictBody, json);
    return { input: { kind: 'instances', instances: json.instances as Instance[] }, outputs: undefined, parameters: json.parameters, id: undefined };
  },

  render(lv: LoadedVersion, outputs: TensorMap): string {
    return `{"model":${jsonString(lv.name)},"version":${jsonString(lv.version)},"predictions":${JSON.stringify(v1Predictions(lv, outputs))}`;
  },

  finish(head: string, requestId: string): string {
    return `${head},"request_id":${jsonString(requestId)}}`;
  },
};
