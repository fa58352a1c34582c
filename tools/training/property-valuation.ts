import type { Holdout } from '../../src/contracts/manifest.js';
import { generateSales, MARKET_2026_01, MARKET_2026_06 } from './dataset.js';
import { hashTable, SCHEMA_V1, SCHEMA_V2, splitHoldout, toTable, type SchemaFeature, type Table } from './features.js';
import { emitTreeEnsemble, fitGbdt, predictGbdt, type GbdtParams } from './gbdt.js';
import { emitLinear, fitRidge, predictLinear } from './linear.js';
import { emitMlp, fitMlp, predictMlp, type MlpParams } from './mlp.js';
import { floatValueInfo, GraphBuilder, IR_VERSION, ML_OPSET, OPSET, PRODUCER } from './onnx-writer.js';
import { Preprocessor } from './preprocess.js';
import type { ManifestDraft } from './release.js';
import { seedFromString } from './rng.js';
import { referenceStats } from './stats.js';

/**
 * The three versions of `property-valuation`: the lineage a model registry is meant to show.
 *   1.0.0  data 2026.01      ridge regression        (baseline)
 *   1.1.0  data 2026.06      gradient-boosted trees  (same input contract, retrained after a market shift)
 *   2.0.0  data 2026.06-geo  MLP                     (breaking: new feature set)
 */

export const MODEL_NAME = 'property-valuation';
const FEATURE_TENSOR = 'features';
const OUTPUT = 'price';
const SALES_PER_SNAPSHOT = 7000;
const HOLDOUT_ROWS = 1000;

/** One trained version: the exported bytes plus the JS learner they were exported from. */
export interface TrainedVersion {
  version: string;
  onnx: Uint8Array;
  /** The JS model's own prediction for a raw feature row (manifest order). */
  predict: (row: readonly number[]) => number;
  holdout: Holdout;
  /** Everything but metrics, which are measured on the exported artifact afterwards. */
  draft: ManifestDraft;
}

interface Dataset {
  dataVersion: string;
  schema: readonly SchemaFeature[];
  train: Table;
  holdout: Table;
}

function dataset(dataVersion: string, schema: readonly SchemaFeature[], sales: Parameters<typeof toTable>[0]): Dataset {
  const { train, holdout } = splitHoldout(toTable(sales, schema), HOLDOUT_ROWS);
  return { dataVersion, schema, train, holdout };
}

/** Manifest fields shared by every version; learner-specific parts are passed in. */
function draftFor(
  version: string,
  data: Dataset,
  parts: Pick<ManifestDraft, 'description' | 'preprocessing' | 'hyperparameters' | 'lineage' | 'createdAt'> & {
    usesMl?: boolean;
  },
): ManifestDraft {
  const width = data.schema.length;
  return {
    name: MODEL_NAME,
    version,
    description: parts.description,
    task: 'regression',
    dataVersion: data.dataVersion,
    trainingDataHash: hashTable(data.train),
    inputs: [
      { name: FEATURE_TENSOR, datatype: 'FP32', shape: [-1, width], description: 'One row per property, columns in feature order' },
    ],
    outputs: [{ name: OUTPUT, datatype: 'FP32', shape: [-1, 1], description: 'Estimated sale price in USD' }],
    featureTensor: FEATURE_TENSOR,
    features: data.schema.map((f) => ({ ...f })),
    preprocessing: parts.preprocessing,
    hyperparameters: parts.hyperparameters,
    // Placeholder that keeps the key's position; filled from onnxruntime outputs by buildModels.
    metrics: {},
    framework: {
      name: 'onnx',
      irVersion: IR_VERSION,
      opset: OPSET,
      ...(parts.usesMl ? { mlOpset: ML_OPSET } : {}),
      producer: PRODUCER,
    },
    dependencies: { onnxruntime: '>=1.17' },
    lineage: parts.lineage,
    createdAt: parts.createdAt,
    referenceStats: referenceStats(data.schema, data.train.rows),
  };
}

function holdoutOf(data: Dataset): Holdout {
  return { columns: data.holdout.columns, rows: data.holdout.rows, target: OUTPUT, targets: data.holdout.targets };
}

function encode(version: string, data: Dataset, build: (g: GraphBuilder) => void, usesMl = false): Uint8Array {
  const g = new GraphBuilder(`${MODEL_NAME}_${version.replaceAll('.', '_')}`);
  build(g);
  return g.encode({
    inputs: [floatValueInfo(FEATURE_TENSOR, [-1, data.schema.length])],
    outputs: [floatValueInfo(OUTPUT, [-1, 1])],
    usesMlDomain: usesMl,
    docString: `${MODEL_NAME} ${version} (data ${data.dataVersion})`,
  });
}

