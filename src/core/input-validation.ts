import { invalidInput } from '../errors/index.js';
import { isRawTensor, type RequestTensor } from '../contracts/prediction.js';
import { batchAxisOf } from '../contracts/batch-axes.js';
import type { Manifest } from '../contracts/manifest.js';
import { TensorEncodeError, elementCount, encodeTensorData, oipToOrt, type TensorMap } from '../contracts/tensor.js';
import { decodeRawTensor } from './raw-tensor.js';

/**
 * Check request tensors against a version's manifest (names, datatypes, shapes, batch limits)
 * and encode them as host tensors. Every refusal names the tensor and what was expected.
 */
export function encodeRequestTensors(manifest: Manifest, inputs: readonly RequestTensor[], maxBatch: number): TensorMap {
  const specs = inputSpecs(manifest);
  const feeds: TensorMap = {};
  let batch: number | undefined;
  maxBatch = Math.min(maxBatch, manifest.maxBatchSize ?? maxBatch);
  for (const t of inputs) {
    const spec = specs.get(t.name);
    if (!spec) {
      throw invalidInput(`unexpected input '${t.name}'; ${manifest.name}@${manifest.version} takes ${[...specs.keys()].map((n) => `'${n}'`).join(', ')}`);
    }
    if (feeds[t.name]) throw invalidInput(`input '${t.name}' is given more than once`);
    if (t.datatype !== spec.datatype) {
      throw invalidInput(`input '${t.name}' must have datatype ${spec.datatype}, got ${t.datatype}`);
    }
    if (t.shape.length !== spec.shape.length || t.shape.some((d, i) => spec.shape[i] !== -1 && spec.shape[i] !== d)) {
      throw invalidInput(`input '${t.name}' must have shape [${spec.shape.join(', ')}] (-1 = dynamic), got [${t.shape.join(', ')}]`);
    }
    const axis = batchAxisOf(spec);
    if (axis !== null && spec.shape[axis] === -1) {
      const b = t.shape[axis] ?? 0;
      if (b < 1) throw invalidInput(`input '${t.name}' has an empty batch`);
      if (b > maxBatch) throw invalidInput(`input '${t.name}' has a batch of ${b}, more than the limit of ${maxBatch}`);
      if (batch !== undefined && b !== batch) throw invalidInput(`inputs disagree on the batch size (${batch} vs ${b})`);
      batch = b;
    }
    const want = elementCount(t.shape);
    if (isRawTensor(t)) {
      feeds[t.name] = decodeRawTensor(t, oipToOrt(spec.datatype), want);
      continue;
    }
    const flat = flatten(t.data, t.name, t.shape);
    if (flat.length !== want) {
      throw invalidInput(`input '${t.name}' has ${flat.length} elements but shape [${t.shape.join(', ')}] needs ${want}`);
    }
    const type = oipToOrt(spec.datatype);
    try {
      feeds[t.name] = { type, dims: [...t.shape], data: encodeTensorData(type, flat) };
    } catch (err) {
      if (err instanceof TensorEncodeError) throw invalidInput(`input '${t.name}' (${spec.datatype}): ${err.message}`);
      throw err;
    }
  }
  if (inputs.length < manifest.inputs.length) {
    const missing = manifest.inputs.filter((i) => !feeds[i.name]).map((i) => `'${i.name}'`);
    throw invalidInput(`missing input ${missing.join(', ')}`);
  }
  return feeds;
}

const specsOf = new WeakMap<Manifest, Map<string, Manifest['inputs'][number]>>();

/** A manifest's inputs by name, made once per manifest (this runs on every uncached request). */
function inputSpecs(manifest: Manifest): Map<string, Manifest['inputs'][number]> {
  let specs = specsOf.get(manifest);
  if (!specs) specsOf.set(manifest, (specs = new Map(manifest.inputs.map((i) => [i.name, i]))));
  return specs;
}

/**
 * OIP allows the data of a tensor flat (row-major) or nested; both become one flat array.
 * Nested data must nest exactly as the shape says ([[1, 2], [3, 4]] for [2, 2]): a nesting
 * that contradicts the declared shape is refused, not silently re-read row-major.
 */
function flatten(data: readonly unknown[], name: string, shape: readonly number[]): unknown[] {
  if (!data.some(Array.isArray)) return data as unknown[];
  const out: unknown[] = [];
  const walk = (xs: readonly unknown[], depth: number, path: string) => {
    if (depth >= shape.length || xs.length !== shape[depth]) {
      throw invalidInput(`input '${name}': data${path} has ${xs.length} elements where shape [${shape.join(', ')}] says ${shape[depth] ?? 'a value'}`);
    }
    const leaf = depth === shape.length - 1;
    for (let i = 0; i < xs.length; i++) {
      const x = xs[i];
      if (Array.isArray(x) === leaf) {
        throw invalidInput(`input '${name}': data${path}[${i}] is ${leaf ? 'nested deeper than' : 'not nested as'} shape [${shape.join(', ')}] says`);
      }
      if (Array.isArray(x)) walk(x, depth + 1, `${path}[${i}]`);
      else out.push(x);
    }
  };
  walk(data, 0, '');
  return out;
}

/** Output names a request may select: the manifest's. */
export function checkOutputSelection(manifest: Manifest, names: readonly string[] | undefined): void {
  if (!names) return;
  const known = new Set(manifest.outputs.map((o) => o.name));
  for (const n of names) {
    if (!known.has(n)) {
      throw invalidInput(`unknown output '${n}'; ${manifest.name}@${manifest.version} has ${[...known].map((k) => `'${k}'`).join(', ')}`);
    }
  }
}
