import type { Worker } from 'node:worker_threads';
import { startWorker } from './start-worker.js';
import type { ExecutionProvider, ModelRunner, SessionOptions, SessionSignature } from '../contracts/runner.js';
import type { TensorMap } from '../contracts/tensor.js';
import { type WorkerReady, type WorkerRequest, type WorkerResponse } from './worker-protocol.js';

interface Pending {
  resolve: (out: TensorMap) => void;
  reject: (err: Error) => void;
}

/**
 * Runs onnxruntime in a dedicated worker thread so that a heavy model never blocks the HTTP
 * event loop. One session per worker; tensors cross threads by transfer, not copy.
 */
export class WorkerRunner implements ModelRunner {
  readonly mode = 'worker' as const;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private exited = false;
  private disposing = false;

  private constructor(
    private readonly worker: Worker,
    readonly provider: ExecutionProvider,
    readonly signature: SessionSignature,
    readonly fallbacks: { provider: ExecutionProvider; error: string }[],
    private readonly onFailure: (err: Error) => void = () => undefined,
  ) {
    worker.on('message', (res: WorkerResponse) => this.settle(res));
    worker.on('error', (err) => {
      this.onFailure(err);
      this.failAll(`inference worker failed: ${err.message}`);
    });
    worker.on('exit', (code) => {
      this.exited = true;
      // Its requests fail; the process and every other version keep serving.
      if (!this.disposing) this.onFailure(new Error(`inference worker exited with code ${code}`));
      this.failAll('inference worker exited');
    });
  }

  static async create(model: Uint8Array, options: SessionOptions, onFailure?: (err: Error) => void): Promise<WorkerRunner> {
    const copy = model.slice();
    const worker = startWorker(import.meta.url, 'inference-worker', { workerData: { model: copy, options }, transferList: [copy.buffer] });
    // Remove only our own start-up listeners: Worker keeps internal ones (message-port refs).
    let onMessage: (m: WorkerReady) => void = () => undefined;
    let onError: (e: Error) => void = () => undefined;
    let onExit: (code: number) => void = () => undefined;
    const ready = await new Promise<WorkerReady>((resolve, reject) => {
      onMessage = resolve;
      onError = reject;
      onExit = (code) => reject(new Error(`inference worker exited with code ${code} during start`));
      worker.once('message', onMessage).once('error', onError).once('exit', onExit);
    }).finally(() => {
      worker.off('message', onMessage).off('error', onError).off('exit', onExit);
    });
    if (ready.type === 'init-error') {
      await worker.terminate();
      throw new Error(ready.message);
    }
    return new WorkerRunner(worker, ready.provider, ready.signature, ready.fallbacks, onFailure);
  }

  run(feeds: TensorMap, outputNames?: readonly string[]): Promise<TensorMap> {
    if (this.exited) return Promise.reject(new Error('inference worker is not running'));
    const id = this.nextId++;
    return new Promise<TensorMap>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      const req: WorkerRequest = { id, feeds, outputNames };
      // Feeds are not transferred: the caller (cache key, shadow, batch split) may still read them.
      this.worker.postMessage(req);
    });
  }

  async dispose(): Promise<void> {
    if (this.exited) return;
    this.disposing = true;
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.postMessage('close');
    const timer = setTimeout(() => void this.worker.terminate(), 5_000);
    await exited;
    clearTimeout(timer);
  }

  private settle(res: WorkerResponse): void {
    const p = this.pending.get(res.id);
    if (!p) return;
    this.pending.delete(res.id);
    if (res.ok) p.resolve(res.outputs);
    else p.reject(new Error(res.message));
  }

  private failAll(message: string): void {
    for (const p of this.pending.values()) p.reject(new Error(message));
    this.pending.clear();
  }
}
