import type { Manifest, TensorSpec } from './manifest.js';

/** The dimension of a tensor that grows with the batch; null when it has none (a scalar, a shared setting). */
export function batchAxisOf(spec: TensorSpec): number | null {
  if (spec.batchAxis === null) return null;
  if (spec.shape.length === 0) return null;
  return spec.batchAxis ?? 0;
}

/** Tensor name -> batch axis for the batcher; -1 for an input without one (shared by the requests of a batch). */
export function batchAxes(manifest: Manifest): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of [...manifest.inputs, ...manifest.outputs]) out[t.name] = batchAxisOf(t) ?? -1;
  return out;
}

/**
 * Why requests to this version cannot be joined into one batch, or undefined when they can:
 * every output and every batched input needs a dynamic batch axis. Logged at load and shown by
 * `GET /v2/models/{m}` (parameters.batching), so dynamic batching is never off without a word.
 */
export function unbatchableReason(manifest: Manifest): string | undefined {
  if (!manifest.inputs.some((t) => batchAxisOf(t) !== null)) return 'no input has a batch axis';
  for (const [kind, list] of [['input', manifest.inputs], ['output', manifest.outputs]] as const) {
    for (const t of list) {
      const axis = batchAxisOf(t);
      // An input without a batch axis is shared by a batch's requests (they must agree on it); an output must split.
      if (axis === null && kind === 'input') continue;
      if (axis === null) return `${kind} '${t.name}' has no batch axis${t.shape.length === 0 ? ' (a scalar)' : ''}`;
      const d = t.shape[axis];
      if (d === undefined) return `${kind} '${t.name}' has no dim ${axis} to batch on`;
      if (d !== -1) return `${kind} '${t.name}' has a fixed batch of ${d} on axis ${axis}`;
    }
  }
  return undefined;
}

/**
 * One entry per instance for the JSON API: the values at index r of the tensor's batch axis
 * (a single value when that is one element), or the whole tensor for each when it has no batch axis.
 */
export function instanceRows(values: readonly unknown[], dims: readonly number[], axis: number | null, rows: number): unknown[] {
  if (axis === null || dims[axis] !== rows) return Array.from({ length: rows }, () => (values.length === 1 ? values[0] : values));
  const outer = dims.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  return Array.from({ length: rows }, (_, r) => {
    const row: unknown[] = [];
    for (let o = 0; o < outer; o++) row.push(...values.slice((o * rows + r) * inner, (o * rows + r + 1) * inner));
    return row.length === 1 ? row[0] : row;
  });
}
