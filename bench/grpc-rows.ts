// The gRPC rows of `npm run bench`: OIP V2 over gRPC (raw contents) against a minimal grpc-js +
// onnxruntime server (the image-shaped tensor), and against the gateway's own OIP JSON over HTTP
// (the tabular model), each pair run back to back on the same servers.
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeImageClassifier } from '../tools/training/image-classifier.js';
import type { GrpcWorkload } from './grpc-workload.js';
import { INFER_BODY } from './workload.js';

interface ServerDefLike {
  argv: (port: number, grpcPort?: number) => string[];
  env?: (port: number, grpcPort?: number) => NodeJS.ProcessEnv;
  ready: string;
  /** Listens for gRPC on a port of its own too. */
  grpc?: boolean;
}

/** A models/ folder for the gRPC rows: property-valuation and the image-shaped classifier (image-classifier/1). */
function modelsDir(root: string, scratch: string): string {
  const dir = join(scratch, 'grpc-models');
  cpSync(join(root, 'models', 'property-valuation'), join(dir, 'property-valuation'), { recursive: true });
  mkdirSync(join(dir, 'image-classifier', '1'), { recursive: true });
  writeFileSync(join(dir, 'image-classifier', '1', 'model.onnx'), encodeImageClassifier());
  return dir;
}

/**
 * `gateway(config, env)` is run.ts's gateway server definition. Returns the servers, loads,
 * group and pairs to add to run.ts's tables.
 */
export function grpcRows(opts: {
  root: string;
  scratch: string;
  here: string;
  reps: number;
  gateway: (config: string, extraEnv?: NodeJS.ProcessEnv) => ServerDefLike;
}) {
  const models = modelsDir(opts.root, opts.scratch);
  const uncached = opts.gateway('uncached', { MODELGATE_MODELS_DIR: models });
  const servers: Record<string, ServerDefLike> = {
    'grpc-ort': {
      argv: (port, grpcPort) => [join(opts.here, 'grpc-baseline.js'), String(grpcPort), String(port), join(models, 'image-classifier', '1', 'model.onnx')],
      ready: '/',
      grpc: true,
    },
    // node:http2 with no gRPC library: the floor under any gRPC server on Node (grpc-h2-baseline.ts).
    'grpc-h2': {
      argv: (port, grpcPort) => [join(opts.here, 'grpc-h2-baseline.js'), String(grpcPort), String(port), join(models, 'property-valuation', '1.0.0', 'model.onnx')],
      ready: '/',
      grpc: true,
    },
    'grpc-gateway': {
      ...uncached,
      env: (port, grpcPort) => ({ ...uncached.env?.(port), MODELGATE_GRPC_PORT: String(grpcPort) }),
      grpc: true,
    },
  };
  const loads: { id: string; label: string; server: string; path: string; body?: string; connections: number; grpc?: GrpcWorkload; tally?: string }[] = [
    { id: 'grpc-ort-image', label: 'grpc-js + ORT minimal, image FP32 [1,3,224,224] raw', server: 'grpc-ort', path: '', connections: 64, grpc: 'image' },
    { id: 'grpc-image', label: 'gateway gRPC uncached, image raw, trace on', server: 'grpc-gateway', path: '', connections: 64, grpc: 'image' },
    { id: 'grpc-http-oip', label: 'gateway uncached OIP JSON over HTTP (gRPC server)', server: 'grpc-gateway', path: '/v2/models/property-valuation/infer', body: INFER_BODY, connections: 64 },
    { id: 'grpc-tabular', label: 'gateway gRPC uncached, tabular raw, trace on', server: 'grpc-gateway', path: '', connections: 64, grpc: 'tabular' },
    { id: 'grpc-h2-tabular', label: 'node:http2 + ORT minimal (no gRPC library), tabular raw', server: 'grpc-h2', path: '', connections: 64, grpc: 'tabular' },
  ];
  const group = { id: 'grpc', loads: loads.map((l) => l.id), reps: opts.reps };
  const pairs = [
    { name: 'gRPC image raw, uncached / minimal grpc-js + ORT (req/s)', a: 'grpc-image', b: 'grpc-ort-image', metric: 'rps' as const, goal: '>= 0.9', ok: (x: number) => x >= 0.9 },
    { name: 'gRPC tabular, uncached / the gateway\'s OIP JSON over HTTP (req/s)', a: 'grpc-tabular', b: 'grpc-http-oip', metric: 'rps' as const, goal: '>= 1.0', ok: (x: number) => x >= 1 },
    // The floor: a gRPC server with nothing but node:http2 and ORT, against the gateway's whole HTTP path.
    { name: 'node:http2 + ORT minimal, tabular gRPC / the gateway\'s OIP JSON over HTTP (req/s)', a: 'grpc-h2-tabular', b: 'grpc-http-oip', metric: 'rps' as const },
    { name: 'gRPC tabular, uncached / node:http2 + ORT minimal (req/s)', a: 'grpc-tabular', b: 'grpc-h2-tabular', metric: 'rps' as const },
  ];
  return { servers, loads, group, pairs };
}
