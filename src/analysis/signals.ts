import type { ObservedPrediction, PredictionObserver } from '../contracts/prediction.js';
import type { LoadedVersion } from '../contracts/loaded-version.js';

/** Latency buckets (ms): log-spaced from 0.01 ms to ~100 s, 8 per decade. */
const BOUNDS = Array.from({ length: 57 }, (_, i) => 0.01 * 10 ** (i / 8));

/** Answered predictions and their latency histogram, for one version. */
export class LatencyCounts {
  readonly counts = new Float64Array(BOUNDS.length + 1);
  n = 0;

  add(ms: number): void {
    let i = 0;
    while (i < BOUNDS.length && ms > (BOUNDS[i] as number)) i++;
    this.counts[i]! += 1;
    this.n++;
  }

  minus(earlier: LatencyCounts): LatencyCounts {
    const d = new LatencyCounts();
    for (let i = 0; i < d.counts.length; i++) d.counts[i] = (this.counts[i] as number) - (earlier.counts[i] as number);
    d.n = this.n - earlier.n;
    return d;
  }

  copy(): LatencyCounts {
    return this.minus(new LatencyCounts());
  }

  /** Samples in buckets entirely above `ms` (a lower bound of the count slower than `ms`). */
  countAbove(ms: number): number {
    let n = 0;
    for (let i = 1; i < this.counts.length; i++) if ((BOUNDS[i - 1] as number) >= ms) n += this.counts[i] as number;
    return n;
  }

  /** The upper bound of the bucket holding quantile q (ms); NaN without samples. */
  quantile(q: number): number {
    if (this.n === 0) return Number.NaN;
    const rank = Math.ceil(q * this.n);
    let acc = 0;
    for (let i = 0; i < this.counts.length; i++) {
      acc += this.counts[i] as number;
      if (acc >= rank) return BOUNDS[Math.min(i, BOUNDS.length - 1)] as number;
    }
    return BOUNDS[BOUNDS.length - 1] as number;
  }
}

/** Per-version latency of answered predictions (the canary analysis' latency check): one bucket increment each. */
export class LatencySignals implements PredictionObserver {
  private readonly versions = new Map<string, LatencyCounts>();
  /** Found by the version object on the request path (no key string per prediction). */
  private readonly byLv = new WeakMap<LoadedVersion, LatencyCounts>();

  observe(p: ObservedPrediction): void {
    let c = this.byLv.get(p.version);
    if (!c) this.byLv.set(p.version, (c = this.of(p.model, p.version.version)));
    c.add(p.latencyMs);
  }

  of(model: string, version: string): LatencyCounts {
    const key = `${model}@${version}`;
    let c = this.versions.get(key);
    if (!c) this.versions.set(key, (c = new LatencyCounts()));
    return c;
  }
}
