import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { FOREST_INPUT, forestClassifier } from '../../tools/training/forest-classifier.js';
import { Rng } from '../../tools/training/rng.js';

export type LabelKind = 'int64' | 'string';

/** `rows` rows of the forest's 4 features, seeded. */
export function forestRows(rows: number, seed = 3): number[][] {
  const rng = new Rng(seed);
  return Array.from({ length: rows }, () => Array.from({ length: 4 }, () => Math.round(rng.uniform(-1.5, 1.5) * 1000) / 1000));
}

/** Writes models/<name>/<version>/model.onnx (no manifest): the forest as skl2onnx exports it by default (ZipMap). */
export function writeForest(models: string, name: string, version: string, labels: LabelKind): string {
  const dir = join(models, name, version);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'model.onnx');
  writeFileSync(file, forestClassifier({ labels, zipmap: true }));
  return file;
}

/** The reference: the same forest exported with {zipmap: False}, run directly with onnxruntime. */
export async function forestReference(labels: LabelKind, rows: number[][]): Promise<{ label: (number | string)[]; probabilities: number[][] }> {
  const session = await ort.InferenceSession.create(forestClassifier({ labels, zipmap: false }));
  try {
    const out = await session.run({ [FOREST_INPUT]: new ort.Tensor('float32', Float32Array.from(rows.flat()), [rows.length, 4]) });
    const label = out.output_label?.data as BigInt64Array | string[];
    const p = Array.from(out.output_probability?.data as Float32Array);
    return {
      label: Array.from(label, (l: bigint | string) => (typeof l === 'bigint' ? Number(l) : l)),
      probabilities: rows.map((_, i) => p.slice(i * 3, i * 3 + 3)),
    };
  } finally {
    await session.release();
  }
}
