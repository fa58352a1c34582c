import { invalidInput } from '../errors/index.js';
import { batchAxisOf } from '../contracts/batch-axes.js';
import type { TensorSpec } from '../contracts/manifest.js';
import { TensorEncodeError, elementCount, encodeTensorData, oipToOrt, type HostTensor } from '../contracts/tensor.js';

/**
 * A model input other than the feature tensor, given by name in each instance of the JSON API
 * (e.g. `"sr": 16000`, `"state": [[...], [...]]`). Each instance holds one row: the input's shape
 * without its batch axis; the rows are stacked along the batch axis. An input without a batch
 * axis (a scalar setting) must have the same value in every instance.
 */
export function encodeNamedInput(spec: TensorSpec, instances: readonly Record<string, unknown>[]): HostTensor {
  const type = oipToOrt(spec.datatype);
  const axis = batchAxisOf(spec);
  const values = instances.map((inst, r) => {
    const v = inst[spec.name];
    if (v === undefined) throw invalidInput(`instances[${r}].${spec.name} is missing (input '${spec.name}', ${spec.datatype} [${spec.shape.join(', ')}])`);
    return v;
  });
  const rowSpec = axis === null ? spec.shape : spec.shape.filter((_, i) => i !== axis);
  const rows = values.map((v, r) => flatRow(v, rowSpec, `instances[${r}].${spec.name}`));
  const first = rows[0] as { dims: number[]; flat: unknown[] };
  rows.forEach((row, r) => {
    if (row.dims.join(',') !== first.dims.join(',')) {
      throw invalidInput(`instances[${r}].${spec.name} has shape [${row.dims.join(', ')}], instances[0] has [${first.dims.join(', ')}]`);
    }
    if (axis === null && JSON.stringify(row.flat) !== JSON.stringify(first.flat)) {
      throw invalidInput(`instances[${r}].${spec.name} must equal instances[0].${spec.name}: input '${spec.name}' has no batch axis, one value serves all instances`);
    }
  });
  let dims: number[];
  let flat: unknown[];
  if (axis === null) {
    dims = first.dims;
    flat = first.flat;
  } else {
    dims = [...first.dims.slice(0, axis), rows.length, ...first.dims.slice(axis)];
    // Row-major stacking along `axis`: for each index before the axis, every instance's slab in turn.
    const outer = elementCount(first.dims.slice(0, axis));
    const inner = elementCount(first.dims.slice(axis));
    flat = [];
    for (let o = 0; o < outer; o++) for (const row of rows) flat.push(...row.flat.slice(o * inner, (o + 1) * inner));
  }
  try {
    return { type, dims, data: encodeTensorData(type, flat) };
  } catch (err) {
    if (err instanceof TensorEncodeError) throw invalidInput(`input '${spec.name}' (${spec.datatype}): ${err.message}`);
    throw err;
  }
}

/** One instance's value as a flat row and its dims (read from the nesting), checked against the fixed dims. */
function flatRow(v: unknown, spec: readonly number[], where: string): { dims: number[]; flat: unknown[] } {
  const dims: number[] = [];
  for (let x = v; Array.isArray(x); x = x[0]) dims.push(x.length);
  if (dims.length !== spec.length || dims.some((d, i) => spec[i] !== -1 && spec[i] !== d)) {
    throw invalidInput(`${where} must be ${spec.length === 0 ? 'a single value' : `nested as [${spec.join(', ')}] (-1 = any)`}, got [${dims.join(', ')}]`);
  }
  const flat = dims.length === 0 ? [v] : (v as unknown[]).flat(dims.length);
  if (flat.length !== elementCount(dims) || flat.some(Array.isArray)) throw invalidInput(`${where} is ragged: every row must have the same length`);
  return { dims, flat };
}