function linearV100(data: Dataset): TrainedVersion {
  const version = '1.0.0';
  const lambda = 1;
  const interactions: [string, string][] = [['sqft', 'location_cluster']];
  const pre = Preprocessor.fit(data.schema, data.train.rows, interactions);
  const model = fitRidge(data.train.rows.map((r) => pre.transform(r)), data.train.targets, lambda);
  const onnx = encode(version, data, (g) => emitLinear(g, pre.emit(g, FEATURE_TENSOR), model, OUTPUT));
  return {
    version,
    onnx,
    predict: (row) => predictLinear(model, pre.transform(row)),
    holdout: holdoutOf(data),
    draft: draftFor(version, data, {
      description: 'Baseline property valuation: ridge regression with a price-per-sqft slope per location.',
      preprocessing: pre.describe(),
      hyperparameters: { learner: 'ridge', lambda, interactions: interactions.map(([a, b]) => `${a} x ${b}`), design_width: pre.width },
      lineage: { parentVersion: null, learner: 'ridge-regression', notes: `Closed-form normal equations on ${data.train.rows.length} sales.` },
      createdAt: '2026-01-20T09:00:00Z',
    }),
  };
}

function gbdtV110(data: Dataset): TrainedVersion {
  const version = '1.1.0';
  const params: GbdtParams = {
    trees: 200, maxDepth: 4, learningRate: 0.1, minSamplesLeaf: 20, l2: 1, maxBins: 64, subsample: 0.8,
    seed: seedFromString(`${MODEL_NAME}/${version}`),
  };
  const model = fitGbdt(data.train.rows, data.train.targets, params);
  const onnx = encode(version, data, (g) => emitTreeEnsemble(g, FEATURE_TENSOR, model, OUTPUT), true);
  return {
    version,
    onnx,
    predict: (row) => predictGbdt(model, row),
    holdout: holdoutOf(data),
    draft: draftFor(version, data, {
      description: 'Property valuation retrained after the mid-2026 market shift: gradient-boosted trees, same input contract as 1.0.0.',
      preprocessing: 'None: the trees split on raw feature values (location_cluster codes are split like ordinals).',
      hyperparameters: { learner: 'gbdt', loss: 'squared_error', ...params },
      usesMl: true,
      lineage: {
        parentVersion: '1.0.0',
        learner: 'gradient-boosted-trees',
        notes: `Same features as 1.0.0, retrained on ${data.train.rows.length} sales of 2026.06; exported as ai.onnx.ml TreeEnsembleRegressor.`,
      },
      createdAt: '2026-06-15T09:00:00Z',
    }),
  };
}

function mlpV200(data: Dataset): TrainedVersion {
  const version = '2.0.0';
  const params: MlpParams = {
    hidden: [32, 16], epochs: 60, batchSize: 32, learningRate: 0.002, weightDecay: 1e-4,
    seed: seedFromString(`${MODEL_NAME}/${version}`),
  };
  const pre = Preprocessor.fit(data.schema, data.train.rows);
  const model = fitMlp(data.train.rows.map((r) => pre.transform(r)), data.train.targets, params);
  const onnx = encode(version, data, (g) => emitMlp(g, pre.emit(g, FEATURE_TENSOR), model, OUTPUT));
  const layers = [pre.width, ...params.hidden, 1];
  return {
    version,
    onnx,
    predict: (row) => predictMlp(model, pre.transform(row)),
    holdout: holdoutOf(data),
    draft: draftFor(version, data, {
      description: 'Property valuation on the geo-enriched feature set (breaking: lot_size removed; distance, pool and energy rating added): a small MLP.',
      preprocessing: `${pre.describe()} Target standardised in training; the graph de-standardises (x std + mean) to USD.`,
      hyperparameters: { learner: 'mlp', layers, activation: 'relu', optimizer: 'adamw', lr_schedule: 'cosine', ...params },
      lineage: {
        parentVersion: '1.1.0',
        learner: 'mlp',
        notes: `Breaking feature-set change; trained on ${data.train.rows.length} geo-enriched 2026.06 sales.`,
      },
      createdAt: '2026-06-29T09:00:00Z',
    }),
  };
}

/** Generates the data snapshots and trains every version (pure JS: no file or ORT access). */
export function trainPropertyValuation(log: (msg: string) => void = () => {}): TrainedVersion[] {
  const jan = generateSales(MARKET_2026_01, SALES_PER_SNAPSHOT);
  const jun = generateSales(MARKET_2026_06, SALES_PER_SNAPSHOT);
  const steps: [string, () => TrainedVersion][] = [
    ['1.0.0', () => linearV100(dataset('2026.01', SCHEMA_V1, jan))],
    ['1.1.0', () => gbdtV110(dataset('2026.06', SCHEMA_V1, jun))],
    // Same June sales, re-extracted with the geo enrichment: a new data version with its own hash.
    ['2.0.0', () => mlpV200(dataset('2026.06-geo', SCHEMA_V2, jun))],
  ];
  return steps.map(([version, train]) => {
    const t0 = performance.now();
    const trained = train();
    log(`trained ${MODEL_NAME} ${version} in ${Math.round(performance.now() - t0)} ms`);
    return trained;
  });
}
