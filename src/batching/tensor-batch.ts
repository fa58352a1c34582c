import type { HostTensor, TensorData, TensorMap } from '../contracts/tensor.js';

/**
 * Tensor name -> the axis that grows with the batch (default 0). A recurrent state stacked as
 * [layers, batch, hidden] batches on axis 1: requests are joined and split along that axis.
 * SHARED (-1) marks an input without a batch axis (a scalar setting such as a sample rate):
 * requests share a batch only when they send the same value, which is passed once.
 */
export type BatchAxes = Readonly<Record<string, number>>;

export const SHARED = -1;
const NO_AXES: BatchAxes = {};
const axisOf = (axes: BatchAxes, name: string): number => axes[name] ?? 0;

/** Rows of a request: the batch dim of its (first) input. */
export function rowCount(feeds: TensorMap, axes: BatchAxes = NO_AXES): number {
  for (const name in feeds) {
    const axis = axisOf(axes, name);
    if (axis !== SHARED) return (feeds[name] as HostTensor).dims[axis] ?? 1;
  }
  return 0;
}

/**
 * What must agree for requests to share a batch: input names, element types and every dim but
 * the batch axis (a second dynamic dim may differ between requests).
 */
export function batchShapeKey(feeds: TensorMap, axes: BatchAxes = NO_AXES): string {
  let key = '';
  for (const name of Object.keys(feeds).sort()) {
    const t = feeds[name] as HostTensor;
    const axis = axisOf(axes, name);
    key += `${name}:${t.type}:${t.dims.map((d, i) => (i === axis ? '*' : d)).join(',')}`;
    key += axis === SHARED ? `=${Array.from(t.data as ArrayLike<unknown>, String).join(',')};` : ';';
  }
  return key;
}

/** Concatenate the same-named inputs of several requests along each one's batch axis. */
export function concatFeeds(parts: readonly TensorMap[], axes: BatchAxes = NO_AXES): TensorMap {
  const first = parts[0];
  if (!first) return {};
  const out: TensorMap = {};
  for (const name in first) {
    const axis = axisOf(axes, name);
    // A shared input is equal in every part (it is in the batch key): pass it once.
    out[name] = axis === SHARED ? (first[name] as HostTensor) : concatTensors(parts.map((p) => p[name] as HostTensor), axis);
  }
  return out;
}

/** Row-major blocks: `outer` repeats of a [dims[axis] x inner] slab. */
const blocks = (dims: readonly number[], axis: number) => ({
  outer: dims.slice(0, axis).reduce((a, b) => a * b, 1),
  inner: dims.slice(axis + 1).reduce((a, b) => a * b, 1),
});

function concatTensors(tensors: readonly HostTensor[], axis: number): HostTensor {
  const head = tensors[0] as HostTensor;
  let rows = 0;
  for (const t of tensors) rows += t.dims[axis] ?? 1;
  const dims = head.dims.map((d, i) => (i === axis ? rows : d));
  const { outer, inner } = blocks(head.dims, axis);
  const length = outer * rows * inner;
  const data: TensorData = Array.isArray(head.data) ? new Array<string>(length) : new (head.data.constructor as new (n: number) => Float32Array)(length);
  let offset = 0;
  for (let o = 0; o < outer; o++) {
    for (const t of tensors) {
      const slab = (t.dims[axis] ?? 1) * inner;
      const src = t.data;
      if (Array.isArray(src)) for (let i = 0; i < slab; i++) (data as string[])[offset + i] = src[o * slab + i] as string;
      else (data as Float32Array).set((src as Float32Array).subarray(o * slab, (o + 1) * slab), offset);
      offset += slab;
    }
  }
  return { type: head.type, dims, data };
}

/**
 * Split a batch's outputs back into one map per request by row counts, keeping only the outputs
 * each request asked for. With batch axis 0 rows are views (subarray) of the batch's arrays.
 */
export function splitOutputs(
  outputs: TensorMap,
  rows: readonly number[],
  selections: readonly (readonly string[] | undefined)[],
  axes: BatchAxes = NO_AXES,
): TensorMap[] {
  const total = rows.reduce((a, b) => a + b, 0);
  const parts: TensorMap[] = rows.map(() => ({}));
  for (const name in outputs) {
    const t = outputs[name] as HostTensor;
    const axis = axisOf(axes, name);
    if (t.dims[axis] !== total) {
      throw new Error(`output '${name}' has ${t.dims[axis] ?? 'no'} rows for a batch of ${total}${axis ? ` (batch axis ${axis})` : ''}`);
    }
    const { outer, inner } = blocks(t.dims, axis);
    let offset = 0;
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i] as number;
      const selected = selections[i];
      if (!selected || selected.length === 0 || selected.includes(name)) {
        (parts[i] as TensorMap)[name] = { type: t.type, dims: t.dims.map((d, k) => (k === axis ? r : d)), data: slice(t.data, outer, total * inner, offset * inner, r * inner) };
      }
      offset += r;
    }
  }
  return parts;
}

/** `count` elements at `start` of each of `outer` strides of `stride`: a view when outer is 1. */
function slice(data: TensorData, outer: number, stride: number, start: number, count: number): TensorData {
  if (outer === 1) return Array.isArray(data) ? data.slice(start, start + count) : data.subarray(start, start + count);
  const out: TensorData = Array.isArray(data) ? new Array<string>(outer * count) : new (data.constructor as new (n: number) => Float32Array)(outer * count);
  for (let o = 0; o < outer; o++) {
    const from = o * stride + start;
    if (Array.isArray(data)) for (let i = 0; i < count; i++) (out as string[])[o * count + i] = data[from + i] as string;
    else (out as Float32Array).set((data as Float32Array).subarray(from, from + count), o * count);
  }
  return out;
}
