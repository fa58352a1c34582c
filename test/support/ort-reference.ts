import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ort from 'onnxruntime-node';

/** Run a committed model file directly with onnxruntime-node: the reference the gateway must match. */
export async function directRun(model: string, version: string, rows: number[][], input = 'features'): Promise<number[]> {
  const bytes = readFileSync(join(process.cwd(), 'models', model, version, 'model.onnx'));
  const session = await ort.InferenceSession.create(bytes);
  try {
    const cols = rows[0]?.length ?? 0;
    const tensor = new ort.Tensor('float32', Float32Array.from(rows.flat()), [rows.length, cols]);
    const out = await session.run({ [input]: tensor });
    const first = out[session.outputNames[0] as string];
    return Array.from(first?.data as Float32Array);
  } finally {
    await session.release();
  }
}

/** Run an .onnx file directly on one FP32 input: the reference for models the tests write themselves. */
export async function directRunFile(file: string, input: string, data: Float32Array, dims: number[]): Promise<number[]> {
  const session = await ort.InferenceSession.create(readFileSync(file));
  try {
    const out = await session.run({ [input]: new ort.Tensor('float32', data, dims) });
    return Array.from(out[session.outputNames[0] as string]?.data as Float32Array);
  } finally {
    await session.release();
  }
}
