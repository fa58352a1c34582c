import { describe, expect, it } from 'vitest';
import { latencyCheck, errorRateCheck, type CheckInput } from '../../src/analysis/checks.js';
import { LatencyCounts } from '../../src/analysis/signals.js';
import { AnalysisSettings } from '../../src/config/analysis-schema.js';

const latencies = (values: number[]) => {
  const c = new LatencyCounts();
  for (const v of values) c.add(v);
  return c;
};
const input = (canary: number[], stable: number[], errors: [number, number] = [0, 0]): CheckInput => ({
  settings: AnalysisSettings.parse({ canary: '1.1.0', checks: { latencyP99: { minSamples: 40 } } }),
  task: 'regression',
  canary: { requests: canary.length, errors: errors[0], latency: latencies(canary), quality: undefined },
  stable: { requests: stable.length, errors: errors[1], latency: latencies(stable), quality: undefined },
  shadow: undefined,
  drift: { psi: Number.NaN, pValue: 1, samples: 0 },
});
const fast = (n: number) => Array.from({ length: n }, (_, i) => 1 + (i % 5) * 0.2);

/** The verdicts the analysis acts on: a stall or a chance failure is not a slow or failing canary. */
describe('canary checks', () => {
  it.each([
    ['one stall among 60 fast requests', [...fast(59), 600], fast(5000), 'pass'],
    ['every request 300 ms slower', fast(60).map((v) => v + 300), fast(5000), 'fail'],
    ['too few samples', fast(10), fast(5000), 'wait'],
  ])('latency: %s', (_, canary, stable, verdict) => {
    expect(latencyCheck(input(canary as number[], stable as number[])).verdict).toBe(verdict);
  });

  it.each([
    ['1 error of 60 vs 25 of 5000 (above the threshold, within chance)', [1, 25], 'wait'],
    ['12 errors of 60 vs 5 of 5000', [12, 5], 'fail'],
    ['no errors', [0, 0], 'pass'],
  ])('error rate: %s', (_, errors, verdict) => {
    expect(errorRateCheck(input(fast(60), fast(5000), errors as [number, number])).verdict).toBe(verdict);
  });
});
