import { parentPort, workerData } from 'node:worker_threads';
import { graphSignature } from './graph-info.js';
import { createSession } from './session-factory.js';
import { fromOrtResults, toOrtFeeds } from './ort-codec.js';
import { transferables, type WorkerInit, type WorkerReady, type WorkerRequest, type WorkerResponse } from './worker-protocol.js';

/** A thread that owns one onnxruntime session and runs it off the main event loop. */
async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('inference-worker must run as a worker thread');
  const init = workerData as WorkerInit;
  let created;
  try {
    created = await createSession(init.model, init.options);
  } catch (err) {
    const msg: WorkerReady = { type: 'init-error', message: err instanceof Error ? err.message : String(err) };
    port.postMessage(msg);
    return;
  }
  const { session, provider, fallbacks } = created;
  const ready: WorkerReady = {
    type: 'ready',
    provider,
    fallbacks,
    signature: { inputNames: [...session.inputNames], outputNames: [...session.outputNames], ...graphSignature(session) },
  };
  port.postMessage(ready);

  port.on('message', (req: WorkerRequest | 'close') => {
    if (req === 'close') {
      void session.release().finally(() => port.close());
      return;
    }
    session.run(toOrtFeeds(req.feeds)).then(
      (results) => {
        const outputs = fromOrtResults(results, req.outputNames);
        const res: WorkerResponse = { id: req.id, ok: true, outputs };
        port.postMessage(res, transferables(outputs));
      },
      (err: unknown) => {
        const res: WorkerResponse = { id: req.id, ok: false, message: err instanceof Error ? err.message : String(err) };
        port.postMessage(res);
      },
    );
  });
}

void main();
