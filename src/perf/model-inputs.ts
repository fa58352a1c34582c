/**
 * What `modelgate perf` sends, derived from the model's OIP metadata: each input's datatype and
 * shape (dynamic dimensions from `--shape`, a leading -1 as the batch size) and, for the feature
 * tensor of a model with named features, each column drawn from the feature's declared range.
 */
export interface TensorMeta {
  name: string;
  datatype: string;
  shape: number[];
}

export interface FeatureMeta {
  name: string;
  dtype: 'float' | 'integer' | 'category';
  min: number;
  max: number;
  categories?: string[];
}

export interface ModelMeta {
  name: string;
  versions?: string[];
  inputs: TensorMeta[];
  features?: FeatureMeta[];
  parameters?: { version?: string; stable_version?: string };
}

/** One input with every dimension known, and how its values are drawn. */
export interface InputPlan {
  name: string;
  datatype: string;
  shape: number[];
  /** Per column of the last dimension, when it is the feature tensor. */
  features?: FeatureMeta[];
}

/** One request's tensors: flat data per input, in plan order. */
export interface TensorSet {
  tensors: { name: string; datatype: string; shape: number[]; data: number[] | string[] | boolean[] }[];
}

const INTEGER = /^U?INT(8|16|32|64)$/;

/** Resolve every dimension: `--shape` overrides a whole shape, a leading -1 becomes the batch size. */
export function planInputs(meta: ModelMeta, shapes: Map<string, number[]>, batchSize: number): InputPlan[] {
  for (const name of shapes.keys()) {
    if (!meta.inputs.some((i) => i.name === name)) throw new Error(`--shape ${name}: the model has no input '${name}' (inputs: ${meta.inputs.map((i) => i.name).join(', ')})`);
  }
  return meta.inputs.map((input, index) => {
    const given = shapes.get(input.name);
    const shape = given ?? input.shape.map((d, i) => (d === -1 && i === 0 ? batchSize : d));
    if (shape.some((d) => d < 0)) {
      throw new Error(`input '${input.name}' has dynamic dimensions [${input.shape.join(', ')}]: give them with --shape ${input.name}:${input.shape.map((d) => (d < 0 ? 1 : d)).join(',')}`);
    }
    const features = meta.features ?? [];
    // The feature tensor is the first input unless it is the only one with as many columns as features.
    const isFeatureTensor = features.length > 0 && shape.at(-1) === features.length && (index === 0 || meta.inputs.length === 1);
    return { name: input.name, datatype: input.datatype, shape, ...(isFeatureTensor ? { features } : {}) };
  });
}

export type Fill = 'random' | 'zero';

/** One request's tensors, values random (in each feature's range) or zero. */
export function generateTensors(plans: InputPlan[], fill: Fill, random: () => number = Math.random): TensorSet {
  return {
    tensors: plans.map((p) => {
      const count = p.shape.reduce((a, b) => a * b, 1);
      const columns = p.features;
      const value = (i: number): number => {
        const f = columns?.[i % columns.length];
        if (f) {
          if (fill === 'zero') return f.min;
          const v = f.min + random() * (f.max - f.min);
          return f.dtype === 'float' ? Math.round(v * 100) / 100 : Math.round(v);
        }
        if (fill === 'zero') return 0;
        if (INTEGER.test(p.datatype)) return Math.floor(random() * (p.datatype.startsWith('U') || p.datatype === 'INT8' ? 100 : 1000));
        return Math.round((random() * 2 - 1) * 1e4) / 1e4;
      };
      let data: number[] | string[] | boolean[];
      if (p.datatype === 'BOOL') data = Array.from({ length: count }, () => fill !== 'zero' && random() < 0.5);
      else if (p.datatype === 'BYTES') data = Array.from({ length: count }, () => (fill === 'zero' ? '' : random().toString(36).slice(2, 10)));
      else data = Array.from({ length: count }, (_, i) => value(i));
      return { name: p.name, datatype: p.datatype, shape: p.shape, data };
    }),
  };
}

/** v1 instances (named features, one per row of the feature tensor) from generated tensors. */
export function toInstances(plans: InputPlan[], set: TensorSet): Record<string, number>[] {
  const plan = plans.find((p) => p.features);
  const tensor = set.tensors.find((t) => t.name === plan?.name);
  if (!plan?.features || !tensor || plans.length !== 1) {
    throw new Error('--protocol v1 needs a model with named features on its only input (the JSON API); use --protocol oip-json');
  }
  const names = plan.features.map((f) => f.name);
  const rows: Record<string, number>[] = [];
  const data = tensor.data as number[];
  for (let r = 0; r < data.length / names.length; r++) {
    rows.push(Object.fromEntries(names.map((n, c) => [n, data[r * names.length + c] as number])));
  }
  return rows;
}
