import protobuf from 'protobufjs';
import type { TensorSet } from './model-inputs.js';
import { tensorBytes } from './request-encoding.js';

/**
 * The messages of the Open Inference Protocol's gRPC service (`inference.GRPCInferenceService`,
 * KServe V2) that a load generator needs, with the spec's field numbers. Inputs travel as
 * `raw_input_contents`, as perf_analyzer sends them.
 */
const PROTO = `
syntax = "proto3";
package inference;
message InferParameter {
  oneof parameter_choice { bool bool_param = 1; int64 int64_param = 2; string string_param = 3; double double_param = 4; uint64 uint64_param = 5; }
}
message InferTensorContents {
  repeated bool bool_contents = 1; repeated int32 int_contents = 2; repeated int64 int64_contents = 3;
  repeated uint32 uint_contents = 4; repeated uint64 uint64_contents = 5; repeated float fp32_contents = 6;
  repeated double fp64_contents = 7; repeated bytes bytes_contents = 8;
}
message InferInputTensor {
  string name = 1; string datatype = 2; repeated int64 shape = 3;
  map<string, InferParameter> parameters = 4; InferTensorContents contents = 5;
}
message ModelInferRequest {
  string model_name = 1; string model_version = 2; string id = 3;
  map<string, InferParameter> parameters = 4; repeated InferInputTensor inputs = 5;
  repeated bytes raw_input_contents = 7;
}
message ModelInferResponse {
  string model_name = 1; string model_version = 2; string id = 3;
}
`;

const root = protobuf.parse(PROTO, { keepCase: true }).root;
const Request = root.lookupType('inference.ModelInferRequest');
const Response = root.lookupType('inference.ModelInferResponse');

export const MODEL_INFER = '/inference.GRPCInferenceService/ModelInfer';

export function encodeInferRequest(model: string, version: string | undefined, set: TensorSet): Buffer {
  const message = Request.fromObject({
    model_name: model,
    model_version: version ?? '',
    inputs: set.tensors.map((t) => ({ name: t.name, datatype: t.datatype, shape: t.shape })),
    raw_input_contents: set.tensors.map((t) => tensorBytes(t.datatype, t.data)),
  });
  return Buffer.from(Request.encode(message).finish());
}

/** The answering version of a ModelInferResponse. */
export function answeredVersion(bytes: Buffer): string | undefined {
  const decoded = Response.toObject(Response.decode(bytes)) as { model_version?: string };
  return decoded.model_version || undefined;
}
