import type { ServiceDefinition } from '@grpc/grpc-js';

const bytes = (b: Buffer): Buffer => b;

/**
 * Service definitions whose (de)serialisers pass bytes through: handlers decode requests
 * themselves (a malformed message becomes INVALID_ARGUMENT, not grpc-js's INTERNAL) and answer
 * bytes they made, so ModelInfer's response cached as bytes is sent as is.
 */
function definition(service: string, methods: readonly string[], streaming: readonly string[] = []): ServiceDefinition {
  const def: Record<string, ServiceDefinition[string]> = {};
  for (const name of [...methods, ...streaming]) {
    def[name] = {
      path: `/${service}/${name}`,
      requestStream: false,
      responseStream: streaming.includes(name),
      requestSerialize: bytes,
      requestDeserialize: bytes,
      responseSerialize: bytes,
      responseDeserialize: bytes,
    };
  }
  return def;
}

export const INFERENCE_SERVICE = definition('inference.GRPCInferenceService', [
  'ServerLive', 'ServerReady', 'ModelReady', 'ServerMetadata', 'ModelMetadata', 'ModelInfer', 'RepositoryModelLoad', 'RepositoryModelUnload',
]);

export const HEALTH_SERVICE = definition('grpc.health.v1.Health', ['Check'], ['Watch']);
