import { Gauge, type Registry } from 'prom-client';

/** Running sums of one version's feedback: enough for means, variances and intervals. */
export class QualitySums {
  n = 0;
  /** Regression: sum |e|, sum e^2, sum e^4 (the variance of e^2, for the RMSE interval). */
  sumAbs = 0;
  sumSq = 0;
  sumSq2 = 0;
  /** Classification: hits, sum and sum of squares of the per-row log loss. */
  hits = 0;
  sumLoss = 0;
  sumLoss2 = 0;

  addError(e: number): void {
    this.n++;
    this.sumAbs += Math.abs(e);
    this.sumSq += e * e;
    this.sumSq2 += e ** 4;
  }

  addLabel(hit: boolean, loss: number): void {
    this.n++;
    if (hit) this.hits++;
    this.sumLoss += loss;
    this.sumLoss2 += loss * loss;
  }

  /** The sums accumulated since `earlier` (a snapshot copy). */
  minus(earlier: QualitySums): QualitySums {
    const d = new QualitySums();
    for (const k of ['n', 'sumAbs', 'sumSq', 'sumSq2', 'hits', 'sumLoss', 'sumLoss2'] as const) d[k] = this[k] - earlier[k];
    return d;
  }

  copy(): QualitySums {
    return this.minus(new QualitySums());
  }
}

const Z95 = 1.959964;

/** Mean and variance (unbiased) from a count, a sum and a sum of squares. */
export function meanVar(n: number, sum: number, sum2: number): { mean: number; variance: number } {
  const mean = n > 0 ? sum / n : Number.NaN;
  const variance = n > 1 ? Math.max(0, (sum2 - n * mean * mean) / (n - 1)) : Number.NaN;
  return { mean, variance };
}

/** Wilson score interval of a proportion (sound for small n and extreme shares). */
export function wilson(hits: number, n: number): [number, number] {
  if (n === 0) return [Number.NaN, Number.NaN];
  const p = hits / n;
  const d = 1 + (Z95 * Z95) / n;
  const c = (p + (Z95 * Z95) / (2 * n)) / d;
  const h = (Z95 * Math.sqrt((p * (1 - p)) / n + (Z95 * Z95) / (4 * n * n))) / d;
  return [c - h, c + h];
}

const ci = (mean: number, variance: number, n: number): [number, number] | null =>
  n > 1 && Number.isFinite(variance) ? [mean - (Z95 * Math.sqrt(variance)) / Math.sqrt(n), mean + (Z95 * Math.sqrt(variance)) / Math.sqrt(n)] : null;

export type QualityView = ReturnType<typeof qualityView>;

/** Live quality with 95 % intervals: RMSE/MAE for regression, accuracy/log loss for classification. */
export function qualityView(task: string, s: QualitySums) {
  if (task === 'classification') {
    const loss = meanVar(s.n, s.sumLoss, s.sumLoss2);
    const [lo, hi] = wilson(s.hits, s.n);
    return {
      task, samples: s.n,
      metrics: {
        accuracy: { value: s.n ? s.hits / s.n : null, ci95: s.n ? [lo, hi] : null },
        log_loss: { value: s.n ? loss.mean : null, ci95: ci(loss.mean, loss.variance, s.n) },
      },
    };
  }
  const abs = meanVar(s.n, s.sumAbs, s.sumSq);
  const sq = meanVar(s.n, s.sumSq, s.sumSq2);
  const mseCi = ci(sq.mean, sq.variance, s.n);
  return {
    task, samples: s.n,
    metrics: {
      rmse: { value: s.n ? Math.sqrt(sq.mean) : null, ci95: mseCi ? [Math.sqrt(Math.max(0, mseCi[0])), Math.sqrt(mseCi[1])] : null },
      mae: { value: s.n ? abs.mean : null, ci95: ci(abs.mean, abs.variance, s.n) },
    },
  };
}

/**
 * Live quality per version from ground-truth feedback, as sums (O(1) per label) exported at
 * scrape time as `modelgate_live_quality{model,version,metric}` and
 * `modelgate_feedback_samples{model,version}`.
 */
export class LiveQuality {
  private readonly sums = new Map<string, { model: string; version: string; task: string; sums: QualitySums }>();

  constructor(registry: Registry) {
    const self = this;
    new Gauge({
      name: 'modelgate_live_quality', help: 'Live quality from ground-truth feedback: rmse, mae (regression), accuracy, log_loss (classification).',
      labelNames: ['model', 'version', 'metric'], registers: [registry],
      collect() {
        this.reset();
        for (const q of self.sums.values()) {
          for (const [metric, m] of Object.entries(qualityView(q.task, q.sums).metrics)) {
            if (m.value !== null && Number.isFinite(m.value)) this.set({ model: q.model, version: q.version, metric }, m.value);
          }
        }
      },
    });
    new Gauge({
      name: 'modelgate_feedback_samples', help: 'Ground-truth labels joined to predictions, per version.',
      labelNames: ['model', 'version'], registers: [registry],
      collect() {
        this.reset();
        for (const q of self.sums.values()) this.set({ model: q.model, version: q.version }, q.sums.n);
      },
    });
  }

  /** The sums of a version (made on first use). */
  of(model: string, version: string, task: string): QualitySums {
    const key = `${model}@${version}`;
    let q = this.sums.get(key);
    if (!q) this.sums.set(key, (q = { model, version, task, sums: new QualitySums() }));
    return q.sums;
  }

  /** Current sums, or undefined when the version never got feedback. */
  peek(model: string, version: string): { task: string; sums: QualitySums } | undefined {
    return this.sums.get(`${model}@${version}`);
  }

  view(model: string, version: string, task: string) {
    return { model, version, ...qualityView(task, this.peek(model, version)?.sums ?? new QualitySums()) };
  }
}
