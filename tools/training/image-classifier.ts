import { attr, floatValueInfo, GraphBuilder } from './onnx-writer.js';
import { Rng, seedFromString } from './rng.js';

/**
 * A tiny image-shaped classifier for tests and benchmarks: `pixels` FP32 [N, 3, 224, 224] ->
 * GlobalAveragePool -> Flatten -> Gemm(3 -> 10) -> `logits` FP32 [N, 10]. It does almost no
 * compute (a mean per channel), so what a request costs is the protocol and the gateway: a
 * 602,112-byte tensor in, 40 bytes out. Deterministic bytes (seeded weights), a few hundred bytes.
 */
export const IMAGE_SHAPE = [3, 224, 224] as const;
export const IMAGE_CLASSES = 10;

export function encodeImageClassifier(): Uint8Array {
  const rng = new Rng(seedFromString('image-classifier/1'));
  const g = new GraphBuilder('image_classifier');
  const w = new Float32Array(3 * IMAGE_CLASSES).map(() => rng.gaussian());
  const b = new Float32Array(IMAGE_CLASSES).map(() => 0.1 * rng.gaussian());
  const pooled = g.op('GlobalAveragePool', ['pixels']);
  const flat = g.op('Flatten', [pooled], { attributes: [attr.int('axis', 1)] });
  g.op('Gemm', [flat, g.floats('w', [3, IMAGE_CLASSES], w), g.floats('b', [IMAGE_CLASSES], b)], {
    attributes: [attr.float('alpha', 1), attr.float('beta', 1)],
    output: 'logits',
  });
  return g.encode({
    inputs: [floatValueInfo('pixels', [-1, ...IMAGE_SHAPE])],
    outputs: [floatValueInfo('logits', [-1, IMAGE_CLASSES])],
    docString: 'Image-shaped test classifier: per-channel mean, then a 3x10 linear layer',
  });
}
