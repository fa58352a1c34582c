import { describe, expect, it } from 'vitest';
import { GateSettings } from '../../src/config/registry-schema.js';
import { regressionMetrics } from '../../src/metrics/quality.js';
import { judgeLatency, judgeMetric } from '../../src/registry/gate-metrics.js';

describe('the seed rule: every metric within 95 % of the baseline', () => {
  it.each([
    // lower is better: candidate <= baseline / 0.95
    { name: 'rmse', candidate: 100, baseline: 100, passed: true },
    { name: 'rmse', candidate: 105, baseline: 100, passed: true },
    { name: 'rmse', candidate: 105.26, baseline: 100, passed: true },
    { name: 'rmse', candidate: 105.3, baseline: 100, passed: false },
    { name: 'mae', candidate: 50, baseline: 100, passed: true },
    // higher is better: candidate >= 0.95 * baseline
    { name: 'r2', candidate: 0.9, baseline: 0.94, passed: true },
    { name: 'r2', candidate: 0.893, baseline: 0.94, passed: true },
    { name: 'r2', candidate: 0.89, baseline: 0.94, passed: false },
    { name: 'accuracy', candidate: 0.5, baseline: 0.9, passed: false },
    // a negative baseline r2 loosens by 5 % of its magnitude, not tightens
    { name: 'r2', candidate: -0.205, baseline: -0.2, passed: true },
    { name: 'r2', candidate: -0.22, baseline: -0.2, passed: false },
    { name: 'rmse', candidate: Number.NaN, baseline: 100, passed: false },
  ])('$name: $candidate vs $baseline -> $passed', ({ name, candidate, baseline, passed }) => {
    expect(judgeMetric(name, candidate, baseline, 0.95).passed).toBe(passed);
  });

  it('without a baseline a finite metric passes and has no limit', () => {
    expect(judgeMetric('rmse', 10, null, 0.95)).toMatchObject({ passed: true, limit: null });
  });
});

describe('latency: p95 at most 1.2x the baseline (or + slack for sub-0.1 ms noise)', () => {
  const s = GateSettings.parse({});
  it.each([
    { candidate: 12, baseline: 10, passed: true },
    { candidate: 12.1, baseline: 10, passed: false },
    { candidate: 0.12, baseline: 0.03, passed: true }, // 4x, but within 0.1 ms of the baseline
    { candidate: 0.14, baseline: 0.03, passed: false },
    { candidate: 1, baseline: null, passed: true },
  ])('$candidate ms vs $baseline ms -> $passed', ({ candidate, baseline, passed }) => {
    expect(judgeLatency(candidate, baseline, 300, s).passed).toBe(passed);
  });
});

describe('regression metrics', () => {
  it('computes rmse, mae and r2', () => {
    const m = regressionMetrics([1, 2, 3, 5], [1, 2, 3, 4]);
    expect(m.mae).toBeCloseTo(0.25);
    expect(m.rmse).toBeCloseTo(0.5);
    expect(m.r2).toBeCloseTo(1 - 1 / 5);
  });
});
