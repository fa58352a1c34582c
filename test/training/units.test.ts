import { describe, expect, it } from 'vitest';
import { FeatureSpec } from '../../src/contracts/manifest.js';
import { formatJson } from '../../tools/training/json.js';
import { regressionMetrics } from '../../src/metrics/quality.js';
import { Rng, seedFromString } from '../../tools/training/rng.js';
import { featureStats } from '../../tools/training/stats.js';

describe('training helpers', () => {
  it('Rng is reproducible per seed and roughly standard normal', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const xs = Array.from({ length: 20000 }, () => a.gaussian());
    expect(Array.from({ length: 20000 }, () => b.gaussian())).toEqual(xs);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
    expect(seedFromString('a')).not.toBe(seedFromString('b'));
  });

  it('featureStats histograms count every value', () => {
    const spec = FeatureSpec.parse({ name: 'x', dtype: 'float', min: 0, max: 100 });
    const values = [0, 1, 2, 50, 99.5, 100];
    const s = featureStats(spec, values);
    expect(s.histogram.counts.reduce((a, b) => a + b, 0)).toBe(values.length);
    expect(s.histogram.edges).toHaveLength(11);
    const cat = featureStats(FeatureSpec.parse({ name: 'c', dtype: 'category', min: 0, max: 3 }), [0, 1, 1]);
    expect(cat.histogram).toEqual({ edges: [-0.5, 0.5, 1.5, 2.5, 3.5], counts: [1, 2, 0, 0] });
  });

  it('regressionMetrics matches hand computation', () => {
    const m = regressionMetrics([1, 2, 3], [1, 2, 5]);
    expect(m.rmse).toBeCloseTo(Math.sqrt(4 / 3));
    expect(m.mae).toBeCloseTo(2 / 3);
    expect(m.r2).toBeCloseTo(1 - 4 / (26 / 3)); // TSS of [1, 2, 5] around 8/3 is 26/3
  });

  it('formatJson is valid JSON with inline scalar arrays', () => {
    const value = { a: [1, 2.5], b: { c: 'x', d: [[1], [2]] }, e: [] };
    const text = formatJson(value);
    expect(JSON.parse(text)).toEqual(value);
    expect(text).toContain('"a": [1, 2.5]');
    expect(text.endsWith('}\n')).toBe(true);
  });
});
