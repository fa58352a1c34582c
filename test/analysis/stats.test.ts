import { describe, expect, it } from 'vitest';
import { binomialGreater, chiSquareHomogeneity, fisherGreater, gammaQ, tUpper, welchGreater } from '../../src/analysis/stats.js';
import { band, binOf, psi } from '../../src/drift/psi.js';

/** The statistics behind the canary checks and drift, against textbook values. */
describe('statistics', () => {
  it.each([
    ['Fisher, 5/10 vs 0/10 failures', fisherGreater(5, 10, 0, 10), 252 / 15504],
    ['Fisher, no failures at all', fisherGreater(0, 10, 0, 10), 1],
    ['t(10) upper tail at 2.228', tUpper(2.228, 10), 0.025],
    ['t(10) upper tail at 0', tUpper(0, 10), 0.5],
    ['chi-square(1) upper tail at 3.841', gammaQ(0.5, 3.841 / 2), 0.05],
    ['chi-square(4) upper tail at 9.488', gammaQ(2, 9.488 / 2), 0.05],
    ['binomial, 1 of 63 over a 1 % tail', binomialGreater(1, 63, 0.01), 1 - 0.99 ** 63],
    ['binomial, 10 of 63 over a 1 % tail', binomialGreater(10, 63, 0.01), 0],
    ['Welch, equal means', welchGreater({ n: 30, mean: 5, variance: 4 }, { n: 30, mean: 5, variance: 4 }), 0.5],
  ])('%s', (_, value, expected) => {
    expect(value).toBeCloseTo(expected, 3);
  });

  it('tells apart two histograms only when they differ beyond chance', () => {
    expect(chiSquareHomogeneity([50, 50, 50], [50, 50, 50])).toBeCloseTo(1, 6);
    expect(chiSquareHomogeneity([5, 3, 4], [3, 5, 4])).toBeGreaterThan(0.5);
    expect(chiSquareHomogeneity([500, 100, 100], [100, 100, 500])).toBeLessThan(1e-6);
  });

  it.each([
    [0.05, 'stable'],
    [0.1, 'moderate'],
    [0.25, 'moderate'],
    [0.26, 'significant'],
    [Number.NaN, null],
  ])('PSI %s is %s', (value, expected) => {
    expect(band(value)).toBe(expected);
  });

  it('PSI is 0 for the same shares, grows with the shift, and is finite with empty bins', () => {
    expect(psi([10, 20, 30], [20, 40, 60])).toBeCloseTo(0, 2);
    expect(psi([100, 100, 100], [300, 0, 0])).toBeGreaterThan(psi([100, 100, 100], [150, 100, 50]));
    expect(Number.isFinite(psi([100, 0, 100], [0, 100, 0]))).toBe(true);
    expect(binOf([0, 10, 20, 30], -5)).toBe(0);
    expect(binOf([0, 10, 20, 30], 15)).toBe(1);
    expect(binOf([0, 10, 20, 30], 99)).toBe(2);
  });
});
