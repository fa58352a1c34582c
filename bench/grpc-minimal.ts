// What the two minimal gRPC baselines share (grpc-baseline.ts on grpc-js, grpc-h2-baseline.ts on
// node:http2): the model and its session, the input as a Float32Array, the answer's bytes and
// stamps, and the HTTP port the bench polls for readiness.
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type ort from 'onnxruntime-node';
import { baselineSession } from './baseline-session.js';
import { loadProtos, type ModelInferRequestMsg } from '../src/grpc/proto.js';

export interface MinimalModel {
  session: ort.InferenceSession;
  input: string;
  output: string;
  /** From the Triton-style path `<name>/<version>/model.onnx`. */
  name: string;
  version: string;
}

export async function minimalModel(modelPath: string): Promise<MinimalModel> {
  const { session, input, output } = await baselineSession(modelPath);
  return { session, input, output, name: modelPath.split('/').at(-3) ?? 'model', version: modelPath.split('/').at(-2) ?? '1' };
}

/** FP32 raw contents as a Float32Array: a view when aligned, else one copy (as the gateway's decodeRawTensor does). */
export function floatInput(r: Uint8Array): Float32Array {
  if (r.byteOffset % 4 === 0) return new Float32Array(r.buffer, r.byteOffset, r.byteLength / 4);
  const out = new Float32Array(r.byteLength / 4);
  new Uint8Array(out.buffer).set(r);
  return out;
}

const { ModelInferRequest, ModelInferResponse } = loadProtos();

export const decodeInfer = (message: Uint8Array): ModelInferRequestMsg => ModelInferRequest.decode(message) as unknown as ModelInferRequestMsg;

/** The gateway's answer to a call: its five stamps and the ModelInferResponse (id, route, raw output). */
export function inferAnswer(m: MinimalModel, req: ModelInferRequestMsg, y: ort.Tensor): { stamps: Record<string, string>; body: Uint8Array } {
  const f = y.data as Float32Array;
  const id = req.id || randomUUID();
  const body = ModelInferResponse.encode({
    model_name: m.name,
    model_version: m.version,
    id,
    parameters: { route: { string_param: 'flag:stable' } },
    outputs: [{ name: m.output, datatype: 'FP32', shape: y.dims }],
    raw_output_contents: [new Uint8Array(f.buffer, f.byteOffset, f.byteLength)],
  }).finish();
  const stamps = { 'x-request-id': id, 'x-model-name': m.name, 'x-model-version': m.version, 'x-model-route': 'flag:stable', 'x-cache': 'bypass' };
  return { stamps, body };
}

/** GET / answers on `port` (the bench's readiness poll). */
export const readinessServer = (port: number): Server => createServer((_req, res) => res.end('{"ok":true}')).listen(port, '127.0.0.1');
