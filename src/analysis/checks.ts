import type { AnalysisSettings } from '../config/analysis-schema.js';
import { meanVar, type QualitySums } from '../quality/live-quality.js';
import type { LatencyCounts } from './signals.js';
import { binomialGreater, fisherGreater, welchGreater } from './stats.js';

/** pass / fail; wait = not enough data yet (holds the step); skip = the check does not apply. */
export type Verdict = 'pass' | 'fail' | 'wait' | 'skip';

export interface CheckResult {
  name: 'error_rate' | 'latency_p99' | 'shadow_disagreement' | 'drift' | 'quality';
  verdict: Verdict;
  /** The canary's value and the stable version's, in the check's unit. */
  value: number | null;
  stable: number | null;
  threshold: string;
  samples: number;
  p_value?: number;
  note?: string;
}

/** What the checks read: the canary in this step (and since the analysis began), the stable version since it began. */
export interface CheckInput {
  settings: AnalysisSettings;
  task: string;
  canary: { requests: number; errors: number; latency: LatencyCounts; quality: QualitySums | undefined };
  stable: { requests: number; errors: number; latency: LatencyCounts; quality: QualitySums | undefined };
  shadow: { agree: number; disagree: number } | undefined;
  /** Output PSI of canary vs stable, the chi-square p-value of the same histograms, the smaller sample. */
  drift: { psi: number; pValue: number; samples: number };
}

const r4 = (x: number) => (Number.isFinite(x) ? Math.round(x * 1e4) / 1e4 : null);

export function errorRateCheck(i: CheckInput): CheckResult {
  const { maxIncrease } = i.settings.checks.errorRate;
  const c = i.canary.requests > 0 ? i.canary.errors / i.canary.requests : Number.NaN;
  const s = i.stable.requests > 0 ? i.stable.errors / i.stable.requests : 0;
  const base = { name: 'error_rate' as const, value: r4(c), stable: r4(s), threshold: `canary - stable <= ${maxIncrease}`, samples: i.canary.requests };
  if (i.canary.requests === 0) return { ...base, verdict: 'wait' };
  if (c - s <= maxIncrease) return { ...base, verdict: 'pass' };
  // Worse by more than the threshold: fail only if chance alone would rarely produce it.
  const p = fisherGreater(i.canary.errors, i.canary.requests, i.stable.errors, i.stable.requests);
  return { ...base, p_value: r4(p) ?? 1, verdict: p < i.settings.alpha ? 'fail' : 'wait', note: p < i.settings.alpha ? undefined : 'above the threshold, not yet significant' };
}

export function latencyCheck(i: CheckInput): CheckResult {
  const { maxRatio, minDeltaMs, minSamples } = i.settings.checks.latencyP99;
  const c = i.canary.latency.quantile(0.99);
  const s = i.stable.latency.quantile(0.99);
  const limit = Math.max(s * maxRatio, s + minDeltaMs);
  const base = { name: 'latency_p99' as const, value: r4(c), stable: r4(s), threshold: `canary p99 <= max(${maxRatio} x stable, stable + ${minDeltaMs} ms) (binomial, alpha ${i.settings.alpha})`, samples: i.canary.latency.n };
  if (i.canary.latency.n < minSamples || i.stable.latency.n < minSamples) return { ...base, verdict: 'wait', note: `needs ${minSamples} samples of each` };
  if (c <= limit) return { ...base, verdict: 'pass' };
  // A p99 over a few dozen samples is their maximum: one stall moves it. If the canary were as fast
  // as stable, about 1 % of its requests would exceed the limit; fail only if far more did.
  const slow = i.canary.latency.countAbove(limit);
  const p = binomialGreater(slow, i.canary.latency.n, 0.01);
  return { ...base, p_value: r4(p) ?? 1, verdict: p < i.settings.alpha ? 'fail' : 'pass', note: p < i.settings.alpha ? `${slow} requests over the limit` : `${slow} requests over the limit: within chance` };
}

export function shadowCheck(i: CheckInput): CheckResult {
  const { max, minSamples } = i.settings.checks.shadowDisagreement;
  const n = i.shadow ? i.shadow.agree + i.shadow.disagree : 0;
  const rate = n > 0 ? (i.shadow?.disagree ?? 0) / n : Number.NaN;
  const base = { name: 'shadow_disagreement' as const, value: r4(rate), stable: null, threshold: `disagreement <= ${max}`, samples: n };
  if (!i.shadow) return { ...base, verdict: 'skip', note: 'no shadow traffic to the canary' };
  if (n < minSamples) return { ...base, verdict: 'wait' };
  return { ...base, verdict: rate <= max ? 'pass' : 'fail' };
}

