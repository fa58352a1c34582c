import type { TensorMap, TensorType } from './tensor.js';

/**
 * A graph input or output as onnxruntime reports it (`session.inputMetadata`, ORT >= 1.22):
 * element type, and each dim as a number or -1 with its symbolic name ('' when unnamed).
 * `shape` is undefined for a non-tensor value (sequence, map): modelgate cannot serve those.
 */
export interface GraphTensor {
  name: string;
  type: TensorType | string;
  shape: number[] | undefined;
  symbols: string[];
}

export interface GraphSignature {
  inputs: GraphTensor[];
  outputs: GraphTensor[];
}

export type ExecutionProvider = 'cuda' | 'webgpu' | 'cpu';
export type RunnerMode = 'inline' | 'worker';

export interface SessionOptions {
  /** Providers to try, in order; the first that creates a session wins. */
  providers: ExecutionProvider[];
  intraOpThreads: number;
}

/** Input/output names, element types and shapes a session reports (checked against the manifest at load). */
export interface SessionSignature extends GraphSignature {
  inputNames: string[];
  outputNames: string[];
}

/**
 * One loaded model version's inference engine. Inline runners call onnxruntime on the main
 * thread (cheapest for tiny models); worker runners keep the event loop free for heavy ones.
 */
export interface ModelRunner {
  readonly mode: RunnerMode;
  readonly provider: ExecutionProvider;
  readonly signature: SessionSignature;
  /** Providers tried before `provider` and why each failed (logged at load). */
  readonly fallbacks: readonly { provider: ExecutionProvider; error: string }[];
  run(feeds: TensorMap, outputNames?: readonly string[]): Promise<TensorMap>;
  dispose(): Promise<void>;
}

/**
 * Opens a runner of its own on a version's ONNX bytes, outside the serving path (the validation
 * gate runs candidate and baseline in sessions it disposes). Made by the composition root, which
 * knows the session options and the runtime.
 */
export type RunnerFactory = (onnx: Uint8Array) => Promise<ModelRunner>;
