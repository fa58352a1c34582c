import type { FeatureSpec } from '../../src/contracts/manifest.js';
import type { GraphBuilder } from './onnx-writer.js';
import { attr } from './onnx-writer.js';

/**
 * Feature preprocessing that lives INSIDE the exported graph (so it is versioned with the
 * weights and a client sends raw feature values), with a JS twin used for training.
 *
 * Output columns, in order: standardised numeric features, one-hot encodings of category
 * features, then optional interactions (a standardised numeric times a one-hot block, which
 * lets a linear model learn one slope per category, e.g. a price per sqft per location).
 *
 * The JS twin rounds through float32 at every step, mirroring what onnxruntime computes, so
 * the learners are trained on exactly the values the graph will feed them.
 */

interface NumericColumn {
  index: number;
  name: string;
  mean: number;
  std: number;
}

interface CategoryColumn {
  index: number;
  name: string;
  levels: number;
}

interface Interaction {
  numeric: number;
  category: number;
}

const f32 = Math.fround;

export class Preprocessor {
  private constructor(
    private readonly numeric: NumericColumn[],
    private readonly categories: CategoryColumn[],
    private readonly interactions: Interaction[],
  ) {}

  /**
   * Learns means/standard deviations from the training rows. `interactions` lists
   * [numeric feature, category feature] name pairs.
   */
  static fit(
    schema: readonly FeatureSpec[],
    rows: readonly (readonly number[])[],
    interactions: readonly (readonly [string, string])[] = [],
  ): Preprocessor {
    const numeric: NumericColumn[] = [];
    const categories: CategoryColumn[] = [];
    schema.forEach((f, index) => {
      if (f.dtype === 'category') {
        categories.push({ index, name: f.name, levels: f.categories?.length ?? f.max + 1 });
        return;
      }
      let sum = 0;
      for (const r of rows) sum += r[index] ?? 0;
      const mean = sum / rows.length;
      let sq = 0;
      for (const r of rows) sq += ((r[index] ?? 0) - mean) ** 2;
      const std = Math.sqrt(sq / rows.length);
      // A constant column would divide by zero; leave it unscaled instead.
      numeric.push({ index, name: f.name, mean: f32(mean), std: f32(std > 1e-9 ? std : 1) });
    });
    const pairs = interactions.map(([num, cat]) => {
      const n = numeric.findIndex((c) => c.name === num);
      const c = categories.findIndex((k) => k.name === cat);
      if (n < 0 || c < 0) throw new Error(`interaction ${num} x ${cat}: not a numeric/category pair of the schema`);
      return { numeric: n, category: c };
    });
    return new Preprocessor(numeric, categories, pairs);
  }

  /** Number of columns the preprocessing produces. */
  get width(): number {
    const oneHot = this.categories.reduce((s, c) => s + c.levels, 0);
    const inter = this.interactions.reduce((s, i) => s + (this.categories[i.category]?.levels ?? 0), 0);
    return this.numeric.length + oneHot + inter;
  }

  transform(row: readonly number[]): number[] {
    const z = this.numeric.map((c) => f32(f32(f32(row[c.index] ?? 0) - c.mean) / c.std));
    const hot = this.categories.map((c) => {
      const code = f32(row[c.index] ?? -1);
      return Array.from({ length: c.levels }, (_, k) => (code === k ? 1 : 0));
    });
    const inter = this.interactions.map((i) => (hot[i.category] ?? []).map((h) => f32((z[i.numeric] ?? 0) * h)));
    return [...z, ...hot.flat(), ...inter.flat()];
  }

  /** Emits the same computation into `g`, reading the [N, F] float tensor `input`. */
  emit(g: GraphBuilder, input: string): string {
    const parts: string[] = [];
    const axis1 = [attr.int('axis', 1)];
    let z = '';
    if (this.numeric.length > 0) {
      const n = this.numeric.length;
      const idx = g.int64s('numeric_idx', [n], this.numeric.map((c) => c.index));
      const picked = g.op('Gather', [input, idx], { attributes: axis1 });
      const centred = g.op('Sub', [picked, g.floats('mean', [n], this.numeric.map((c) => c.mean))]);
      z = g.op('Div', [centred, g.floats('std', [n], this.numeric.map((c) => c.std))]);
      parts.push(z);
    }
    const hot = this.categories.map((c) => {
      const col = g.op('Gather', [input, g.int64s(`${c.name}_idx`, [1], [c.index])], { attributes: axis1 });
      const codes = g.floats(`${c.name}_codes`, [c.levels], Array.from({ length: c.levels }, (_, k) => k));
      // [N,1] == [K] broadcasts to [N,K]: a one-hot row per request (all zeros if out of range).
      const eq = g.op('Equal', [col, codes]);
      return g.op('Cast', [eq], { attributes: [attr.int('to', 1)] });
    });
    parts.push(...hot);
    for (const i of this.interactions) {
      const zi = g.op('Gather', [z, g.int64s('z_idx', [1], [i.numeric])], { attributes: axis1 });
      parts.push(g.op('Mul', [zi, hot[i.category] ?? '']));
    }
    return parts.length === 1 ? (parts[0] ?? '') : g.op('Concat', parts, { attributes: axis1 });
  }

  /** One sentence for the manifest's `preprocessing` field. */
  describe(): string {
    const std = this.numeric.map((c) => c.name).join(', ');
    const hot = this.categories.map((c) => `${c.name} (${c.levels} levels)`).join(', ');
    const inter = this.interactions
      .map((i) => `${this.numeric[i.numeric]?.name} x ${this.categories[i.category]?.name}`)
      .join(', ');
    return (
      `In-graph: standardise ${std} with training mean/std; one-hot encode ${hot || 'nothing'}` +
      (inter ? `; add interactions ${inter}` : '') +
      '.'
    );
  }
}
