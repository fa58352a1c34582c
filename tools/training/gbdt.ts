import { attr, ML_DOMAIN, type GraphBuilder } from './onnx-writer.js';
import { Rng } from './rng.js';

/**
 * Gradient-boosted regression trees (squared loss), exported as ai.onnx.ml TreeEnsembleRegressor.
 *
 * Splits are searched exactly over per-feature quantile cut points (histogram boosting, like
 * LightGBM's binning). Every threshold is a float32 value chosen so that the float32 inputs
 * onnxruntime sees fall on the same side as in training: JS walk and ONNX agree exactly.
 */

export interface GbdtParams {
  trees: number;
  maxDepth: number;
  learningRate: number;
  minSamplesLeaf: number;
  /** L2 penalty on leaf values (shrinks leaves fitted on few rows). */
  l2: number;
  /** Candidate cut points per feature. */
  maxBins: number;
  /** Row fraction drawn (without replacement) per tree: stochastic gradient boosting. */
  subsample: number;
  seed: number;
}

/** One tree in flat arrays, preorder (root = node 0). `feature[i] < 0` marks a leaf. */
export interface Tree {
  feature: number[];
  threshold: number[];
  left: number[];
  right: number[];
  value: number[];
}

export interface GbdtModel {
  base: number;
  trees: Tree[];
}

const f32 = Math.fround;

interface Binning {
  /** Float32 thresholds; a value goes to bin k when it is <= thresholds[k] (and > the previous). */
  thresholds: number[];
  bins: Uint8Array;
}

/** Quantile cut points of one feature and every row's bin index. */
function binFeature(values: readonly number[], maxBins: number): Binning {
  const sorted = values.map(f32).sort((a, b) => a - b);
  const unique = sorted.filter((v, i) => i === 0 || v !== sorted[i - 1]);
  let cuts: number[];
  if (unique.length <= maxBins) {
    cuts = unique.slice(0, -1);
  } else {
    const picked: number[] = [];
    for (let q = 1; q < maxBins; q++) {
      const v = sorted[Math.floor((q * sorted.length) / maxBins)] ?? 0;
      if (picked[picked.length - 1] !== v && v !== unique[unique.length - 1]) picked.push(v);
    }
    cuts = picked;
  }
  // Threshold halfway to the next observed value generalises better than the value itself;
  // fall back to the value when float32 rounding would put the midpoint on the wrong side.
  const thresholds = cuts.map((c) => {
    const next = unique.find((u) => u > c) ?? c;
    const mid = f32((c + next) / 2);
    return mid >= c && mid < next ? mid : c;
  });
  const bins = new Uint8Array(values.length);
  values.forEach((raw, i) => {
    const v = f32(raw);
    let lo = 0;
    let hi = thresholds.length; // bin index = number of thresholds strictly below v
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((thresholds[mid] ?? 0) < v) lo = mid + 1;
      else hi = mid;
    }
    bins[i] = lo;
  });
  return { thresholds, bins };
}

interface Split {
  feature: number;
  bin: number;
  gain: number;
}

function bestSplit(rows: Int32Array, grad: Float64Array, binning: Binning[], p: GbdtParams): Split | null {
  const n = rows.length;
  let total = 0;
  for (const r of rows) total += grad[r] ?? 0;
  const parentScore = (total * total) / (n + p.l2);
  let best: Split | null = null;
  binning.forEach((b, feature) => {
    const nb = b.thresholds.length + 1;
    const sums = new Float64Array(nb);
    const counts = new Int32Array(nb);
    for (const r of rows) {
      const k = b.bins[r] ?? 0;
      sums[k] = (sums[k] ?? 0) + (grad[r] ?? 0);
      counts[k] = (counts[k] ?? 0) + 1;
    }
    let gl = 0;
    let nl = 0;
    for (let k = 0; k < nb - 1; k++) {
      gl += sums[k] ?? 0;
      nl += counts[k] ?? 0;
      const nr = n - nl;
      if (nl < p.minSamplesLeaf) continue;
      if (nr < p.minSamplesLeaf) break;
      const gr = total - gl;
      const gain = (gl * gl) / (nl + p.l2) + (gr * gr) / (nr + p.l2) - parentScore;
      if (gain > 1e-9 && (best === null || gain > best.gain)) best = { feature, bin: k, gain };
    }
  });
  return best;
}

