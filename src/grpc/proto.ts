import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

/**
 * The repo's .proto files (proto/), found beside the sources (src/grpc -> ../../proto) or the
 * build (dist/src/grpc -> ../../../proto): the one definition the server and every client use.
 */
export function protoDir(): string {
  for (const up of ['../../proto/', '../../../proto/']) {
    const dir = fileURLToPath(new URL(up, import.meta.url));
    if (existsSync(`${dir}grpc_service.proto`)) return dir;
  }
  throw new Error('proto/grpc_service.proto not found beside the gateway (the build must ship proto/)');
}

/** The message types of the inference and health services, read once from the .proto files. */
export function loadProtos() {
  const dir = protoDir();
  // keepCase: fields keep the .proto's names (model_name), as every other client sees them.
  const root = new protobuf.Root().loadSync([`${dir}grpc_service.proto`, `${dir}health.proto`], { keepCase: true });
  const type = (name: string) => root.lookupType(name);
  return {
    ServerLiveResponse: type('inference.ServerLiveResponse'),
    ServerReadyResponse: type('inference.ServerReadyResponse'),
    ModelReadyRequest: type('inference.ModelReadyRequest'),
    ModelReadyResponse: type('inference.ModelReadyResponse'),
    ServerMetadataResponse: type('inference.ServerMetadataResponse'),
    ModelMetadataRequest: type('inference.ModelMetadataRequest'),
    ModelMetadataResponse: type('inference.ModelMetadataResponse'),
    ModelInferRequest: type('inference.ModelInferRequest'),
    ModelInferResponse: type('inference.ModelInferResponse'),
    RepositoryModelLoadRequest: type('inference.RepositoryModelLoadRequest'),
    RepositoryModelUnloadRequest: type('inference.RepositoryModelUnloadRequest'),
    Empty: type('inference.RepositoryModelLoadResponse'),
    HealthCheckRequest: type('grpc.health.v1.HealthCheckRequest'),
    HealthCheckResponse: type('grpc.health.v1.HealthCheckResponse'),
  };
}
export type Protos = ReturnType<typeof loadProtos>;

/** An int64 as protobufjs decodes it: a number, or a Long when the `long` package is installed. */
export type Int64 = number | { toNumber(): number };
export const int64 = (v: Int64): number => (typeof v === 'number' ? v : v.toNumber());

/** InferParameter / ModelRepositoryParameter as decoded (one of the choices set). */
export interface ParameterMsg {
  bool_param?: boolean;
  int64_param?: Int64;
  string_param?: string;
  double_param?: number;
  uint64_param?: Int64;
  bytes_param?: Uint8Array;
}

export interface ContentsMsg {
  bool_contents?: boolean[];
  int_contents?: number[];
  int64_contents?: Int64[];
  uint_contents?: number[];
  uint64_contents?: Int64[];
  fp32_contents?: number[];
  fp64_contents?: number[];
  bytes_contents?: Uint8Array[];
}

/** A decoded ModelInferRequest (protobufjs keeps the .proto's field names: keepCase). */
export interface ModelInferRequestMsg {
  model_name: string;
  model_version: string;
  id: string;
  parameters: Record<string, ParameterMsg>;
  inputs: { name: string; datatype: string; shape: Int64[]; parameters: Record<string, ParameterMsg>; contents?: ContentsMsg | null }[];
  outputs: { name: string; parameters: Record<string, ParameterMsg> }[];
  raw_input_contents: Uint8Array[];
}

export interface RepositoryRequestMsg {
  repository_name: string;
  model_name: string;
  parameters: Record<string, ParameterMsg>;
}
