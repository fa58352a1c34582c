import type { Context } from 'hono';
import type { PredictResult } from '../core/prediction-service.js';
import { batchAxisOf, instanceRows } from '../repository/batch-axes.js';
import { decodeTensorData, ortToOip, type HostTensor } from '../runtime/tensor.js';
import type { AppEnv } from './app-env.js';

/** Every prediction says which model and version answered, how it was chosen, and the cache's part. */
export function stampPrediction(c: Context<AppEnv>, r: PredictResult): void {
  c.header('x-model-name', r.model);
  c.header('x-model-version', r.version.version);
  c.header('x-model-route', r.route);
  c.header('x-cache', r.cache);
}

/** OIP V2 inference response. */
export function oipResponse(r: PredictResult, id: string) {
  const wanted = r.version.manifest.outputs.map((o) => o.name).filter((n) => r.outputs[n]);
  const names = wanted.length > 0 ? wanted : Object.keys(r.outputs);
  return {
    model_name: r.model,
    model_version: r.version.version,
    id,
    parameters: { route: r.route },
    outputs: names.map((name) => {
      const t = r.outputs[name] as HostTensor;
      return { name, shape: t.dims, datatype: ortToOip(t.type), data: decodeTensorData(t) };
    }),
  };
}

/**
 * The JSON API's predictions: one entry per instance. A single one-column output gives plain
 * numbers; otherwise each entry is an object of output name -> that row's values.
 */
export function v1Predictions(r: PredictResult): unknown[] {
  const specs = r.version.manifest.outputs.filter((o) => r.outputs[o.name]);
  const names = specs.map((o) => o.name);
  const tensors = names.map((n) => r.outputs[n] as HostTensor);
  const first = tensors[0];
  if (!first || !specs[0]) return [];
  const rows = first.dims[batchAxisOf(specs[0]) ?? 0] ?? 1;
  // Each output's rows come from its own batch axis (e.g. axis 1 of a stacked recurrent state).
  const rowsOf = (t: HostTensor, i: number) => instanceRows(decodeTensorData(t), t.dims, specs[i] ? batchAxisOf(specs[i]) : 0, rows);
  if (tensors.length === 1) return rowsOf(first, 0);
  const columns = tensors.map(rowsOf);
  return Array.from({ length: rows }, (_, i) => Object.fromEntries(names.map((n, j) => [n, columns[j]?.[i]])));
}
