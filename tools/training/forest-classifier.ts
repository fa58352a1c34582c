import { realpathSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import onnxProto from 'onnx-proto';
import { attr, GraphBuilder, ML_DOMAIN } from './onnx-writer.js';
import { Rng } from './rng.js';

/**
 * A tiny random-forest classifier, exported as skl2onnx exports a scikit-learn
 * RandomForestClassifier (no Python here, so the shape is written out):
 *
 *   float_input [N, F] -> TreeEnsembleClassifier (ai.onnx.ml) -> label, probabilities [N, C]
 *   label -> Cast(INT64) -> output_label [N]            (string labels: the node's own output)
 *   probabilities -> ZipMap -> output_probability seq(map(label, float))   (the default)
 *   probabilities =: output_probability [N, C]                              (options {zipmap: False})
 *
 * The trees are random (seeded), not trained: what is under test is the export's shape.
 */
const { onnx } = onnxProto;
const DT = onnx.TensorProto.DataType;
type ValueInfoProto = onnxProto.onnx.IValueInfoProto;
type TypeProto = onnxProto.onnx.ITypeProto;

export const FOREST_INPUT = 'float_input';
export const INT_LABELS = [10, 20, 30] as const;
export const STRING_LABELS = ['setosa', 'versicolor', 'virginica'] as const;

export interface ForestOptions {
  labels: 'int64' | 'string';
  /** Export shape: skl2onnx's default (ZipMap), or with options {zipmap: False}. */
  zipmap: boolean;
  features?: number;
  trees?: number;
  depth?: number;
  seed?: number;
  /** false: the label is not a graph output (only the probabilities are). Default true, as skl2onnx. */
  labelOutput?: boolean;
}

/** skl2onnx leaves the batch dim unnamed (None): a dim with neither value nor name. */
const unnamedBatch = {};
const tensorType = (elemType: number, dims: object[]): TypeProto => ({ tensorType: { elemType, shape: { dim: dims } } });
const valueInfo = (name: string, type: TypeProto): ValueInfoProto => ({ name, type });

/** `seq(map(key, float))`: what ZipMap makes of a [N, C] probability tensor. */
export function zipMapType(key: 'int64' | 'string'): TypeProto {
  return {
    sequenceType: {
      elemType: { mapType: { keyType: key === 'int64' ? DT.INT64 : DT.STRING, valueType: tensorType(DT.FLOAT, []) } },
    },
  };
}

interface Tree {
  feature: number[];
  threshold: number[];
  /** Per node: the class distribution at a leaf, empty at a branch. */
  leaf: number[][];
}

/** A full binary tree of `depth` levels of branches, nodes numbered breadth first. */
function randomTree(rng: Rng, features: number, classes: number, depth: number): Tree {
  const branches = 2 ** depth - 1;
  const nodes = 2 ** (depth + 1) - 1;
  const tree: Tree = { feature: [], threshold: [], leaf: [] };
  for (let i = 0; i < nodes; i++) {
    const isLeaf = i >= branches;
    tree.feature.push(isLeaf ? 0 : rng.int(0, features - 1));
    tree.threshold.push(isLeaf ? 0 : Math.round(rng.uniform(-1, 1) * 1000) / 1000);
    if (!isLeaf) {
      tree.leaf.push([]);
      continue;
    }
    const w = Array.from({ length: classes }, () => rng.uniform(0.05, 1));
    const sum = w.reduce((a, b) => a + b, 0);
    tree.leaf.push(w.map((x) => x / sum));
  }
  return tree;
}

/** The ONNX file of a tiny random forest, as skl2onnx exports it (see the file's comment). */
export function forestClassifier(opts: ForestOptions): Uint8Array {
  const features = opts.features ?? 4;
  const nTrees = opts.trees ?? 5;
  const depth = opts.depth ?? 3;
  const labels = opts.labels === 'int64' ? INT_LABELS : STRING_LABELS;
  const rng = new Rng(opts.seed ?? 7);
  const trees = Array.from({ length: nTrees }, () => randomTree(rng, features, labels.length, depth));

  const a = {
    treeIds: [] as number[], nodeIds: [] as number[], featureIds: [] as number[], values: [] as number[],
    modes: [] as string[], trueIds: [] as number[], falseIds: [] as number[],
    classTree: [] as number[], classNode: [] as number[], classId: [] as number[], classWeight: [] as number[],
  };
  trees.forEach((tree, t) => {
    tree.feature.forEach((f, i) => {
      const dist = tree.leaf[i] ?? [];
      const isLeaf = dist.length > 0;
      a.treeIds.push(t);
      a.nodeIds.push(i);
      a.featureIds.push(f);
      a.values.push(tree.threshold[i] ?? 0);
      a.modes.push(isLeaf ? 'LEAF' : 'BRANCH_LEQ');
      a.trueIds.push(isLeaf ? 0 : 2 * i + 1);
      a.falseIds.push(isLeaf ? 0 : 2 * i + 2);
      // A forest's probability is the mean of its trees' leaf distributions: each weighs 1/trees.
      dist.forEach((p, c) => {
        a.classTree.push(t);
        a.classNode.push(i);
        a.classId.push(c);
        a.classWeight.push(p / nTrees);
      });
    });
  });

  const g = new GraphBuilder('random_forest');
  const labelsAttr = opts.labels === 'int64'
    ? attr.ints('classlabels_int64s', [...INT_LABELS])
    : attr.strings('classlabels_strings', [...STRING_LABELS]);
  const labelOut = opts.labels === 'int64' ? 'label' : 'output_label';
  const probabilities = opts.zipmap ? 'probabilities' : 'output_probability';
  g.op('TreeEnsembleClassifier', [FOREST_INPUT], {
    domain: ML_DOMAIN,
    outputs: [labelOut, probabilities],
    attributes: [
      attr.ints('class_ids', a.classId),
      attr.ints('class_nodeids', a.classNode),
      attr.ints('class_treeids', a.classTree),
      attr.floats('class_weights', a.classWeight),
      labelsAttr,
      attr.ints('nodes_falsenodeids', a.falseIds),
      attr.ints('nodes_featureids', a.featureIds),
      attr.strings('nodes_modes', a.modes),
      attr.ints('nodes_nodeids', a.nodeIds),
      attr.ints('nodes_treeids', a.treeIds),
      attr.ints('nodes_truenodeids', a.trueIds),
      attr.floats('nodes_values', a.values),
      attr.string('post_transform', 'NONE'),
    ],
  });
  const withLabel = opts.labelOutput ?? true;
  if (opts.labels === 'int64' && withLabel) g.op('Cast', [labelOut], { output: 'output_label', attributes: [attr.int('to', DT.INT64)] });
  if (opts.zipmap) g.op('ZipMap', [probabilities], { domain: ML_DOMAIN, output: 'output_probability', attributes: [labelsAttr] });

  return g.encode({
    inputs: [valueInfo(FOREST_INPUT, tensorType(DT.FLOAT, [unnamedBatch, { dimValue: features }]))],
    outputs: [
      ...(withLabel ? [valueInfo('output_label', tensorType(opts.labels === 'int64' ? DT.INT64 : DT.STRING, [unnamedBatch]))] : []),
      opts.zipmap
        ? valueInfo('output_probability', zipMapType(opts.labels))
        : valueInfo('output_probability', tensorType(DT.FLOAT, [unnamedBatch, { dimValue: labels.length }])),
    ],
    usesMlDomain: true,
    producer: { name: 'skl2onnx', version: '1.16.0' },
  });
}

/**
 * A graph with a non-tensor output that is not ZipMap's: the forest's probabilities also as
 * `probability_rows`, a seq(tensor(float)) made by SplitToSequence. modelgate must refuse it.
 */
export function sequenceOutputClassifier(): Uint8Array {
  const g = new GraphBuilder('sequence_output');
  g.op('Identity', [FOREST_INPUT], { output: 'scores' });
  g.op('SplitToSequence', ['scores'], { output: 'probability_rows', attributes: [attr.int('axis', 0), attr.int('keepdims', 0)] });
  return g.encode({
    inputs: [valueInfo(FOREST_INPUT, tensorType(DT.FLOAT, [{ dimParam: 'N' }, { dimValue: 3 }]))],
    outputs: [
      valueInfo('scores', tensorType(DT.FLOAT, [{ dimParam: 'N' }, { dimValue: 3 }])),
      valueInfo('probability_rows', { sequenceType: { elemType: tensorType(DT.FLOAT, [{ dimValue: 3 }]) } }),
    ],
  });
}

// `npx tsx tools/training/forest-classifier.ts iris.onnx [int64|string]`: the README's example file.
if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  const [file = 'iris.onnx', labels = 'string'] = process.argv.slice(2);
  if (labels !== 'int64' && labels !== 'string') throw new Error('labels: int64 or string');
  writeFileSync(file, forestClassifier({ labels, zipmap: true }));
}
