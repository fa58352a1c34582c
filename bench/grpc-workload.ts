/** The gRPC requests of the benchmark (the same bytes for gateway and baseline): ModelInferRequest, tensors in raw_input_contents. */
import { IMAGE_SHAPE } from '../tools/training/image-classifier.js';
import { loadProtos } from '../src/grpc/proto.js';
import { HOUSE, HOUSE_FEATURES } from './workload.js';

export type GrpcWorkload = 'image' | 'tabular';

/** A deterministic FP32 [1, 3, 224, 224] image (602,112 bytes of tensor). */
export function benchImage(): Float32Array {
  return Float32Array.from({ length: IMAGE_SHAPE[0] * IMAGE_SHAPE[1] * IMAGE_SHAPE[2] }, (_, i) => Math.sin(i * 0.37) * 0.5 + (i % 7) / 7);
}

const raw = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

/** The serialised ModelInferRequest of a workload. */
export function grpcRequestBytes(workload: GrpcWorkload): Buffer {
  const { ModelInferRequest } = loadProtos();
  const message =
    workload === 'image'
      ? { model_name: 'image-classifier', inputs: [{ name: 'pixels', datatype: 'FP32', shape: [1, ...IMAGE_SHAPE] }], raw_input_contents: [raw(benchImage())] }
      : {
          model_name: 'property-valuation',
          inputs: [{ name: 'features', datatype: 'FP32', shape: [1, HOUSE_FEATURES.length] }],
          raw_input_contents: [raw(Float32Array.from(HOUSE_FEATURES.map((f) => HOUSE[f])))],
        };
  return Buffer.from(ModelInferRequest.encode(ModelInferRequest.fromObject(message)).finish());
}
