import { attr, type GraphBuilder } from './onnx-writer.js';
import { Rng } from './rng.js';

/**
 * A small fully-connected regressor (ReLU hidden layers, linear output) trained with minibatch
 * Adam on a standardised target; the de-standardisation is exported into the graph so the
 * model answers in dollars. Weights are row-major [in, out], which is Gemm's B layout.
 */

export interface MlpParams {
  hidden: number[];
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** Decoupled weight decay (AdamW), a mild regulariser for a model this size. */
  weightDecay: number;
  seed: number;
}

export interface DenseLayer {
  inputs: number;
  outputs: number;
  /** Float32-rounded, row-major [inputs, outputs]. */
  weights: number[];
  bias: number[];
}

export interface MlpModel {
  layers: DenseLayer[];
  targetMean: number;
  targetStd: number;
}

const f32 = Math.fround;

/** Forward pass of one sample; returns the activations of every layer (input first). */
function forward(
  w: readonly Float64Array[],
  b: readonly Float64Array[],
  sizes: readonly number[],
  x: ArrayLike<number>,
): Float64Array[] {
  const acts: Float64Array[] = [Float64Array.from(x)];
  for (let l = 0; l < w.length; l++) {
    const nIn = sizes[l] ?? 0;
    const nOut = sizes[l + 1] ?? 0;
    const a = acts[l] ?? new Float64Array(0);
    const wl = w[l] ?? new Float64Array(0);
    const out = Float64Array.from(b[l] ?? new Float64Array(nOut));
    for (let i = 0; i < nIn; i++) {
      const ai = a[i] ?? 0;
      if (ai === 0) continue;
      for (let j = 0; j < nOut; j++) out[j] = (out[j] ?? 0) + ai * (wl[i * nOut + j] ?? 0);
    }
    if (l < w.length - 1) for (let j = 0; j < nOut; j++) out[j] = Math.max(0, out[j] ?? 0);
    acts.push(out);
  }
  return acts;
}

