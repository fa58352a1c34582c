import { TensorEncodeError, elementCount, encodeTensorData, oipToOrt, type TensorMap } from '../contracts/tensor.js';
import type { Manifest, TensorSpec, WarmupSample } from '../contracts/manifest.js';

/** One warm-up request and how it was made (for the message when the graph refuses it). */
export interface WarmupRequest {
  feeds: TensorMap;
  origin: 'sample' | 'generated';
  describe: string;
}

/** Thrown for a sample that does not fit the manifest: the version is refused with this message. */
export class WarmupSampleError extends Error {}

export const WARMUP_HELP =
  'give a warm-up sample: "warmup": {"samples": [{"<input>": {"data": [...], "shape": [...]}}]} in manifest.json ' +
  '(or a warmup.json beside it, or `modelgate import --warmup sample.json`), or dims with "warmup": {"dims": {"<input>:<axis>": n}}; ' +
  'or opt out with "warmup": {"enabled": false}';

/**
 * The requests a version is warmed up with: the manifest's samples when it has some, else one
 * request built from the graph's signature (dynamic dims from `warmup.dims`, else 1; the
 * named features' midpoints in the feature tensor; zeros elsewhere). Empty when opted out.
 */
export function warmupRequests(manifest: Manifest): WarmupRequest[] {
  const spec = manifest.warmup;
  if (spec && !spec.enabled) return [];
  if (spec && spec.samples.length > 0) return spec.samples.map((s, i) => fromSample(manifest, s, i));
  return [generated(manifest)];
}

function generated(manifest: Manifest): WarmupRequest {
  const featureTensor = manifest.featureTensor ?? manifest.inputs[0]?.name;
  const hints = manifest.warmup?.dims ?? {};
  const feeds: TensorMap = {};
  for (const input of manifest.inputs) {
    const dims = input.shape.map((d, axis) => (d >= 0 ? d : (hints[`${input.name}:${axis}`] ?? 1)));
    const type = oipToOrt(input.datatype);
    let values: unknown[];
    if (input.name === featureTensor && manifest.features.length > 0 && dims.length === 2) {
      const row = manifest.features.map((f) => (f.dtype === 'float' ? (f.min + f.max) / 2 : Math.round((f.min + f.max) / 2)));
      values = Array.from({ length: dims[0] ?? 1 }, () => row).flat();
    } else {
      values = new Array<unknown>(elementCount(dims)).fill(type === 'string' ? '' : type === 'bool' ? false : 0);
    }
    feeds[input.name] = { type, dims, data: encodeTensorData(type, values) };
  }
  const describe = Object.entries(feeds).map(([n, t]) => `${n}: [${t.dims.join(', ')}] ${t.type}`).join(', ');
  return { feeds, origin: 'generated', describe: `a generated request (${describe})` };
}

function fromSample(manifest: Manifest, sample: WarmupSample, index: number): WarmupRequest {
  const feeds: TensorMap = {};
  const byName = new Map<string, TensorSpec>(manifest.inputs.map((i) => [i.name, i]));
  for (const [name, given] of Object.entries(sample)) {
    const input = byName.get(name);
    if (!input) throw new WarmupSampleError(`warm-up sample ${index} names input '${name}', which the model does not have`);
    const flat = (given.data as unknown[]).flat(32);
    const dims = given.shape ?? input.shape.map((d) => (d >= 0 ? d : -1));
    if (dims.some((d) => d < 0)) throw new WarmupSampleError(`warm-up sample ${index}: input '${name}' has dynamic dims; give its "shape"`);
    if (elementCount(dims) !== flat.length) {
      throw new WarmupSampleError(`warm-up sample ${index}: input '${name}' has ${flat.length} values for shape [${dims.join(', ')}]`);
    }
    const type = oipToOrt(input.datatype);
    try {
      feeds[name] = { type, dims, data: encodeTensorData(type, flat) };
    } catch (err) {
      if (err instanceof TensorEncodeError) throw new WarmupSampleError(`warm-up sample ${index}: input '${name}': ${err.message}`);
      throw err;
    }
  }
  const missing = manifest.inputs.filter((i) => !feeds[i.name]).map((i) => `'${i.name}'`);
  if (missing.length > 0) throw new WarmupSampleError(`warm-up sample ${index} lacks input ${missing.join(', ')}`);
  return { feeds, origin: 'sample', describe: `warm-up sample ${index}` };
}

/** Which inputs an onnxruntime message names (it quotes them as Name:'x' or "input: x"), as words for the log. */
export function inputsNamedIn(message: string, manifest: Manifest): string {
  const named = manifest.inputs.map((i) => i.name).filter((n) => new RegExp(`['"\\s:(]${escape(n)}['"\\s:)]`).test(` ${message} `));
  return named.length > 0 ? `at input ${named.map((n) => `'${n}'`).join(', ')}` : 'inside the graph (onnxruntime names no input; see the request above)';
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
