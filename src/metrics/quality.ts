/** Quality metrics over predictions and observed targets, in float64: one definition for the
 * manifests the trainers write, the validation gate and live quality. */

export type RegressionMetrics = {
  rmse: number;
  mae: number;
  r2: number;
};

/**
 * RMSE, MAE and R². A missing prediction counts as NaN (it poisons the metric rather than
 * passing as 0); R² is 0 when the targets do not vary.
 */
export function regressionMetrics(predictions: readonly number[], targets: readonly number[]): RegressionMetrics {
  const n = targets.length;
  if (n === 0 || predictions.length !== n) throw new Error(`metrics need equal, non-empty arrays (${predictions.length} vs ${n})`);
  let mean = 0;
  for (const t of targets) mean += t / n;
  let se = 0;
  let ae = 0;
  let tss = 0;
  for (let i = 0; i < n; i++) {
    const t = targets[i] ?? 0;
    const e = (predictions[i] ?? Number.NaN) - t;
    se += e * e;
    ae += Math.abs(e);
    tss += (t - mean) ** 2;
  }
  return { rmse: Math.sqrt(se / n), mae: ae / n, r2: tss === 0 ? 0 : 1 - se / tss };
}

/** Share of rows whose arg-max (or, for one score, score >= 0.5) equals the target label. */
export function accuracy(pred: readonly number[][], target: readonly number[]): number {
  let hits = 0;
  pred.forEach((p, i) => {
    const label = p.length > 1 ? p.indexOf(Math.max(...p)) : (p[0] ?? 0) >= 0.5 ? 1 : 0;
    if (label === target[i]) hits++;
  });
  return hits / Math.max(1, target.length);
}
