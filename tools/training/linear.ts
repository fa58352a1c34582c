import type { GraphBuilder } from './onnx-writer.js';

/**
 * Ridge regression solved in closed form (normal equations + Cholesky). The ridge term is what
 * makes the system solvable at all when one-hot blocks are collinear with the intercept; it is
 * kept tiny so the fit is essentially least squares.
 */

export interface LinearModel {
  /** Float32-rounded coefficients, exactly as exported. */
  weights: number[];
  bias: number;
  lambda: number;
}

/** Solves A x = b for symmetric positive-definite A (row-major, n x n) by Cholesky. */
function solveSpd(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * n + j] ?? 0;
      for (let k = 0; k < j; k++) s -= (l[i * n + k] ?? 0) * (l[j * n + k] ?? 0);
      if (i === j) {
        if (s <= 0) throw new Error('normal equations are not positive definite (increase lambda)');
        l[i * n + i] = Math.sqrt(s);
      } else {
        l[i * n + j] = s / (l[j * n + j] ?? 1);
      }
    }
  }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i] ?? 0;
    for (let k = 0; k < i; k++) s -= (l[i * n + k] ?? 0) * (y[k] ?? 0);
    y[i] = s / (l[i * n + i] ?? 1);
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i] ?? 0;
    for (let k = i + 1; k < n; k++) s -= (l[k * n + i] ?? 0) * (x[k] ?? 0);
    x[i] = s / (l[i * n + i] ?? 1);
  }
  return x;
}

/** Fits y ~ X w + b; the intercept is not penalised (columns and target are centred first). */
export function fitRidge(x: readonly (readonly number[])[], y: readonly number[], lambda: number): LinearModel {
  const n = x.length;
  const d = x[0]?.length ?? 0;
  const xMean = new Float64Array(d);
  let yMean = 0;
  for (let r = 0; r < n; r++) {
    const row = x[r] ?? [];
    for (let j = 0; j < d; j++) xMean[j] = (xMean[j] ?? 0) + (row[j] ?? 0) / n;
    yMean += (y[r] ?? 0) / n;
  }
  const a = new Float64Array(d * d);
  const b = new Float64Array(d);
  const centred = new Float64Array(d);
  for (let r = 0; r < n; r++) {
    const row = x[r] ?? [];
    for (let j = 0; j < d; j++) centred[j] = (row[j] ?? 0) - (xMean[j] ?? 0);
    const yc = (y[r] ?? 0) - yMean;
    for (let i = 0; i < d; i++) {
      const ci = centred[i] ?? 0;
      b[i] = (b[i] ?? 0) + ci * yc;
      for (let j = 0; j <= i; j++) a[i * d + j] = (a[i * d + j] ?? 0) + ci * (centred[j] ?? 0);
    }
  }
  for (let i = 0; i < d; i++) {
    a[i * d + i] = (a[i * d + i] ?? 0) + lambda;
    for (let j = 0; j < i; j++) a[j * d + i] = a[i * d + j] ?? 0;
  }
  const w = solveSpd(a, b, d);
  let bias = yMean;
  for (let j = 0; j < d; j++) bias -= (w[j] ?? 0) * (xMean[j] ?? 0);
  return { weights: Array.from(w, Math.fround), bias: Math.fround(bias), lambda };
}

export function predictLinear(model: LinearModel, x: readonly number[]): number {
  let s = model.bias;
  model.weights.forEach((w, j) => (s += w * (x[j] ?? 0)));
  return s;
}

/** MatMul [N,D]x[D,1] + bias: the exported twin of predictLinear. */
export function emitLinear(g: GraphBuilder, input: string, model: LinearModel, output: string): string {
  const w = g.floats('coef', [model.weights.length, 1], model.weights);
  const mm = g.op('MatMul', [input, w]);
  return g.op('Add', [mm, g.floats('intercept', [1], [model.bias])], { output });
}
