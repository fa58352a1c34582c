import type { ExecutionProvider, SessionOptions, SessionSignature } from '../contracts/runner.js';
import type { TensorMap } from '../contracts/tensor.js';

/** Messages between WorkerRunner (main thread) and inference-worker (its thread). */
export interface WorkerInit {
  model: Uint8Array;
  options: SessionOptions;
}

export type WorkerReady =
  | {
      type: 'ready';
      provider: ExecutionProvider;
      signature: SessionSignature;
      fallbacks: { provider: ExecutionProvider; error: string }[];
    }
  | { type: 'init-error'; message: string };

export interface WorkerRequest {
  id: number;
  feeds: TensorMap;
  outputNames?: readonly string[];
}

export type WorkerResponse =
  | { id: number; ok: true; outputs: TensorMap }
  | { id: number; ok: false; message: string };

/** ArrayBuffers of a tensor map, to transfer rather than copy across threads. */
export function transferables(map: TensorMap): ArrayBuffer[] {
  const seen = new Set<ArrayBuffer>();
  for (const t of Object.values(map)) {
    if (!Array.isArray(t.data) && t.data.buffer instanceof ArrayBuffer) seen.add(t.data.buffer);
  }
  return [...seen];
}
