/**
 * The image-shaped benchmark request: FP32 [1, 3, 224, 224] for tools/training/image-classifier
 * (602,112 bytes of pixels), as a binary tensor request (OIP's binary extension, the output asked
 * back binary) and as OIP JSON with the same values. Written to files the load generator sends.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { IMAGE_SHAPE } from '../tools/training/image-classifier.js';

export const IMAGE_MODEL = 'image-classifier';
const SHAPE = [1, ...IMAGE_SHAPE];

/** Normalised pixel values, as a preprocessing step leaves them (full float32 decimals in JSON). */
function pixels(): Float32Array {
  const n = SHAPE.reduce((a, b) => a * b, 1);
  return Float32Array.from({ length: n }, (_, i) => (((i * 37) % 256) / 255 - 0.45) / 0.225);
}

export interface ImageBodies {
  /** The binary request's file and its Inference-Header-Content-Length. */
  binaryFile: string;
  headerLength: number;
  jsonFile: string;
  binaryBytes: number;
  jsonBytes: number;
}

export function writeImageBodies(dir: string): ImageBodies {
  const data = pixels();
  const raw = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const header = Buffer.from(
    JSON.stringify({
      inputs: [{ name: 'pixels', datatype: 'FP32', shape: SHAPE, parameters: { binary_data_size: raw.length } }],
      parameters: { binary_data_output: true },
    }),
  );
  const binary = Buffer.concat([header, raw]);
  const json = JSON.stringify({ inputs: [{ name: 'pixels', datatype: 'FP32', shape: SHAPE, data: Array.from(data) }] });
  const binaryFile = join(dir, 'image.bin');
  const jsonFile = join(dir, 'image.json');
  writeFileSync(binaryFile, binary);
  writeFileSync(jsonFile, json);
  return { binaryFile, headerLength: header.length, jsonFile, binaryBytes: binary.length, jsonBytes: Buffer.byteLength(json) };
}
