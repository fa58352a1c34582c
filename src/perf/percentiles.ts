/** Nearest-rank percentile of sorted values (0 when empty). */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

export interface LatencySummary {
  mean: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
}

/** The latency figures perf_analyzer prints, from raw milliseconds (sorted here, in place). */
export function summarize(latencies: Float64Array): LatencySummary {
  const s = latencies.sort();
  let sum = 0;
  for (const v of s) sum += v;
  return {
    mean: s.length ? sum / s.length : 0,
    p50: percentile(s, 50),
    p90: percentile(s, 90),
    p95: percentile(s, 95),
    p99: percentile(s, 99),
    max: s.length ? (s[s.length - 1] as number) : 0,
  };
}
