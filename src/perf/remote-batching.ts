import type { BatchingSetting } from './batching-sweep.js';
import type { Target } from './perf-target.js';

/** A running gateway's batching of one model, through its admin API (GET/PUT /admin/models/{m}/batching). */
export interface BatchingApi {
  get(): Promise<BatchingSetting>;
  set(setting: BatchingSetting): Promise<void>;
}

export function batchingApi(t: Target): BatchingApi {
  const url = `${t.url}/admin/models/${encodeURIComponent(t.model)}/batching`;
  const call = async (method: 'GET' | 'PUT', body?: BatchingSetting): Promise<BatchingSetting> => {
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: { ...(t.headers.authorization ? { authorization: t.headers.authorization } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (err) {
      throw new Error(`--sweep-batching: no gateway answers at ${t.url} (${err instanceof Error ? err.message : String(err)})`);
    }
    const text = await res.text();
    if (!res.ok) {
      const hint = res.status === 401 || res.status === 403 ? ': the sweep changes batching through the admin API, which needs a deployer token (--token)' : res.status === 404 && !text.includes('model_not_found') ? ': this gateway has no run-time batching API; sweep a local model with --models-dir instead of --url' : '';
      throw new Error(`--sweep-batching: ${method} ${url}: ${res.status} ${text.slice(0, 300)}${hint}`);
    }
    const { enabled, maxBatchSize, maxQueueDelayMicros } = JSON.parse(text) as BatchingSetting;
    return { enabled, maxBatchSize, maxQueueDelayMicros };
  };
  return {
    get: () => call('GET'),
    set: async (setting) => void (await call('PUT', setting)),
  };
}
