import type { Instance } from '../contracts/prediction.js';
import { invalidInput } from '../errors/index.js';
import type { FeatureSpec, Manifest } from '../contracts/manifest.js';
import { encodeTensorData, oipToOrt, type TensorMap } from '../contracts/tensor.js';
import { encodeNamedInput } from './instance-inputs.js';

/**
 * Named features -> the version's feature tensor ([N, F], manifest order, its own datatype);
 * the model's other inputs by name, each with its own datatype (instance-inputs.ts). Checks that
 * every instance has exactly these keys, of the right kind and inside their range.
 */
export function encodeInstances(manifest: Manifest, instances: readonly Instance[], maxBatch: number): TensorMap {
  const features = manifest.features;
  const tensorName = features.length > 0 ? (manifest.featureTensor ?? manifest.inputs[0]?.name) : undefined;
  const named = manifest.inputs.filter((i) => i.name !== tensorName);
  if (instances.length === 0) throw invalidInput('instances must not be empty');
  if (instances.length > maxBatch) throw invalidInput(`${instances.length} instances exceed the limit of ${maxBatch}`);
  const known = new Set([...features.map((f) => f.name), ...named.map((i) => i.name)]);
  const cols = features.length;
  const type = oipToOrt(manifest.inputs.find((i) => i.name === tensorName)?.datatype ?? 'FP32');
  // FP32 (every trained demo model) is written in place; other datatypes are checked by the codec.
  const data = type === 'float32' ? new Float32Array(instances.length * cols) : new Array<number>(instances.length * cols);
  for (let r = 0; r < instances.length; r++) {
    const inst = instances[r];
    if (typeof inst !== 'object' || inst === null || Array.isArray(inst)) {
      throw invalidInput(`instances[${r}] must be an object of named features`);
    }
    for (const key of Object.keys(inst)) {
      if (!known.has(key)) {
        throw invalidInput(`instances[${r}]: unknown ${features.length > 0 ? 'feature' : 'input'} '${key}'${suggest(key, known)}`, { expected: [...known] });
      }
    }
    for (let c = 0; c < cols; c++) {
      const f = features[c] as FeatureSpec;
      data[r * cols + c] = featureValue(f, inst[f.name], r);
    }
  }
  const feeds: TensorMap = {};
  if (tensorName) {
    feeds[tensorName] = { type, dims: [instances.length, cols], data: data instanceof Float32Array ? data : encodeTensorData(type, data) };
  }
  for (const spec of named) feeds[spec.name] = encodeNamedInput(spec, instances);
  return feeds;
}

function featureValue(f: FeatureSpec, v: unknown, row: number): number {
  const where = `instances[${row}].${f.name}`;
  if (v === undefined) throw invalidInput(`${where} is missing`);
  let x: number;
  if (f.dtype === 'category' && typeof v === 'string') {
    const code = f.categories?.indexOf(v) ?? -1;
    if (code < 0) throw invalidInput(`${where} must be one of ${(f.categories ?? []).map((c) => `'${c}'`).join(', ')}`);
    x = code;
  } else if (typeof v === 'number') {
    x = v;
  } else {
    throw invalidInput(`${where} must be a number${f.dtype === 'category' ? ' or a category label' : ''}`);
  }
  if (!Number.isFinite(x)) throw invalidInput(`${where} must be a finite number`);
  if (f.dtype !== 'float' && !Number.isInteger(x)) throw invalidInput(`${where} must be an integer`);
  if (x < f.min || x > f.max) throw invalidInput(`${where} = ${x} is outside the allowed range [${f.min}, ${f.max}]`);
  return x;
}

/** "did you mean" for a misspelled feature: the known name within edit distance 2. */
function suggest(key: string, known: Set<string>): string {
  let best: string | undefined;
  let bestD = 3;
  for (const k of known) {
    const d = editDistance(key.toLowerCase(), k);
    if (d < bestD) [best, bestD] = [k, d];
  }
  return best ? ` (did you mean '${best}'?)` : '';
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0] as number;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j] as number;
      prev[j] = Math.min((prev[j] as number) + 1, (prev[j - 1] as number) + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length] as number;
}
