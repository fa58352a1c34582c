import type { TensorMap } from './tensor.js';

/** A tensor's elements as numbers, when it holds numbers that fit one (not strings, not 64-bit integers). */
export const numericData = (t: TensorMap[string] | undefined): ArrayLike<number> | undefined =>
  t && !Array.isArray(t.data) && !(t.data instanceof BigInt64Array) && !(t.data instanceof BigUint64Array)
    ? (t.data as ArrayLike<number>)
    : undefined;

/** The first value of each row of an output. */
export function outputValues(outputs: TensorMap, name: string): number[] {
  const out: number[] = [];
  eachOutputValue(outputs, name, (v) => out.push(v));
  return out;
}

/** Call `fn` with the first value of each row of an output (no array made). */
export function eachOutputValue(outputs: TensorMap, name: string, fn: (value: number) => void): void {
  const t = outputs[name];
  const data = numericData(t);
  if (!t || !data) return;
  const rows = Math.max(1, t.dims[0] ?? 1);
  const stride = Math.max(1, Math.floor(data.length / rows));
  for (let i = 0; i < data.length; i += stride) fn(data[i] as number);
}