export function driftCheck(i: CheckInput): CheckResult {
  const { maxPsi, minSamples } = i.settings.checks.drift;
  const { psi, pValue, samples } = i.drift;
  const base = { name: 'drift' as const, value: r4(psi), stable: 0, threshold: `output PSI vs stable, less its small-sample bias, <= ${maxPsi} (chi-square, alpha ${i.settings.alpha})`, samples };
  if (samples < minSamples || !Number.isFinite(psi)) return { ...base, verdict: 'wait', note: `needs ${minSamples} outputs of each in the window` };
  if (psi <= maxPsi) return { ...base, verdict: 'pass' };
  // PSI over few samples is biased upwards: fail only if the histograms differ beyond chance.
  return { ...base, p_value: r4(pValue) ?? 1, verdict: pValue < i.settings.alpha ? 'fail' : 'wait', note: pValue < i.settings.alpha ? undefined : 'above the threshold, not yet significant' };
}

export function qualityCheck(i: CheckInput): CheckResult {
  const { maxRelativeIncrease, minSamples } = i.settings.checks.quality;
  const cq = i.canary.quality;
  const sq = i.stable.quality;
  const n = cq?.n ?? 0;
  if (i.task === 'classification') {
    const ce = n > 0 ? 1 - (cq?.hits ?? 0) / n : Number.NaN;
    const se = sq && sq.n > 0 ? 1 - sq.hits / sq.n : Number.NaN;
    const base = { name: 'quality' as const, value: r4(ce), stable: r4(se), threshold: `error share <= stable x ${1 + maxRelativeIncrease}`, samples: n };
    if (!cq || !sq || n < minSamples || sq.n < minSamples) return { ...base, verdict: 'wait', note: `needs ${minSamples} labels of each` };
    if (ce <= se * (1 + maxRelativeIncrease)) return { ...base, verdict: 'pass' };
    const p = fisherGreater(n - cq.hits, n, sq.n - sq.hits, sq.n);
    return { ...base, p_value: r4(p) ?? 1, verdict: p < i.settings.alpha ? 'fail' : 'wait' };
  }
  if (i.task !== 'regression') return { name: 'quality', value: null, stable: null, threshold: '-', samples: 0, verdict: 'skip', note: 'no live quality for this task' };
  const c = cq ? meanVar(cq.n, cq.sumAbs, cq.sumSq) : { mean: Number.NaN, variance: Number.NaN };
  const s = sq ? meanVar(sq.n, sq.sumAbs, sq.sumSq) : { mean: Number.NaN, variance: Number.NaN };
  const base = { name: 'quality' as const, value: r4(c.mean), stable: r4(s.mean), threshold: `MAE <= stable x ${1 + maxRelativeIncrease} (Welch, alpha ${i.settings.alpha})`, samples: n };
  if (!cq || !sq || n < minSamples || sq.n < minSamples) return { ...base, verdict: 'wait', note: `needs ${minSamples} labels of each` };
  if (c.mean <= s.mean * (1 + maxRelativeIncrease)) return { ...base, verdict: 'pass' };
  // The canary's absolute errors against the stable's scaled by the tolerance: worse beyond it, significantly.
  const k = 1 + maxRelativeIncrease;
  const p = welchGreater({ n: cq.n, ...c }, { n: sq.n, mean: s.mean * k, variance: s.variance * k * k });
  return { ...base, p_value: r4(p) ?? 1, verdict: p < i.settings.alpha ? 'fail' : 'wait', note: p < i.settings.alpha ? undefined : 'worse, not yet significant' };
}

/** Every enabled check, in a stable order. */
export function runChecks(i: CheckInput): CheckResult[] {
  const c = i.settings.checks;
  const all: [boolean, (i: CheckInput) => CheckResult][] = [
    [c.errorRate.enabled, errorRateCheck],
    [c.latencyP99.enabled, latencyCheck],
    [c.shadowDisagreement.enabled, shadowCheck],
    [c.drift.enabled, driftCheck],
    [c.quality.enabled, qualityCheck],
  ];
  return all.filter(([on]) => on).map(([, f]) => f(i));
}
