import type { GateSettings } from '../config/registry-schema.js';
import type { Holdout, Manifest } from '../contracts/manifest.js';
import type { ModelRunner, RunnerFactory } from '../contracts/runner.js';
import { encodeTensorData, oipToOrt, type TensorMap } from '../contracts/tensor.js';
import { accuracy, regressionMetrics } from '../metrics/quality.js';
import { judgeLatency, judgeMetric, p95, type LatencyCheck, type MetricCheck } from './gate-metrics.js';
import { schemaChanges } from './version-rules.js';

/** What the gate found, stored with the version and shown by the API. */
export interface GateResult {
  model: string;
  candidate: string;
  baseline: string | null;
  /** same_holdout: both ran on the candidate's holdout; own_holdouts: schemas differ, each on its own. */
  comparison: 'same_holdout' | 'own_holdouts' | 'no_baseline';
  holdoutRows: number;
  passed: boolean;
  metrics: MetricCheck[];
  latency: LatencyCheck | null;
  notes: string[];
  rules: { qualityRatio: number; latencyRatio: number; latencySlackMs: number };
  startedAt: string;
  durationMs: number;
}

/** A version as the gate sees it: manifest, ONNX bytes and (if any) its holdout set. */
export interface GateSubject {
  manifest: Manifest;
  artifact: Uint8Array;
  holdout: Holdout | undefined;
}

export interface GateProgress {
  phase: 'quality' | 'latency';
  version: string;
  done: number;
  total: number;
}

/**
 * The validation gate (the seed's ModelTestSuite): runs the candidate and the production
 * baseline in runners of their own on the candidate's holdout set, computes quality metrics
 * fresh, times single-row inference interleaved, and passes only if every metric is within qualityRatio of the
 * baseline's and p95 latency is within latencyRatio.
 */
