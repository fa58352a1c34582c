import type ort from 'onnxruntime-node';
import { graphSignature } from './graph-info.js';
import { createSession } from './session-factory.js';
import { fromOrtResults, toOrtFeeds } from './ort-codec.js';
import type { ExecutionProvider, ModelRunner, SessionOptions, SessionSignature } from '../contracts/runner.js';
import type { TensorMap } from '../contracts/tensor.js';

/** Runs onnxruntime on the calling (main) thread: no message passing, best for tiny models. */
export class InlineRunner implements ModelRunner {
  readonly mode = 'inline' as const;
  private disposed = false;

  private constructor(
    private readonly session: ort.InferenceSession,
    readonly provider: ExecutionProvider,
    readonly signature: SessionSignature,
    readonly fallbacks: { provider: ExecutionProvider; error: string }[],
  ) {}

  static async create(model: Uint8Array | string, options: SessionOptions): Promise<InlineRunner> {
    const { session, provider, fallbacks } = await createSession(model, options);
    const signature = { inputNames: [...session.inputNames], outputNames: [...session.outputNames], ...graphSignature(session) };
    return new InlineRunner(session, provider, signature, fallbacks);
  }

  run(feeds: TensorMap, outputNames?: readonly string[]): Promise<TensorMap> {
    // A released native session must never be run again: it does not fail cleanly.
    if (this.disposed) return Promise.reject(new Error('the session was disposed'));
    let running: Promise<ort.InferenceSession.OnnxValueMapType>;
    try {
      running = this.session.run(toOrtFeeds(feeds));
    } catch (err) {
      return Promise.reject(err as Error);
    }
    return running.then((results) => fromOrtResults(results, outputNames));
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.session.release();
  }
}
