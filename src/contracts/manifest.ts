import { z } from 'zod';

import { isVersion, NAME_RE, NAME_RULE, VERSION_RULE } from './names.js';

/** Open Inference Protocol V2 tensor datatypes that an ONNX tensor can hold. */
export const OipDatatype = z.enum([
  'BOOL', 'UINT8', 'UINT16', 'UINT32', 'UINT64', 'INT8', 'INT16', 'INT32', 'INT64',
  'FP16', 'FP32', 'FP64', 'BYTES',
]);
export type OipDatatype = z.infer<typeof OipDatatype>;

/**
 * How a graph output that is not a tensor in the file is served as one. skl2onnx ends a
 * classifier with ZipMap (a sequence of label -> probability maps): modelgate serves ZipMap's
 * input instead, FP32 [N, classes], column i being the probability of `labels[i]`.
 */
export const OutputConversion = z.object({
  from: z.literal('ZipMap'),
  /** The class of each column, in order (ZipMap's classlabels_int64s or classlabels_strings). */
  labels: z.union([z.array(z.number().int()).min(1), z.array(z.string()).min(1)]),
  /** The output holding the predicted label (skl2onnx's output_label), when the graph has one. */
  labelOutput: z.string().min(1).optional(),
});
export type OutputConversion = z.infer<typeof OutputConversion>;

/**
 * A graph input or output: OIP datatype and shape, -1 for a dynamic dimension, [] for a scalar.
 * `batchAxis` is the dimension that grows with the batch (default 0; e.g. 1 for a recurrent
 * state stacked as [layers, batch, hidden]); `null` says the tensor has no batch axis.
 */
export const TensorSpec = z.object({
  name: z.string().min(1),
  datatype: OipDatatype,
  shape: z.array(z.number().int().min(-1)),
  batchAxis: z.number().int().min(0).nullable().optional(),
  description: z.string().optional(),
  /** Set on an output served in place of a non-tensor one (absent: the file's own tensor). */
  converted: OutputConversion.optional(),
});
export type TensorSpec = z.infer<typeof TensorSpec>;

/**
 * A named feature of the friendly JSON API. Features map, in order, onto the columns of the
 * manifest's `featureTensor` input. `min`/`max` are the allowed range: requests outside it are
 * refused with a 400 (the model was never trained there).
 */
export const FeatureSpec = z.object({
  name: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/),
  dtype: z.enum(['float', 'integer', 'category']),
  min: z.number(),
  max: z.number(),
  unit: z.string().optional(),
  description: z.string().optional(),
  /** For dtype 'category': the label of each code 0..n-1 (requests may send the code or the label). */
  categories: z.array(z.string()).optional(),
});
export type FeatureSpec = z.infer<typeof FeatureSpec>;

export const Histogram = z.object({
  edges: z.array(z.number()).min(2),
  counts: z.array(z.number().int().min(0)),
});

/** Reference statistics of a feature in the training data (the baseline for drift). */
export const FeatureStats = z.object({
  mean: z.number(),
  std: z.number().min(0),
  min: z.number(),
  max: z.number(),
  histogram: Histogram,
});

/** One warm-up request: input name -> its data (flat or nested) and, optionally, its shape. */
export const WarmupSample = z.record(
  z.string(),
  z.object({ data: z.array(z.unknown()), shape: z.array(z.number().int().min(0)).optional() }),
);
export type WarmupSample = z.infer<typeof WarmupSample>;

/**
 * How a version is warmed up before it serves: given samples, else a request built from the
 * graph with `dims` (symbolic or input-qualified `input:axis` -> size) filling dynamic dims.
 * `enabled: false` is the explicit opt-out (the first request then pays the warm-up).
 */
export const WarmupSpec = z.object({
  enabled: z.boolean().default(true),
  samples: z.array(WarmupSample).default([]),
  dims: z.record(z.string(), z.number().int().positive()).default({}),
});
export type WarmupSpec = z.infer<typeof WarmupSpec>;

