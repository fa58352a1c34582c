import { beforeAll, describe, expect, it } from 'vitest';
import { runOnnx } from '../../tools/training/evaluate.js';
import { regressionMetrics } from '../../src/metrics/quality.js';
import { trainPropertyValuation, type TrainedVersion } from '../../tools/training/property-valuation.js';

/**
 * Relative error with a $1 floor on the denominator: a linear model may predict values near 0
 * for a few rows, where float32 rounding alone would blow up a pure relative error.
 */
const relError = (a: number, b: number): number => Math.abs(a - b) / Math.max(Math.abs(b), 1);

describe('exported ONNX matches the JS learners', () => {
  let trained: TrainedVersion[] = [];
  beforeAll(() => {
    trained = trainPropertyValuation();
  }, 120_000);

  it('trains 1.0.0, 1.1.0 and 2.0.0', () => {
    expect(trained.map((t) => t.version)).toEqual(['1.0.0', '1.1.0', '2.0.0']);
  });

  for (const version of ['1.0.0', '1.1.0', '2.0.0']) {
    it(`${version}: onnxruntime and JS agree on the holdout rows (relative error < 1e-4)`, async () => {
      const t = trained.find((x) => x.version === version);
      if (!t) throw new Error(`missing ${version}`);
      const ort = await runOnnx(t.onnx, 'features', 'price', t.holdout.rows);
      expect(ort).toHaveLength(t.holdout.rows.length);
      const worst = Math.max(...t.holdout.rows.map((row, i) => relError(ort[i] ?? Number.NaN, t.predict(row))));
      expect(worst).toBeLessThan(1e-4);
    });
  }

  it('1.1.0 differs from 1.0.0 on the same rows, and both are accurate on their holdouts', async () => {
    const [v100, v110] = trained;
    if (!v100 || !v110) throw new Error('missing versions');
    const rows = v110.holdout.rows;
    const a = await runOnnx(v100.onnx, 'features', 'price', rows);
    const b = await runOnnx(v110.onnx, 'features', 'price', rows);
    const changed = a.filter((p, i) => relError(p, b[i] ?? 0) > 0.01).length;
    expect(changed).toBeGreaterThan(rows.length * 0.9);
    for (const t of [v100, v110]) {
      const ort = await runOnnx(t.onnx, 'features', 'price', t.holdout.rows);
      expect(regressionMetrics(ort, t.holdout.targets).r2).toBeGreaterThan(0.8);
    }
  });

  it('2.0.0 takes the new feature set and refuses the old input width', async () => {
    const v200 = trained[2];
    const v100 = trained[0];
    if (!v200 || !v100) throw new Error('missing versions');
    expect(v200.holdout.columns).toContain('distance_to_center_km');
    expect(v200.holdout.columns).not.toContain('lot_size');
    await expect(runOnnx(v200.onnx, 'features', 'price', v100.holdout.rows.slice(0, 2))).rejects.toThrow();
  });
});
