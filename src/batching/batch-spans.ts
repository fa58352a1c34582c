import type { TraceSpan } from '../contracts/tracing.js';

/** A traced request's spans in a batcher: the queue wait, then the model run of its batch. */
export interface BatchSpans {
  readonly request: TraceSpan;
  readonly queue: TraceSpan;
  run?: TraceSpan;
}

/** The queue wait starts when the request joins the queue. */
export function queueSpan(request: TraceSpan): BatchSpans {
  return { request, queue: request.child('modelgate.batch.queue') };
}

/** Its batch leaves the queue: the wait ends with the batch's size, the run starts. Returns true (a traced batch). */
export function batchStarted(s: BatchSpans, size: number): boolean {
  s.queue.set('modelgate.batch.size', size);
  s.queue.end();
  const run = s.request.child('onnxruntime.run');
  run.set('modelgate.batch.size', size);
  s.run = run;
  return true;
}

/** The batch's run ended: each traced request's run span ends (failed with `err`). */
export function runDone(batch: readonly { spans: BatchSpans | undefined }[], err?: unknown): void {
  for (const q of batch) {
    const run = q.spans?.run;
    if (run === undefined) continue;
    if (err !== undefined) run.fail(err);
    run.end();
  }
}