export function fitMlp(x: readonly (readonly number[])[], y: readonly number[], p: MlpParams): MlpModel {
  const n = x.length;
  const sizes = [x[0]?.length ?? 0, ...p.hidden, 1];
  const rng = new Rng(p.seed);
  let mean = 0;
  for (const t of y) mean += t / n;
  let sq = 0;
  for (const t of y) sq += (t - mean) ** 2;
  const std = Math.sqrt(sq / n);
  const yz = y.map((t) => (t - mean) / std);

  const L = sizes.length - 1;
  const w: Float64Array[] = [];
  const b: Float64Array[] = [];
  for (let l = 0; l < L; l++) {
    const nIn = sizes[l] ?? 1;
    const nOut = sizes[l + 1] ?? 1;
    // He init for ReLU layers, Xavier-like for the linear output layer.
    const scale = Math.sqrt((l < L - 1 ? 2 : 1) / nIn);
    w.push(Float64Array.from({ length: nIn * nOut }, () => rng.gaussian() * scale));
    b.push(new Float64Array(nOut));
  }
  const params = [...w, ...b];
  const m1 = params.map((t) => new Float64Array(t.length));
  const m2 = params.map((t) => new Float64Array(t.length));
  const grads = params.map((t) => new Float64Array(t.length));
  const beta1 = 0.9;
  const beta2 = 0.999;
  let step = 0;
  const order = Array.from({ length: n }, (_, i) => i);

  for (let epoch = 0; epoch < p.epochs; epoch++) {
    // Cosine decay: large steps early, a quiet finish so the last epoch does not jitter.
    const lr = p.learningRate * 0.5 * (1 + Math.cos((Math.PI * epoch) / p.epochs));
    rng.shuffle(order);
    for (let start = 0; start < n; start += p.batchSize) {
      const batch = order.slice(start, start + p.batchSize);
      for (const g of grads) g.fill(0);
      for (const r of batch) {
        const acts = forward(w, b, sizes, x[r] ?? []);
        // d(0.5 * err^2)/d(out), averaged over the batch.
        let delta = Float64Array.of((((acts[L] ?? [])[0] ?? 0) - (yz[r] ?? 0)) / batch.length);
        for (let l = L - 1; l >= 0; l--) {
          const nIn = sizes[l] ?? 0;
          const nOut = sizes[l + 1] ?? 0;
          const a = acts[l] ?? new Float64Array(0);
          const gw = grads[l] ?? new Float64Array(0);
          const gb = grads[L + l] ?? new Float64Array(0);
          const wl = w[l] ?? new Float64Array(0);
          const prev = new Float64Array(nIn);
          for (let i = 0; i < nIn; i++) {
            const ai = a[i] ?? 0;
            let back = 0;
            for (let j = 0; j < nOut; j++) {
              const dj = delta[j] ?? 0;
              gw[i * nOut + j] = (gw[i * nOut + j] ?? 0) + ai * dj;
              back += (wl[i * nOut + j] ?? 0) * dj;
            }
            // ReLU derivative of the previous layer (the input layer has no activation).
            prev[i] = l > 0 && ai <= 0 ? 0 : back;
          }
          for (let j = 0; j < nOut; j++) gb[j] = (gb[j] ?? 0) + (delta[j] ?? 0);
          delta = prev;
        }
      }
      step += 1;
      const c1 = 1 - beta1 ** step;
      const c2 = 1 - beta2 ** step;
      params.forEach((t, k) => {
        const g = grads[k] ?? t;
        const ma = m1[k] ?? t;
        const va = m2[k] ?? t;
        const decay = k < L ? p.weightDecay : 0; // biases are not decayed
        for (let i = 0; i < t.length; i++) {
          const gi = g[i] ?? 0;
          ma[i] = beta1 * (ma[i] ?? 0) + (1 - beta1) * gi;
          va[i] = beta2 * (va[i] ?? 0) + (1 - beta2) * gi * gi;
          const upd = (ma[i] ?? 0) / c1 / (Math.sqrt((va[i] ?? 0) / c2) + 1e-8);
          t[i] = (t[i] ?? 0) - lr * (upd + decay * (t[i] ?? 0));
        }
      });
    }
  }
  return {
    layers: w.map((wl, l) => ({
      inputs: sizes[l] ?? 0,
      outputs: sizes[l + 1] ?? 0,
      weights: Array.from(wl, f32),
      bias: Array.from(b[l] ?? [], f32),
    })),
    targetMean: f32(mean),
    targetStd: f32(std),
  };
}

/** JS twin of the exported graph (float32 weights, float64 arithmetic). */
export function predictMlp(model: MlpModel, x: readonly number[]): number {
  const sizes = [model.layers[0]?.inputs ?? 0, ...model.layers.map((l) => l.outputs)];
  const acts = forward(
    model.layers.map((l) => Float64Array.from(l.weights)),
    model.layers.map((l) => Float64Array.from(l.bias)),
    sizes,
    x,
  );
  const z = (acts[acts.length - 1] ?? [])[0] ?? 0;
  return z * model.targetStd + model.targetMean;
}

/** Gemm/Relu stack, then `* std + mean` so the graph output is in target units. */
export function emitMlp(g: GraphBuilder, input: string, model: MlpModel, output: string): string {
  let h = input;
  model.layers.forEach((layer, l) => {
    const wName = g.floats(`w${l}`, [layer.inputs, layer.outputs], layer.weights);
    const bName = g.floats(`b${l}`, [layer.outputs], layer.bias);
    h = g.op('Gemm', [h, wName, bName], { attributes: [attr.float('alpha', 1), attr.float('beta', 1)] });
    if (l < model.layers.length - 1) h = g.op('Relu', [h]);
  });
  const scaled = g.op('Mul', [h, g.floats('target_std', [1], [model.targetStd])]);
  return g.op('Add', [scaled, g.floats('target_mean', [1], [model.targetMean])], { output });
}
