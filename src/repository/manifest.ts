import { z } from 'zod';

/** Semantic version, MAJOR.MINOR.PATCH with optional pre-release/build (semver.org). */
export const SEMVER_RE =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

/** Names that are safe as a path segment and a metric label: no dots-only, no slashes. */
export const NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_-]{0,63}$/;

/** Open Inference Protocol V2 tensor datatypes that an ONNX tensor can hold. */
export const OipDatatype = z.enum([
  'BOOL', 'UINT8', 'UINT16', 'UINT32', 'UINT64', 'INT8', 'INT16', 'INT32', 'INT64',
  'FP16', 'FP32', 'FP64', 'BYTES',
]);
export type OipDatatype = z.infer<typeof OipDatatype>;

/** A graph input or output: OIP datatype and shape, -1 for a dynamic dimension. */
export const TensorSpec = z.object({
  name: z.string().min(1),
  datatype: OipDatatype,
  shape: z.array(z.number().int().min(-1)),
  description: z.string().optional(),
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

export const Manifest = z
  .object({
    name: z.string().regex(NAME_RE, 'name must be 1-64 of [a-zA-Z0-9_-], starting with a letter or digit'),
    version: z.string().regex(SEMVER_RE, 'version must be semver (MAJOR.MINOR.PATCH)'),
    description: z.string().default(''),
    task: z.enum(['regression', 'classification', 'other']).default('other'),
    dataVersion: z.string().min(1),
    trainingDataHash: z.string().regex(/^[0-9a-f]{64}$/, 'trainingDataHash must be a sha256 hex digest'),
    artifact: z.object({
      path: z.string().regex(/^[a-zA-Z0-9_.-]+\.onnx$/).default('model.onnx'),
      sha256: z.string().regex(/^[0-9a-f]{64}$/, 'artifact.sha256 must be a sha256 hex digest'),
      bytes: z.number().int().positive().optional(),
    }),
    inputs: z.array(TensorSpec).min(1),
    outputs: z.array(TensorSpec).min(1),
    /** Which input the named features fill (default: the first input). */
    featureTensor: z.string().optional(),
    features: z.array(FeatureSpec).default([]),
    preprocessing: z.string().default(''),
    hyperparameters: z.record(z.string(), z.unknown()).default({}),
    metrics: z.record(z.string(), z.number()).default({}),
    framework: z.object({
      name: z.string(),
      irVersion: z.number().int().positive(),
      opset: z.number().int().positive(),
      mlOpset: z.number().int().positive().optional(),
      producer: z.string().optional(),
    }),
    dependencies: z.record(z.string(), z.string()).default({}),
    lineage: z
      .object({
        parentVersion: z.string().regex(SEMVER_RE).nullable().default(null),
        learner: z.string().optional(),
        notes: z.string().optional(),
      })
      .default({ parentVersion: null }),
    createdAt: z.iso.datetime(),
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
