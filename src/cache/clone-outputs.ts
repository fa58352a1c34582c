import type { HostTensor, TensorMap } from '../runtime/tensor.js';

/** A deep copy of a tensor map (typed arrays and dims): the copy shares no memory with the original. */
export function cloneOutputs(outputs: TensorMap): TensorMap {
  const out: TensorMap = {};
  for (const name in outputs) {
    const t = outputs[name] as HostTensor;
    out[name] = { type: t.type, dims: t.dims.slice(), data: t.data.slice() };
  }
  return out;
}
