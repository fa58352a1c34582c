import { total, type Sample } from './prometheus-text.js';

/**
 * Where the server's time went over a measured window, from two `/metrics` scrapes: means per
 * request (queue wait, HTTP handling) and per model run (onnxruntime), the mean batch size, shed
 * requests, and the cache hit rate of the model.
 */
export interface ServerBreakdown {
  /** Mean time a request spent in the gateway (its HTTP duration histogram), ms. */
  serverMs: number | null;
  /** Mean wait in the batch queue, ms (null: no batching). */
  queueMs: number | null;
  /** Mean onnxruntime time per run (one batch), ms. */
  inferenceMs: number | null;
  /** Mean requests per run (null: no batching). */
  batchSize: number | null;
  runs: number;
  shed: number;
  /** Hits over hit + miss lookups (null: no lookups, e.g. cache off). */
  cacheHitRate: number | null;
}

const PREDICTION_ROUTE = (route: string) => route.endsWith('/infer') || route.endsWith('/predict');

export function breakdown(before: Sample[], after: Sample[], model: string): ServerBreakdown {
  const d = (name: string, where: Parameters<typeof total>[2] = {}) => total(after, name, where) - total(before, name, where);
  const mean = (metric: string, where: Parameters<typeof total>[2]) => {
    const n = d(`${metric}_count`, where);
    return n > 0 ? d(`${metric}_sum`, where) / n : null;
  };
  const ms = (v: number | null) => (v === null ? null : v * 1000);
  const byModel = { model };
  const hits = d('modelgate_cache_requests_total', { model, result: 'hit' });
  const misses = d('modelgate_cache_requests_total', { model, result: 'miss' });
  return {
    serverMs: ms(mean('modelgate_http_request_duration_seconds', { route: PREDICTION_ROUTE })),
    queueMs: ms(mean('modelgate_queue_duration_seconds', byModel)),
    inferenceMs: ms(mean('modelgate_inference_duration_seconds', byModel)),
    batchSize: mean('modelgate_batch_size', byModel),
    runs: d('modelgate_inference_duration_seconds_count', byModel),
    shed: d('modelgate_requests_shed_total'),
    cacheHitRate: hits + misses > 0 ? hits / (hits + misses) : null,
  };
}
