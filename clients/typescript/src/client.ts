import createClient, { type Client } from 'openapi-fetch';
import { decodeBinaryResponse, encodeBinaryRequest, type BinaryTensor, type TensorData } from './binary.js';
import { errorFrom, failure, ModelgateError } from './errors.js';
import { retryingFetch, type RetryOptions } from './retrying-fetch.js';
import type { components, paths } from './schema.js';

type Schemas = components['schemas'];
export type InferRequest = paths['/v2/models/{model}/infer']['post']['requestBody']['content']['application/json'];
export type InferResponse = Schemas['InferResponse'];
export type ModelMetadata = Schemas['ModelMetadata'];
export type RoutingView = Schemas['RoutingView'];
export type FeedbackResult = Schemas['FeedbackResult'];

/** Who answered, from where: the stamp headers of a prediction. */
export interface Stamps {
  model: string;
  version: string;
  /** Why that version: 'pinned', 'flag:<variant>', 'fallback:<reason>'. */
  route: string;
  cache: 'hit' | 'miss' | 'bypass';
  requestId: string;
}

export interface ClientOptions {
  /** e.g. http://127.0.0.1:8080 */
  baseUrl: string;
  /** A role token, for routing, rollback and the other ops calls. */
  token?: string;
  /** Per-call time limit, unless a call gives its own (default: none). */
  timeoutMs?: number;
  /** Retries for 503 + Retry-After and connection resets (default: 3); `{ maxRetries: 0 }` turns them off. */
  retry?: RetryOptions;
  /** The fetch to use (default: globalThis.fetch). */
  fetch?: typeof fetch;
}

export interface CallOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Your request id (1-128 of [A-Za-z0-9_.:@-]); default: a new UUID. Every retry sends the same one. */
  requestId?: string;
}

export interface PredictOptions extends CallOptions {
  /** Pin a version (or an alias): routing flags are skipped. */
  version?: string;
  /** Stickiness key of flag routing (x-user-id). */
  user?: string;
  tenant?: string;
  session?: string;
  /** Routing properties (x-context-<name>). */
  context?: Record<string, string>;
  /** Skip the cache read (Cache-Control: no-cache). */
  noCache?: boolean;
}

export interface InferBinaryOptions extends PredictOptions {
  /** Ask for every output as raw bytes too (binary_data_output); default true. */
  binaryOutputs?: boolean;
}

/** A prediction with its stamps. */
export type Stamped<T> = T & { stamps: Stamps };

const stampsOf = (res: Response, requestId: string): Stamps => ({
  model: res.headers.get('x-model-name') ?? '',
  version: res.headers.get('x-model-version') ?? '',
  route: res.headers.get('x-model-route') ?? '',
  cache: (res.headers.get('x-cache') ?? 'miss') as Stamps['cache'],
  requestId: res.headers.get('x-request-id') ?? requestId,
});

/**
 * A typed client of a modelgate gateway (types generated from its OpenAPI document). Each call
 * returns what the gateway answered, predictions with their stamps; a failure throws a
 * ModelgateError with the gateway's `code` and `status`.
 */
export class ModelgateClient {
  private readonly api: Client<paths>;
  private readonly fetchWithRetries: (r: Request) => Promise<Response>;

  constructor(private readonly opts: ClientOptions) {
    this.fetchWithRetries = retryingFetch(opts.fetch ?? globalThis.fetch, opts.retry);
    this.api = createClient<paths>({ baseUrl: opts.baseUrl, fetch: this.fetchWithRetries });
  }

  /** Predictions from named features (the JSON API): one instance or many. */
  async predict<F extends object = Record<string, number | string>>(model: string, features: F | F[], opts: PredictOptions = {}): Promise<Stamped<{ predictions: unknown[] }>> {
    const body = { instances: (Array.isArray(features) ? features : [features]) as Record<string, unknown>[] };
    const call = this.prepare(opts, routingHeaders(opts));
    const r = await this.run(call, () =>
      opts.version
        ? this.api.POST('/v1/models/{model}/versions/{version}/predict', { params: { path: { model, version: opts.version } }, body, ...call.init })
        : this.api.POST('/v1/models/{model}/predict', { params: { path: { model } }, body, ...call.init }),
    );
    return { predictions: r.data.predictions, stamps: stampsOf(r.response, call.requestId) };
  }

  /** Open Inference Protocol V2 inference with JSON tensors. */
  async infer(model: string, request: InferRequest, opts: PredictOptions = {}): Promise<Stamped<InferResponse>> {
    const call = this.prepare(opts, routingHeaders(opts));
    const r = await this.run(call, () =>
      opts.version
        ? this.api.POST('/v2/models/{model}/versions/{version}/infer', { params: { path: { model, version: opts.version } }, body: request, ...call.init })
        : this.api.POST('/v2/models/{model}/infer', { params: { path: { model } }, body: request, ...call.init }),
    );
    // Asked as JSON, answered as JSON (binary outputs: inferBinary).
    return { ...(r.data as InferResponse), stamps: stampsOf(r.response, call.requestId) };
  }