export class ValidationGate {
  constructor(
    private readonly settings: GateSettings,
    /** Opens the candidate's and the baseline's sessions (handed in by the composition root). */
    private readonly openRunner: RunnerFactory,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async run(candidate: GateSubject, baseline: GateSubject | undefined, onProgress?: (p: GateProgress) => void): Promise<GateResult> {
    const startedAt = this.now();
    const t0 = performance.now();
    const s = this.settings;
    const notes: string[] = [];
    const result = (fields: Pick<GateResult, 'comparison' | 'holdoutRows' | 'metrics' | 'latency'>): GateResult => {
      const passed = fields.metrics.length > 0 && fields.metrics.every((m) => m.passed) && (fields.latency?.passed ?? false);
      return {
        model: candidate.manifest.name,
        candidate: candidate.manifest.version,
        baseline: baseline?.manifest.version ?? null,
        passed: passed && !notes.some((n) => n.startsWith('FAIL')),
        notes,
        rules: { qualityRatio: s.qualityRatio, latencyRatio: s.latencyRatio, latencySlackMs: s.latencySlackMs },
        startedAt: startedAt.toISOString(),
        durationMs: Math.round(performance.now() - t0),
        ...fields,
      };
    };

    const holdout = candidate.holdout;
    const problem = holdout ? holdoutProblem(candidate.manifest, holdout) : 'the candidate has no holdout set';
    if (!holdout || problem) {
      notes.push(`FAIL: ${problem}: the gate cannot measure quality`);
      return result({ comparison: baseline ? 'same_holdout' : 'no_baseline', holdoutRows: 0, metrics: [], latency: null });
    }

    const cand = await this.openRunner(candidate.artifact);
    let base: ModelRunner | undefined;
    try {
      if (baseline) base = await this.openRunner(baseline.artifact);
      const progress = (phase: GateProgress['phase'], version: string) => (done: number, total: number, round = 0) =>
        onProgress?.({ phase, version: round > 0 ? `${version} (again: round ${round + 1})` : version, done, total });
      const candMetrics = await this.quality(cand, candidate.manifest, holdout, progress('quality', candidate.manifest.version));

      if (!baseline || !base) {
        notes.push('no production version yet: the candidate passes on its own metrics');
        const latency = await this.latency(cand, candidate.manifest, holdout, undefined, progress('latency', candidate.manifest.version));
        return result({
          comparison: 'no_baseline',
          holdoutRows: holdout.rows.length,
          metrics: Object.entries(candMetrics).map(([k, v]) => judgeMetric(k, v, null, s.qualityRatio)),
          latency: judgeLatency(latency.candidate, null, latency.runs, s),
        });
      }

      const { comparison, baseMetrics, baseRows } = await this.baselineQuality(base, baseline, candidate, holdout, notes, progress('quality', baseline.manifest.version));
      const metrics = Object.entries(candMetrics).map(([k, v]) => judgeMetric(k, v, baseMetrics[k] ?? null, s.qualityRatio));
      for (const m of metrics) if (m.baseline === null) notes.push(`${m.name}: the baseline has no value to compare with`);
      const latency = await this.latency(
        cand,
        candidate.manifest,
        holdout,
        { runner: base, manifest: baseline.manifest, holdout: baseRows },
        progress('latency', `${candidate.manifest.version} vs ${baseline.manifest.version}`),
      );
      return result({
        comparison,
        holdoutRows: holdout.rows.length,
        metrics,
        latency: judgeLatency(latency.candidate, latency.baseline ?? null, latency.runs, s),
      });
    } finally {
      await cand.dispose();
      await base?.dispose();
    }
  }

  /**
   * The baseline's metrics to judge against: on the candidate's holdout when the inputs match,
   * else on its own holdout, else the metrics in its manifest (each fallback noted).
   */
  private async baselineQuality(
    base: ModelRunner, baseline: GateSubject, candidate: GateSubject, holdout: Holdout, notes: string[], progress: (done: number, total: number) => void,
  ): Promise<{ comparison: GateResult['comparison']; baseMetrics: Record<string, number>; baseRows: Holdout }> {
    const changed = schemaChanges(baseline.manifest, candidate.manifest).filter((c) => c !== 'outputs');
    if (changed.length === 0) {
      return { comparison: 'same_holdout', baseMetrics: await this.quality(base, baseline.manifest, holdout, progress), baseRows: holdout };
    }
    notes.push(`the ${changed.join(' and ')} differ from ${baseline.manifest.version}'s: each version is measured on its own holdout set`);
    const own = baseline.holdout;
    if (own && !holdoutProblem(baseline.manifest, own)) {
      return { comparison: 'own_holdouts', baseMetrics: await this.quality(base, baseline.manifest, own, progress), baseRows: own };
    }
    notes.push(`${baseline.manifest.version} has no usable holdout set: compared with the metrics in its manifest`);
    return { comparison: 'own_holdouts', baseMetrics: baseline.manifest.metrics, baseRows: holdout };
  }

  /** Fresh quality metrics of one runner on a holdout set, in batches. */
  private async quality(runner: ModelRunner, manifest: Manifest, holdout: Holdout, progress: (done: number, total: number) => void) {
    const outputName = manifest.outputs[0]?.name ?? '';
    const predictions: number[][] = [];
    const total = holdout.rows.length;
    for (let start = 0; start < total; start += this.settings.batchRows) {
      const rows = holdout.rows.slice(start, start + this.settings.batchRows);
      const out = await runner.run(feedsOf(manifest, rows), [outputName]);
      const tensor = out[outputName];
      if (!tensor) throw new Error(`the model produced no output '${outputName}'`);
      const width = tensor.dims.length > 1 ? tensor.dims.slice(1).reduce((a, b) => a * b, 1) : 1;
      const data = Array.from(tensor.data as ArrayLike<number | bigint>, Number);
      for (let i = 0; i < rows.length; i++) predictions.push(data.slice(i * width, (i + 1) * width));
      progress(Math.min(start + rows.length, total), total);
    }
    return manifest.task === 'classification'
      ? { accuracy: accuracy(predictions, holdout.targets) }
      : regressionMetrics(predictions.map((p) => p[0] ?? Number.NaN), holdout.targets);
  }

  /** p95 of single-row runs; candidate and baseline alternate (order flipped each run) so drift hits both. */
  private async latency(
    cand: ModelRunner,
    manifest: Manifest,
    holdout: Holdout,
    baseline: { runner: ModelRunner; manifest: Manifest; holdout: Holdout } | undefined,
    progress: (done: number, total: number, round?: number) => void,
  ): Promise<{ runs: number; candidate: number; baseline?: number }> {
    const runs = this.settings.latencyRuns;
    const feed = (m: Manifest, h: Holdout, i: number) => feedsOf(m, [h.rows[i % h.rows.length] ?? []]);
    const time = async (r: ModelRunner, f: TensorMap) => {
      const t = performance.now();
      await r.run(f);
      return performance.now() - t;
    };
    for (let i = 0; i < 30; i++) {
      await cand.run(feed(manifest, holdout, i));
      if (baseline) await baseline.runner.run(feed(baseline.manifest, baseline.holdout, i));
    }
    const round = async (attempt: number) => {
      const c: number[] = [];
      const b: number[] = [];
      for (let i = 0; i < runs; i++) {
        const fc = feed(manifest, holdout, i);
        if (!baseline) c.push(await time(cand, fc));
        else {
          const fb = feed(baseline.manifest, baseline.holdout, i);
          if (i % 2 === 0) {
            c.push(await time(cand, fc));
            b.push(await time(baseline.runner, fb));
          } else {
            b.push(await time(baseline.runner, fb));
            c.push(await time(cand, fc));
          }
        }
        if ((i + 1) % 100 === 0 || i + 1 === runs) progress(i + 1, runs, attempt);
      }
      return { runs, candidate: p95(c), ...(baseline ? { baseline: p95(b) } : {}) };
    };
    // A pause (GC, JIT, a noisy neighbour) can inflate one round's p95: a regression must show in every round.
    let best = await round(0);
    for (let attempt = 1; attempt < this.settings.latencyAttempts; attempt++) {
      if (best.baseline === undefined || judgeLatency(best.candidate, best.baseline, runs, this.settings).passed) break;
      const next = await round(attempt);
      if (next.baseline !== undefined && next.candidate / next.baseline < best.candidate / best.baseline) best = next;
    }
    return best;
  }
}

/** Why a holdout set cannot feed this manifest, or undefined when it can. */
export function holdoutProblem(manifest: Manifest, holdout: Holdout): string | undefined {
  const featureInput = manifest.featureTensor ?? manifest.inputs[0]?.name;
  if (manifest.inputs.length !== 1 || manifest.features.length === 0) {
    return 'the gate evaluates single-input models with named features';
  }
  const names = manifest.features.map((f) => f.name).join(',');
  if (holdout.columns.join(',') !== names) return `the holdout columns [${holdout.columns.join(',')}] are not the features [${names}]`;
  if (holdout.rows.length === 0) return 'the holdout set is empty';
  if (holdout.rows.length !== holdout.targets.length) return 'the holdout set has a different number of rows and targets';
  if (holdout.rows.some((r) => r.length !== manifest.features.length)) return `a holdout row does not have ${manifest.features.length} values`;
  if (!featureInput) return 'the manifest has no feature input';
  return undefined;
}

function feedsOf(manifest: Manifest, rows: number[][]): TensorMap {
  const input = manifest.inputs[0];
  if (!input) throw new Error('the manifest has no input');
  const type = oipToOrt(input.datatype);
  const cols = manifest.features.length;
  return { [input.name]: { type, dims: [rows.length, cols], data: encodeTensorData(type, rows.flat()) } };
}
