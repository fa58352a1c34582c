import type { BackgroundWork } from '../contracts/background.js';
import { Gauge, type Registry } from 'prom-client';
import type { ObservedPrediction, PredictionObserver } from '../contracts/prediction.js';
import type { LoadedVersion } from '../contracts/loaded-version.js';
import { band, psi, total } from './psi.js';
import { VersionDrift, type Tracked } from './version-drift.js';
import { outputValues } from '../contracts/output-values.js';

export interface DriftSettings {
  /** Length of the rolling window (ms). */
  windowMs: number;
  /** The window rolls in this many slices (older slices drop whole). */
  slices: number;
  /** Bin one prediction in this many (1 = all). */
  sampleEvery: number;
  /** Outputs seen before the model's output bins are fixed (deciles of these). */
  outputWarmup: number;
}

export interface DriftMonitorOptions {
  settings: DriftSettings;
  /** The version others are compared with (output drift without reference statistics). */
  stableVersion: (model: string) => string | undefined;
  registry: Registry;
  /** Where a failed window roll is counted and logged (task 'drift-roll'). */
  background?: BackgroundWork;
}

/** A histogram as the drift route shows it. */
const histogramView = (t: Tracked, against: readonly number[] | undefined) => {
  const window = Array.from(t.window.counts());
  const value = against ? psi(against, window) : Number.NaN;
  return { name: t.name, psi: Number.isFinite(value) ? round(value) : null, band: band(value), edges: t.edges, reference: against ?? null, window, samples: total(window) };
};
const round = (x: number) => Math.round(x * 1e4) / 1e4;

/**
 * Drift per served version, off the request path: the observer only bins sampled rows into fixed
 * arrays (a few increments per prediction); PSI is computed when asked (a scrape, the drift
 * route, the canary analysis). Without reference statistics a version says so.
 */
