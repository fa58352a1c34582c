import * as ort from 'onnxruntime-node';
import { regressionMetrics } from '../../src/metrics/quality.js';

/**
 * Scores exported models with onnxruntime-node: the metrics in a manifest describe the artifact
 * that is shipped, not the JS model it was exported from.
 */

/**
 * Runs a single-input, single-output float model on `rows`. One intra-op thread keeps the
 * float summation order (and thus the metrics written to the manifest) reproducible.
 */
export async function runOnnx(
  model: Uint8Array,
  input: string,
  output: string,
  rows: readonly (readonly number[])[],
): Promise<number[]> {
  const width = rows[0]?.length ?? 0;
  const session = await ort.InferenceSession.create(model, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  try {
    const data = Float32Array.from(rows.flat());
    const result = await session.run({ [input]: new ort.Tensor('float32', data, [rows.length, width]) });
    const tensor = result[output];
    if (!tensor) throw new Error(`model has no output '${output}'`);
    return Array.from(tensor.data as Float32Array);
  } finally {
    await session.release();
  }
}

/**
 * Holdout metrics rounded so that last-bit float differences between CPUs (another SIMD path
 * in onnxruntime) cannot change the manifest bytes: cents for errors, 1e-6 for R².
 */
export function roundedMetrics(predictions: readonly number[], targets: readonly number[]): Record<string, number> {
  const m = regressionMetrics(predictions, targets);
  return {
    rmse: Math.round(m.rmse * 100) / 100,
    mae: Math.round(m.mae * 100) / 100,
    r2: Math.round(m.r2 * 1e6) / 1e6,
    holdout_rows: targets.length,
  };
}
