import ort from 'onnxruntime-node';
import type { HostTensor, TensorMap, TensorType } from '../contracts/tensor.js';

/** Host tensors -> ORT feeds (no copy: ORT reads the typed arrays in place). */
export function toOrtFeeds(feeds: TensorMap): Record<string, ort.Tensor> {
  const out: Record<string, ort.Tensor> = {};
  for (const [name, t] of Object.entries(feeds)) {
    out[name] = new ort.Tensor(t.type, t.data as Float32Array, t.dims);
  }
  return out;
}

/** ORT results -> host tensors, keeping only the requested outputs (all when none are named). */
export function fromOrtResults(results: ort.InferenceSession.ReturnType, names?: readonly string[]): TensorMap {
  const out: TensorMap = {};
  for (const name of names && names.length > 0 ? names : Object.keys(results)) {
    const t = results[name];
    if (!t) continue;
    out[name] = { type: t.type as TensorType, dims: [...t.dims], data: t.data as HostTensor['data'] };
  }
  return out;
}
