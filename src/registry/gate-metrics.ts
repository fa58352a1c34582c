// The pass rules of the validation gate: pure functions, table-tested (the metrics: metrics/quality.ts).
import type { GateSettings } from '../config/registry-schema.js';

export type MetricDirection = 'lower_is_better' | 'higher_is_better';

/** Quality metrics the gate computes, and which way is better. */
export const METRIC_DIRECTIONS: Readonly<Record<string, MetricDirection>> = {
  rmse: 'lower_is_better',
  mae: 'lower_is_better',
  r2: 'higher_is_better',
  accuracy: 'higher_is_better',
};

export interface MetricCheck {
  name: string;
  direction: MetricDirection;
  candidate: number;
  baseline: number | null;
  /** The worst value that still passes; null without a baseline. */
  limit: number | null;
  passed: boolean;
}

export interface LatencyCheck {
  runs: number;
  candidateP95Ms: number;
  baselineP95Ms: number | null;
  limitMs: number | null;
  passed: boolean;
}

/**
 * The seed's rule for one metric: a candidate passes within `ratio` of the baseline. Lower is
 * better: candidate <= baseline / ratio. Higher is better: candidate >= baseline - |baseline|(1 - ratio)
 * (= baseline * ratio for a positive baseline).
 */
export function judgeMetric(name: string, candidate: number, baseline: number | null, ratio: number): MetricCheck {
  const direction = METRIC_DIRECTIONS[name] ?? 'higher_is_better';
  if (baseline === null) return { name, direction, candidate: round(candidate), baseline: null, limit: null, passed: Number.isFinite(candidate) };
  const limit = direction === 'lower_is_better' ? baseline / ratio : baseline - Math.abs(baseline) * (1 - ratio);
  const eps = 1e-9 * Math.max(1, Math.abs(limit));
  const passed = Number.isFinite(candidate) && (direction === 'lower_is_better' ? candidate <= limit + eps : candidate >= limit - eps);
  return { name, direction, candidate: round(candidate), baseline: round(baseline), limit: round(limit), passed };
}

/** p95 at most latencyRatio x the baseline's, or the baseline's + latencySlackMs (timer noise), whichever is larger. */
export function judgeLatency(candidateP95Ms: number, baselineP95Ms: number | null, runs: number, s: GateSettings): LatencyCheck {
  if (baselineP95Ms === null) return { runs, candidateP95Ms: round(candidateP95Ms), baselineP95Ms: null, limitMs: null, passed: true };
  const limitMs = Math.max(baselineP95Ms * s.latencyRatio, baselineP95Ms + s.latencySlackMs);
  return {
    runs,
    candidateP95Ms: round(candidateP95Ms),
    baselineP95Ms: round(baselineP95Ms),
    limitMs: round(limitMs),
    passed: candidateP95Ms <= limitMs,
  };
}

export function p95(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.95))] ?? 0;
}

const round = (x: number): number => (Number.isFinite(x) ? Number(x.toPrecision(6)) : x);
