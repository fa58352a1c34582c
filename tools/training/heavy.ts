import { attr, floatValueInfo, GraphBuilder, IR_VERSION, OPSET, PRODUCER } from './onnx-writer.js';
import { sha256, writeRelease, type BuiltModel } from './release.js';
import { Rng, seedFromString } from './rng.js';

/**
 * `mlp-heavy`: an untrained 512-2048-2048-512 Gemm/Relu MLP (~25 MB) whose only purpose is
 * to give the benchmarks a model where inference, not HTTP, dominates. Too big to commit, so
 * it is regenerated (deterministically) instead.
 */

export const HEAVY_NAME = 'mlp-heavy';
const VERSION = '1.0.0';
const LAYERS = [512, 2048, 2048, 512];
const SEED_TEXT = `${HEAVY_NAME}/${VERSION}`;

export function encodeHeavy(): Uint8Array {
  const rng = new Rng(seedFromString(SEED_TEXT));
  const g = new GraphBuilder('mlp_heavy');
  let h = 'input';
  for (let l = 0; l + 1 < LAYERS.length; l++) {
    const nIn = LAYERS[l] ?? 1;
    const nOut = LAYERS[l + 1] ?? 1;
    const last = l + 2 === LAYERS.length;
    // He init keeps the activation scale roughly constant through the ReLUs; the output layer
    // uses 1/fan_in so outputs stay O(1) for unit-scale inputs.
    const scale = Math.sqrt((last ? 1 : 2) / nIn);
    const w = new Float32Array(nIn * nOut);
    for (let i = 0; i < w.length; i++) w[i] = rng.gaussian() * scale;
    const b = new Float32Array(nOut);
    for (let i = 0; i < nOut; i++) b[i] = 0.01 * rng.gaussian();
    h = g.op('Gemm', [h, g.floats(`w${l}`, [nIn, nOut], w), g.floats(`b${l}`, [nOut], b)], {
      attributes: [attr.float('alpha', 1), attr.float('beta', 1)],
      ...(last ? { output: 'output' } : {}),
    });
    if (!last) h = g.op('Relu', [h]);
  }
  return g.encode({
    inputs: [floatValueInfo('input', [-1, LAYERS[0] ?? 0])],
    outputs: [floatValueInfo('output', [-1, LAYERS[LAYERS.length - 1] ?? 0])],
    docString: 'Synthetic benchmark MLP with seeded random weights',
  });
}

export async function buildHeavyModel(outDir: string): Promise<BuiltModel> {
  const first = LAYERS[0] ?? 0;
  const lastWidth = LAYERS[LAYERS.length - 1] ?? 0;
  return writeRelease(
    outDir,
    {
      name: HEAVY_NAME,
      version: VERSION,
      description: 'Benchmark-only MLP (512-2048-2048-512, Gemm/Relu, random He-initialised weights); predictions are meaningless.',
      task: 'other',
      dataVersion: 'synthetic',
      trainingDataHash: sha256(SEED_TEXT),
      inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, first] }],
      outputs: [{ name: 'output', datatype: 'FP32', shape: [-1, lastWidth] }],
      features: [],
      preprocessing: 'None.',
      hyperparameters: { layers: LAYERS, activation: 'relu', init: 'he-normal', seed: SEED_TEXT },
      metrics: {},
      framework: { name: 'onnx', irVersion: IR_VERSION, opset: OPSET, producer: PRODUCER },
      dependencies: { onnxruntime: '>=1.17' },
      lineage: { parentVersion: null, learner: 'none', notes: 'Untrained; weights from a seeded PRNG so every rebuild is byte-identical.' },
      createdAt: '2026-01-05T00:00:00Z',
    },
    encodeHeavy(),
  );
}
