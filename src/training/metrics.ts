/** Regression metrics, computed in float64 over predictions and observed targets. */

export interface RegressionMetrics {
  rmse: number;
  mae: number;
  r2: number;
}

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
    const e = (predictions[i] ?? 0) - t;
    se += e * e;
    ae += Math.abs(e);
    tss += (t - mean) ** 2;
  }
  return { rmse: Math.sqrt(se / n), mae: ae / n, r2: 1 - se / tss };
}