const version = z.string().refine(isVersion, `version must be semver (MAJOR.MINOR.PATCH) or an integer: ${VERSION_RULE}`);

export const Manifest = z
  .object({
    name: z.string().regex(NAME_RE, `name must be: ${NAME_RULE}`),
    version,
    description: z.string().default(''),
    task: z.enum(['regression', 'classification', 'other']).default('other'),
    /** Absent for an imported model whose training data is unknown: shown as unknown, never invented. */
    dataVersion: z.string().min(1).optional(),
    trainingDataHash: z.string().regex(/^[0-9a-f]{64}$/, 'trainingDataHash must be a sha256 hex digest').optional(),
    artifact: z.object({
      path: z.string().regex(/^[a-zA-Z0-9_.-]+\.onnx$/).default('model.onnx'),
      sha256: z.string().regex(/^[0-9a-f]{64}$/, 'artifact.sha256 must be a sha256 hex digest'),
      bytes: z.number().int().positive().optional(),
    }),
    inputs: z.array(TensorSpec).min(1),
    outputs: z.array(TensorSpec).min(1),
    /** Most rows one request (and one dynamic batch) may carry, e.g. Triton's max_batch_size. */
    maxBatchSize: z.number().int().positive().optional(),
    /** Which input the named features fill (default: the first input). */
    featureTensor: z.string().optional(),
    features: z.array(FeatureSpec).default([]),
    preprocessing: z.string().default(''),
    hyperparameters: z.record(z.string(), z.unknown()).default({}),
    metrics: z.record(z.string(), z.number()).default({}),
    /** What made the graph; for an import, read from the file (IR, opsets, producer), nothing guessed. */
    framework: z
      .object({
        name: z.string().optional(),
        irVersion: z.number().int().positive().optional(),
        opset: z.number().int().positive().optional(),
        mlOpset: z.number().int().positive().optional(),
        /** Every opset import of the graph: domain ('' = ai.onnx) -> version. */
        opsets: z.record(z.string(), z.number().int()).optional(),
        producer: z.string().optional(),
      })
      .default({}),
    dependencies: z.record(z.string(), z.string()).default({}),
    lineage: z
      .object({
        parentVersion: version.nullable().default(null),
        learner: z.string().optional(),
        notes: z.string().optional(),
      })
      .default({ parentVersion: null }),
    /** When the model was trained/exported; absent when unknown (imports set `importedAt`). */
    createdAt: z.iso.datetime().optional(),
    importedAt: z.iso.datetime().optional(),
    warmup: WarmupSpec.optional(),
    referenceStats: z.record(z.string(), FeatureStats).default({}),
    holdout: z
      .object({ path: z.string().regex(/^[a-zA-Z0-9_.-]+\.json$/), rows: z.number().int().nonnegative() })
      .optional(),
  })
  .superRefine((m, ctx) => {
    const featureInput = m.featureTensor ?? m.inputs[0]?.name;
    const input = m.inputs.find((i) => i.name === featureInput);
    if (m.features.length > 0) {
      if (!input) {
        ctx.addIssue({ code: 'custom', path: ['featureTensor'], message: `no input named '${featureInput}'` });
        return;
      }
      const cols = input.shape[input.shape.length - 1];
      if (input.shape.length !== 2 || cols !== m.features.length) {
        ctx.addIssue({
          code: 'custom',
          path: ['features'],
          message: `input '${input.name}' must be [batch, ${m.features.length}] to hold the named features`,
        });
      }
    }
    for (const f of m.features) {
      if (f.min > f.max) ctx.addIssue({ code: 'custom', path: ['features'], message: `feature '${f.name}': min > max` });
    }
  });
export type Manifest = z.infer<typeof Manifest>;

/** The holdout set shipped beside a version: rows of feature values (manifest order) and targets. */
export const Holdout = z.object({
  columns: z.array(z.string()).min(1),
  rows: z.array(z.array(z.number())),
  target: z.string(),
  targets: z.array(z.number()),
});
export type Holdout = z.infer<typeof Holdout>;
