import type { z } from 'zod';
import type { FeatureSpec, FeatureStats } from '../../src/contracts/manifest.js';

/**
 * Reference statistics of each feature in the training data: the baseline the gateway's drift
 * monitoring compares live traffic against. Histogram edges are fixed here, at training time.
 */

type Stats = z.infer<typeof FeatureStats>;

/** Unit-width bins centred on the integers when a discrete feature has at most this many values. */
const MAX_DISCRETE_BINS = 12;
const DEFAULT_BINS = 10;

/** Eight significant digits: plenty for drift baselines and keeps the manifest readable. */
const tidy = (x: number): number => Number(x.toPrecision(8));

function edgesFor(spec: FeatureSpec, min: number, max: number): number[] {
  // Small discrete domains get one bin per allowed value (not just the observed ones), so a
  // value never seen in training still has its own bin to drift into.
  if (spec.dtype !== 'float' && spec.max - spec.min + 1 <= MAX_DISCRETE_BINS) {
    return Array.from({ length: spec.max - spec.min + 2 }, (_, k) => spec.min - 0.5 + k);
  }
  if (max === min) return [min - 0.5, max + 0.5];
  return Array.from({ length: DEFAULT_BINS + 1 }, (_, k) =>
    k === DEFAULT_BINS ? max : tidy(min + ((max - min) * k) / DEFAULT_BINS),
  );
}

/** Bins are [edge_k, edge_k+1), the last one closed so the maximum is counted. */
function histogram(values: readonly number[], edges: readonly number[]): number[] {
  const counts = new Array<number>(edges.length - 1).fill(0);
  for (const v of values) {
    let lo = 0;
    let hi = edges.length - 2;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((edges[mid] ?? 0) <= v) lo = mid;
      else hi = mid - 1;
    }
    counts[lo] = (counts[lo] ?? 0) + 1;
  }
  return counts;
}

export function featureStats(spec: FeatureSpec, values: readonly number[]): Stats {
  const n = values.length;
  let mean = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    mean += v / n;
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  let sq = 0;
  for (const v of values) sq += (v - mean) ** 2;
  const edges = edgesFor(spec, min, max);
  return {
    mean: tidy(mean),
    std: tidy(Math.sqrt(sq / n)),
    min,
    max,
    histogram: { edges, counts: histogram(values, edges) },
  };
}

/** Stats of every schema feature over the training rows, keyed by feature name in schema order. */
export function referenceStats(
  schema: readonly FeatureSpec[],
  rows: readonly (readonly number[])[],
): Record<string, Stats> {
  const out: Record<string, Stats> = {};
  schema.forEach((spec, j) => {
    out[spec.name] = featureStats(spec, rows.map((r) => r[j] ?? 0));
  });
  return out;
}
