import type { GraphSignature } from './graph-info.js';
import type { TensorMap } from './tensor.js';

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