function growTree(rows: Int32Array, grad: Float64Array, binning: Binning[], p: GbdtParams): Tree {
  const tree: Tree = { feature: [], threshold: [], left: [], right: [], value: [] };
  const grow = (idx: Int32Array, depth: number): number => {
    const id = tree.feature.length;
    tree.feature.push(-1);
    tree.threshold.push(0);
    tree.left.push(0);
    tree.right.push(0);
    tree.value.push(0);
    const split = depth < p.maxDepth && idx.length >= 2 * p.minSamplesLeaf ? bestSplit(idx, grad, binning, p) : null;
    if (split === null) {
      let g = 0;
      for (const r of idx) g += grad[r] ?? 0;
      tree.value[id] = f32((p.learningRate * g) / (idx.length + p.l2));
      return id;
    }
    const bins = binning[split.feature]?.bins ?? new Uint8Array(0);
    const leftRows = idx.filter((r) => (bins[r] ?? 0) <= split.bin);
    const rightRows = idx.filter((r) => (bins[r] ?? 0) > split.bin);
    tree.feature[id] = split.feature;
    tree.threshold[id] = binning[split.feature]?.thresholds[split.bin] ?? 0;
    tree.left[id] = grow(leftRows, depth + 1);
    tree.right[id] = grow(rightRows, depth + 1);
    return id;
  };
  grow(rows, 0);
  return tree;
}

function walk(tree: Tree, row: readonly number[]): number {
  let i = 0;
  for (;;) {
    const f = tree.feature[i] ?? -1;
    if (f < 0) return tree.value[i] ?? 0;
    // BRANCH_LEQ on the float32 input, like onnxruntime.
    i = f32(row[f] ?? 0) <= (tree.threshold[i] ?? 0) ? (tree.left[i] ?? 0) : (tree.right[i] ?? 0);
  }
}

export function predictGbdt(model: GbdtModel, row: readonly number[]): number {
  let s = model.base;
  for (const t of model.trees) s += walk(t, row);
  return s;
}

export function fitGbdt(rows: readonly (readonly number[])[], targets: readonly number[], p: GbdtParams): GbdtModel {
  const n = rows.length;
  const width = rows[0]?.length ?? 0;
  const binning = Array.from({ length: width }, (_, j) => binFeature(rows.map((r) => r[j] ?? 0), p.maxBins));
  let mean = 0;
  for (const t of targets) mean += t / n;
  const base = f32(mean);
  const pred = new Float64Array(n).fill(base);
  const grad = new Float64Array(n);
  const rng = new Rng(p.seed);
  const all = Array.from({ length: n }, (_, i) => i);
  const sampleSize = Math.max(1, Math.round(n * p.subsample));
  const trees: Tree[] = [];
  for (let t = 0; t < p.trees; t++) {
    // Negative gradient of squared loss = residual.
    for (let i = 0; i < n; i++) grad[i] = (targets[i] ?? 0) - (pred[i] ?? 0);
    const sample = Int32Array.from(rng.shuffle(all.slice()).slice(0, sampleSize)).sort();
    const tree = growTree(sample, grad, binning, p);
    trees.push(tree);
    for (let i = 0; i < n; i++) pred[i] = (pred[i] ?? 0) + walk(tree, rows[i] ?? []);
  }
  return { base, trees };
}

/** Emits one TreeEnsembleRegressor node (ai.onnx.ml) whose [N,1] output is named `output`. */
export function emitTreeEnsemble(g: GraphBuilder, input: string, model: GbdtModel, output: string): string {
  const a = {
    treeIds: [] as number[], nodeIds: [] as number[], featureIds: [] as number[], values: [] as number[],
    modes: [] as string[], trueIds: [] as number[], falseIds: [] as number[],
    leafTree: [] as number[], leafNode: [] as number[], leafWeight: [] as number[],
  };
  model.trees.forEach((tree, t) => {
    tree.feature.forEach((f, i) => {
      const leaf = f < 0;
      a.treeIds.push(t);
      a.nodeIds.push(i);
      a.featureIds.push(leaf ? 0 : f);
      a.values.push(leaf ? 0 : (tree.threshold[i] ?? 0));
      a.modes.push(leaf ? 'LEAF' : 'BRANCH_LEQ');
      a.trueIds.push(leaf ? 0 : (tree.left[i] ?? 0));
      a.falseIds.push(leaf ? 0 : (tree.right[i] ?? 0));
      if (leaf) {
        a.leafTree.push(t);
        a.leafNode.push(i);
        a.leafWeight.push(tree.value[i] ?? 0);
      }
    });
  });
  return g.op('TreeEnsembleRegressor', [input], {
    domain: ML_DOMAIN,
    output,
    attributes: [
      attr.string('aggregate_function', 'SUM'),
      attr.floats('base_values', [model.base]),
      attr.int('n_targets', 1),
      attr.ints('nodes_falsenodeids', a.falseIds),
      attr.ints('nodes_featureids', a.featureIds),
      attr.strings('nodes_modes', a.modes),
      attr.ints('nodes_nodeids', a.nodeIds),
      attr.ints('nodes_treeids', a.treeIds),
      attr.ints('nodes_truenodeids', a.trueIds),
      attr.floats('nodes_values', a.values),
      attr.string('post_transform', 'NONE'),
      attr.ints('target_ids', a.leafTree.map(() => 0)),
      attr.ints('target_nodeids', a.leafNode),
      attr.ints('target_treeids', a.leafTree),
      attr.floats('target_weights', a.leafWeight),
    ],
  });
}
