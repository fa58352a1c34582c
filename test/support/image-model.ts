import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeImageClassifier, IMAGE_SHAPE } from '../../tools/training/image-classifier.js';
import { copyDemoModels } from './fixtures.js';

/** A models/ folder with the demo model and the image-shaped classifier (Triton layout: image-classifier/1/model.onnx). */
export function modelsWithImage(): string {
  const dir = copyDemoModels();
  mkdirSync(join(dir, 'image-classifier', '1'), { recursive: true });
  writeFileSync(join(dir, 'image-classifier', '1', 'model.onnx'), encodeImageClassifier());
  return dir;
}

/** A deterministic image, FP32 [1, 3, 224, 224] flattened; `scale` makes distinct ones. */
export const pixels = (scale = 1): Float32Array =>
  Float32Array.from({ length: IMAGE_SHAPE[0] * IMAGE_SHAPE[1] * IMAGE_SHAPE[2] }, (_, i) => scale * (Math.sin(i * 0.37) * 0.5 + (i % 7) / 7));

/** A ModelInfer request for the image classifier, its tensor in raw_input_contents. */
export const imageInferRequest = (data: Float32Array, extra: Record<string, unknown> = {}) => ({
  model_name: 'image-classifier',
  inputs: [{ name: 'pixels', datatype: 'FP32', shape: [1, ...IMAGE_SHAPE] }],
  raw_input_contents: [Buffer.from(data.buffer, data.byteOffset, data.byteLength)],
  ...extra,
});
