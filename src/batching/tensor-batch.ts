import type { HostTensor, TensorData, TensorMap } from '../runtime/tensor.js';

/** Rows of a request: the first dim of its (first) input. */
export function rowCount(feeds: TensorMap): number {
  for (const name in feeds) return (feeds[name] as HostTensor).dims[0] ?? 1;
  return 0;
}

/**
 * What must agree for requests to share a batch: input names, element types and every dim but
 * the first (a second dynamic dim may differ between requests).
 */
export function batchShapeKey(feeds: TensorMap): string {
  let key = '';
  for (const name of Object.keys(feeds).sort()) {
    const t = feeds[name] as HostTensor;
    key += `${name}:${t.type}:${t.dims.slice(1).join(',')};`;
  }
  return key;
}

/** Concatenate the same-named inputs of several requests along dim 0. */
export function concatFeeds(parts: readonly TensorMap[]): TensorMap {
  const first = parts[0];
  if (!first) return {};
  const out: TensorMap = {};
  for (const name in first) {
    const tensors = parts.map((p) => p[name] as HostTensor);
    out[name] = concatTensors(tensors);
  }
  return out;
}

function concatTensors(tensors: readonly HostTensor[]): HostTensor {
  const head = tensors[0] as HostTensor;
  let rows = 0;
  let length = 0;
  for (const t of tensors) {
    rows += t.dims[0] ?? 1;
    length += t.data.length;
  }
  let data: TensorData;
  if (Array.isArray(head.data)) {
    data = tensors.flatMap((t) => t.data as string[]);
  } else {
    const Typed = head.data.constructor as new (n: number) => Float32Array;
    const joined = new Typed(length);
    let offset = 0;
    for (const t of tensors) {
      joined.set(t.data as Float32Array, offset);
      offset += t.data.length;
    }
    data = joined;
  }
  return { type: head.type, dims: [rows, ...head.dims.slice(1)], data };
}

/**
 * Split a batch's outputs back into one map per request by row counts, keeping only the outputs
 * each request asked for. Rows are views (subarray) of the batch's arrays, not copies.
 */
export function splitOutputs(
  outputs: TensorMap,
  rows: readonly number[],
  selections: readonly (readonly string[] | undefined)[],
): TensorMap[] {
  const total = rows.reduce((a, b) => a + b, 0);
  const parts: TensorMap[] = rows.map(() => ({}));
  for (const name in outputs) {
    const t = outputs[name] as HostTensor;
    if (t.dims[0] !== total) {
      throw new Error(`output '${name}' has ${t.dims[0] ?? 'no'} rows for a batch of ${total}`);
    }
    const width = total === 0 ? 0 : t.data.length / total;
    let offset = 0;
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i] as number;
      const selected = selections[i];
      if (!selected || selected.length === 0 || selected.includes(name)) {
        const start = offset * width;
        const end = (offset + r) * width;
        const data = Array.isArray(t.data) ? t.data.slice(start, end) : t.data.subarray(start, end);
        (parts[i] as TensorMap)[name] = { type: t.type, dims: [r, ...t.dims.slice(1)], data };
      }
      offset += r;
    }
  }
  return parts;
}
