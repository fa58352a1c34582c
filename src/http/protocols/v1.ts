import type { Instance, ParsedRequest, Protocol } from '../../contracts/prediction.js';
import { batchAxisOf, instanceRows } from '../../contracts/batch-axes.js';
import type { LoadedVersion } from '../../contracts/loaded-version.js';
import { decodeTensorData, type HostTensor, type TensorMap } from '../../contracts/tensor.js';
import { PredictBody } from '../oip-schema.js';
import { outputOrder } from './oip.js';
import { classifierPredictions } from './v1-classifier.js';
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
 * numbers; otherwise each entry is an object of output name -> that row's values. A classifier
 * exported with ZipMap gives `{label, probabilities: {class: p}}` (classifierPredictions).
 */
export function v1Predictions(lv: LoadedVersion, outputs: TensorMap): unknown[] {
  const names = outputOrder(lv, outputs);
  const specs = names.map((n) => lv.manifest.outputs.find((o) => o.name === n));
  const tensors = names.map((n) => outputs[n] as HostTensor);
  const first = tensors[0];
  if (!first) return [];
  const axis = (i: number) => {
    const spec = specs[i];
    return spec ? batchAxisOf(spec) : 0;
  };
  const rows = first.dims[axis(0) ?? 0] ?? 1;
  // Each output's rows come from its own batch axis (e.g. axis 1 of a stacked recurrent state).
  const rowsOf = (t: HostTensor, i: number) => instanceRows(decodeTensorData(t), t.dims, axis(i), rows);
  const classified = specs.findIndex((s) => s?.converted);
  const conversion = specs[classified]?.converted;
  if (conversion) return classifierPredictions(names, tensors.map(rowsOf), names[classified] ?? '', conversion);
  if (tensors.length === 1) return rowsOf(first, 0);
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