  /** OIP inference with binary tensors (the binary tensor extension): typed arrays in, typed arrays out. */
  async inferBinary(model: string, inputs: readonly BinaryTensor[], opts: InferBinaryOptions = {}): Promise<Stamped<InferResponse & { tensors: Map<string, TensorData> }>> {
    const { body, headerLength } = encodeBinaryRequest(inputs, opts.binaryOutputs ?? true);
    const call = this.prepare(opts, { ...routingHeaders(opts), 'content-type': 'application/octet-stream', 'inference-header-content-length': String(headerLength) });
    const path = opts.version ? `/v2/models/${encodeURIComponent(model)}/versions/${encodeURIComponent(opts.version)}/infer` : `/v2/models/${encodeURIComponent(model)}/infer`;
    let res: Response;
    try {
      res = await this.fetchWithRetries(new Request(new URL(path, this.opts.baseUrl), { method: 'POST', body, ...call.init }));
    } catch (err) {
      throw failure(err, call.requestId);
    }
    if (!res.ok) throw errorFrom(res, await res.json().catch(() => undefined), call.requestId);
    const bytes = new Uint8Array(await res.arrayBuffer());
    const length = res.headers.get('inference-header-content-length');
    const stamps = stampsOf(res, call.requestId);
    if (length === null) return { ...(JSON.parse(new TextDecoder().decode(bytes)) as InferResponse), tensors: new Map(), stamps };
    const { header, tensors } = decodeBinaryResponse(bytes, Number(length));
    return { ...header, tensors, stamps };
  }

  /** Ground truth for an answered prediction, by its request id (stamps.requestId). */
  async feedback(requestId: string, value: number | number[], opts: CallOptions = {}): Promise<FeedbackResult> {
    const call = this.prepare(opts);
    return (await this.run(call, () => this.api.POST('/v1/feedback', { body: { request_id: requestId, value }, ...call.init }))).data;
  }

  /** A model's metadata (its stable version, or the one named): inputs, outputs, named features, metrics. */
  async metadata(model: string, version?: string, opts: CallOptions = {}): Promise<ModelMetadata> {
    const call = this.prepare(opts);
    const r = await this.run(call, () =>
      version ? this.api.GET('/v2/models/{model}/versions/{version}', { params: { path: { model, version } }, ...call.init }) : this.api.GET('/v2/models/{model}', { params: { path: { model } }, ...call.init }),
    );
    return r.data;
  }

  /** A model's routing: flag, stable version, rollback, effective split (viewer). */
  async routing(model: string, opts: CallOptions = {}): Promise<RoutingView> {
    const call = this.prepare(opts, this.auth());
    return (await this.run(call, () => this.api.GET('/admin/models/{model}/routing', { params: { path: { model } }, ...call.init }))).data;
  }

  /** Instant rollback: all of a model's traffic to its stable version (deployer). */
  async rollback(model: string, reason?: string, opts: CallOptions = {}): Promise<RoutingView> {
    const call = this.prepare(opts, this.auth());
    return (await this.run(call, () => this.api.POST('/admin/models/{model}/rollback', { params: { path: { model } }, body: reason === undefined ? {} : { reason }, ...call.init }))).data;
  }

  /** Release the rollback: flags route again (deployer). */
  async clearRollback(model: string, opts: CallOptions = {}): Promise<RoutingView> {
    const call = this.prepare(opts, this.auth());
    return (await this.run(call, () => this.api.DELETE('/admin/models/{model}/rollback', { params: { path: { model } }, ...call.init }))).data;
  }

  private auth(): Record<string, string> {
    return this.opts.token ? { authorization: `Bearer ${this.opts.token}` } : {};
  }

  /** The request id, headers and signal (the caller's, and the time limit) of one call. */
  private prepare(opts: CallOptions, headers: Record<string, string> = {}) {
    const requestId = opts.requestId ?? globalThis.crypto.randomUUID();
    const timeoutMs = opts.timeoutMs ?? this.opts.timeoutMs;
    const signals = [opts.signal, timeoutMs === undefined ? undefined : AbortSignal.timeout(timeoutMs)].filter((s): s is AbortSignal => s !== undefined);
    const signal = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
    return { requestId, init: { headers: { ...headers, 'x-request-id': requestId }, ...(signal ? { signal } : {}) } };
  }

  /** An openapi-fetch call: its data, or a ModelgateError. */
  private async run<D>(call: { requestId: string }, send: () => Promise<{ data?: D; error?: unknown; response: Response }>): Promise<{ data: D; response: Response }> {
    let r: { data?: D; error?: unknown; response: Response };
    try {
      r = await send();
    } catch (err) {
      throw failure(err, call.requestId);
    }
    if (!r.response.ok || r.data === undefined) throw errorFrom(r.response, r.error, call.requestId);
    return { data: r.data, response: r.response };
  }
}

function routingHeaders(o: PredictOptions): Record<string, string> {
  const h: Record<string, string> = {};
  if (o.user !== undefined) h['x-user-id'] = o.user;
  if (o.tenant !== undefined) h['x-tenant-id'] = o.tenant;
  if (o.session !== undefined) h['x-session-id'] = o.session;
  if (o.noCache) h['cache-control'] = 'no-cache';
  for (const [k, v] of Object.entries(o.context ?? {})) h[`x-context-${k.toLowerCase()}`] = v;
  return h;
}

export { ModelgateError };