export class DriftMonitor implements PredictionObserver {
  private readonly versions = new Map<string, VersionDrift>();
  /** The request path finds a version's state by its object: no key string per prediction. */
  private readonly byLv = new WeakMap<LoadedVersion, VersionDrift>();
  /** Per model: the output bin edges shared by its versions, or the outputs gathered to derive them. */
  private readonly outputEdges = new Map<string, number[]>();
  private readonly warmup = new Map<string, number[]>();
  private seen = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: DriftMonitorOptions) {
    const self = this;
    new Gauge({
      name: 'modelgate_feature_drift_psi',
      help: 'PSI of each feature over the rolling window vs the manifest reference (<0.1 stable, 0.1-0.25 moderate, >0.25 significant).',
      labelNames: ['model', 'version', 'feature'],
      registers: [opts.registry],
      collect() {
        this.reset();
        for (const d of self.versions.values()) {
          for (const f of d.features) {
            const v = psi(f.reference ?? [], f.window.counts());
            if (Number.isFinite(v)) this.set({ model: d.lv.name, version: d.lv.version, feature: f.name }, v);
          }
        }
      },
    });
    new Gauge({
      name: 'modelgate_output_drift_psi',
      help: 'PSI of the first output over the rolling window vs its reference statistics, else vs the stable version.',
      labelNames: ['model', 'version', 'output'],
      registers: [opts.registry],
      collect() {
        this.reset();
        for (const d of self.versions.values()) {
          const v = d.output ? self.outputPsi(d.lv.name, d.lv.version) : Number.NaN;
          if (Number.isFinite(v) && d.output) this.set({ model: d.lv.name, version: d.lv.version, output: d.output.name }, v);
        }
      },
    });
  }

  observe(p: ObservedPrediction): void {
    if (this.seen++ % this.opts.settings.sampleEvery !== 0) return;
    let d = this.byLv.get(p.version);
    if (!d) {
      d = new VersionDrift(p.version, this.opts.settings.slices);
      this.byLv.set(p.version, d);
      this.versions.set(p.version.key, d);
    }
    if (!d.output && d.outputName) this.learnOutputEdges(p, d);
    d.add(p.feeds, p.outputs, p.cache !== 'bypass');
  }

  /** Roll every window on a timer (unref'd): the window is `windowMs` long. */
  start(): void {
    const { windowMs, slices } = this.opts.settings;
    const roll = () => {
      for (const d of this.versions.values()) d.roll();
    };
    const ms = Math.max(1, Math.round(windowMs / slices));
    this.timer = this.opts.background ? this.opts.background.every('drift-roll', ms, roll) : setInterval(roll, ms).unref();
  }

  close(): void {
    clearInterval(this.timer);
  }

  /** Drop an unloaded version's state (its series leave the exposition). */
  forget(model: string, version: string): void {
    this.versions.delete(`${model}@${version}`);
  }

  /** The output's PSI: vs its own reference statistics, else vs `against` (default the stable version). */
  outputPsi(model: string, version: string, against?: string): number {
    const d = this.versions.get(`${model}@${version}`);
    if (!d?.output) return Number.NaN;
    if (d.output.reference && against === undefined) return psi(d.output.reference, d.output.window.counts());
    const base = against ?? this.opts.stableVersion(model);
    if (base === undefined || base === version) return against === undefined ? Number.NaN : 0;
    const other = this.versions.get(`${model}@${base}`)?.output;
    return other ? psi(other.window.counts(), d.output.window.counts()) : Number.NaN;
  }

  /** The output windows of two versions of a model (same bins), for a test between them. */
  outputWindows(model: string, a: string, b: string): [Float64Array, Float64Array] | undefined {
    const x = this.versions.get(`${model}@${a}`)?.output;
    const y = this.versions.get(`${model}@${b}`)?.output;
    return x && y && x.edges === y.edges ? [x.window.counts(), y.window.counts()] : undefined;
  }

  /** Predictions binned in a version's window: its inputs, or (`output`) its outputs. */
  samples(model: string, version: string, of: 'input' | 'output' = 'input'): number {
    const d = this.versions.get(`${model}@${version}`);
    return (of === 'output' ? d?.output?.window.samples : d?.features[0]?.window.samples) ?? 0;
  }

  /** The drift route's view: per feature and output, PSI, band and both histograms. */
  report(model: string, version: string, hasReference: boolean) {
    const d = this.versions.get(`${model}@${version}`);
    const { windowMs, sampleEvery } = this.opts.settings;
    const base = { model, version, window_ms: windowMs, sample_every: sampleEvery };
    if (!d) {
      const note = hasReference ? 'no prediction of this version observed yet' : 'this version has no reference statistics in its manifest: feature drift cannot be computed';
      return { ...base, reference_statistics: hasReference, samples: 0, features: [], output: null, note };
    }
    const stable = this.opts.stableVersion(model);
    const stableOut = stable && stable !== version ? this.versions.get(`${model}@${stable}`)?.output : undefined;
    const out = d.output ? histogramView(d.output, d.output.reference ?? (stableOut ? Array.from(stableOut.window.counts()) : undefined)) : null;
    return {
      ...base,
      reference_statistics: d.hasReference,
      samples: this.samples(model, version),
      ...(d.hasReference ? {} : { note: 'this version has no reference statistics in its manifest: feature drift cannot be computed' }),
      features: d.features.map((f) => histogramView(f, f.reference)),
      output: out && { ...out, compared_with: d.output?.reference ? 'reference' : stableOut ? `version ${stable}` : null },
    };
  }

  private learnOutputEdges(p: ObservedPrediction, d: VersionDrift): void {
    const model = p.model;
    const known = this.outputEdges.get(model);
    if (known) return d.trackOutput(known);
    const name = d.outputName as string;
    const seen = this.warmup.get(model) ?? [];
    seen.push(...outputValues(p.outputs, name));
    this.warmup.set(model, seen);
    if (seen.length < this.opts.settings.outputWarmup) return;
    const edges = decileEdges(seen);
    this.outputEdges.set(model, edges);
    this.warmup.delete(model);
    d.trackOutput(edges);
  }
}

/** Ten bins at the deciles of `values`, the end bins open (binOf clamps into them). */
function decileEdges(values: number[]): number[] {
  const s = [...values].sort((a, b) => a - b);
  const q = (f: number) => s[Math.min(s.length - 1, Math.floor(f * s.length))] as number;
  const edges = [s[0] as number];
  for (let i = 1; i < 10; i++) {
    const e = q(i / 10);
    if (e > (edges[edges.length - 1] as number)) edges.push(e);
  }
  const last = s[s.length - 1] as number;
  edges.push(last > (edges[edges.length - 1] as number) ? last : (edges[edges.length - 1] as number) + 1);
  return edges;
}
