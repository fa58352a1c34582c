import type { LoadedVersion } from '../contracts/loaded-version.js';
import type { TensorMap } from '../contracts/tensor.js';
import { eachOutputValue, numericData } from '../contracts/output-values.js';
import { binOf } from './psi.js';
import { RollingHistogram } from './rolling-histogram.js';

/** One binned quantity: a feature (a column of the feature tensor) or an output. */
export interface Tracked {
  name: string;
  edges: readonly number[];
  /** The training data's counts (the manifest's referenceStats), when known. */
  reference: readonly number[] | undefined;
  window: RollingHistogram;
}

/**
 * The drift state of one served version: a rolling histogram per feature of its feature tensor,
 * binned on the manifest's reference edges, and one of its first output, binned on edges the
 * model shares across versions (so two versions' outputs compare bin by bin).
 */
export class VersionDrift {
  readonly features: Tracked[] = [];
  output: Tracked | undefined;
  /** The feature tensor's column of each of `features`. */
  private readonly columns: number[] = [];
  /** `features`, then the output once tracked: what a bin pair's index names. */
  private readonly tracked: Tracked[] = [];
  private readonly binned = new WeakMap<TensorMap, Uint32Array>();

  constructor(readonly lv: LoadedVersion, private readonly slices: number) {
    const m = lv.manifest;
    m.features.forEach((f, i) => {
      const ref = m.referenceStats[f.name];
      if (!ref || ref.histogram.counts.length !== ref.histogram.edges.length - 1) return;
      const t = { name: f.name, edges: ref.histogram.edges, reference: ref.histogram.counts, window: new RollingHistogram(ref.histogram.counts.length, slices) };
      this.features.push(t);
      this.tracked.push(t);
      this.columns.push(i);
    });
  }

  get hasReference(): boolean {
    return this.features.length > 0;
  }

  get outputName(): string | undefined {
    return this.lv.manifest.outputs[0]?.name;
  }

  /** Bin the output on the model's shared edges (set once they are known). */
  trackOutput(edges: readonly number[]): void {
    const name = this.outputName;
    if (this.output || !name) return;
    const ref = this.lv.manifest.referenceStats[name]?.histogram;
    const own = ref && ref.counts.length === ref.edges.length - 1;
    const e = own ? ref.edges : edges;
    this.output = { name, edges: e, reference: own ? ref.counts : undefined, window: new RollingHistogram(e.length - 1, this.slices) };
  }

  /**
   * Bin every row of a prediction's feature tensor and output. A cached prediction's bins are
   * computed once (`reusable`: its outputs object is the cache entry's, shared by every hit).
   */
  add(feeds: TensorMap, outputs: TensorMap, reusable = false): void {
    if (!reusable || !this.output) {
      this.bin(feeds, outputs, (t, bin) => (this.tracked[t] as Tracked).window.add(bin));
      return;
    }
    let bins = this.binned.get(outputs);
    if (!bins) {
      const pairs: number[] = [];
      this.bin(feeds, outputs, (t, bin) => pairs.push(t, bin));
      this.binned.set(outputs, (bins = Uint32Array.from(pairs)));
    }
    const tracked = this.tracked;
    for (let i = 0; i < bins.length; i += 2) (tracked[bins[i] as number] as Tracked).window.add(bins[i + 1] as number);
  }

  /** Each (tracked index, bin): the features' columns row by row in `tracked` order, then the output's rows. */
  private bin(feeds: TensorMap, outputs: TensorMap, to: (tracked: number, bin: number) => void): void {
    const tensorName = this.lv.manifest.featureTensor;
    const x = tensorName ? feeds[tensorName] : undefined;
    const data = numericData(x);
    const cols = x?.dims[1] ?? 0;
    const features = this.features;
    if (data && cols > 0) {
      for (let r = 0; r + cols <= data.length; r += cols) {
        for (let i = 0; i < features.length; i++) {
          to(i, binOf((features[i] as Tracked).edges, data[r + (this.columns[i] as number)] as number));
        }
      }
    }
    const out = this.output;
    if (!out) return;
    this.tracked[features.length] = out;
    eachOutputValue(outputs, out.name, (v) => to(features.length, binOf(out.edges, v)));
  }

  roll(): void {
    for (const t of this.features) t.window.roll();
    this.output?.window.roll();
  }
}
