import { callInfer } from './grpc-load.js';
import type { ModelMeta } from './model-inputs.js';
import type { EncodedRequest, Protocol } from './request-encoding.js';

/** Where the load goes: the gateway, the model and (optionally) a pinned version. */
export interface Target {
  url: string;
  model: string;
  version?: string;
  protocol: Protocol;
  grpcAddress: string;
  /** Sent with every request (authorization, cache-control). */
  headers: Record<string, string>;
}

const enc = encodeURIComponent;

export function predictUrl(t: Target): string {
  const versioned = t.version ? `/versions/${enc(t.version)}` : '';
  return t.protocol === 'v1' ? `${t.url}/v1/models/${enc(t.model)}${versioned}/predict` : `${t.url}/v2/models/${enc(t.model)}${versioned}/infer`;
}

/** The model's OIP metadata; a clear error when the gateway or the model is not there. */
export async function fetchMetadata(t: Target): Promise<ModelMeta> {
  const url = `${t.url}/v2/models/${enc(t.model)}${t.version ? `/versions/${enc(t.version)}` : ''}`;
  let res: Response;
  try {
    res = await fetch(url, { headers: t.headers, signal: AbortSignal.timeout(10_000) });
  } catch (err) {
    throw new Error(`no gateway answers at ${t.url} (${causeOf(err)})`);
  }
  const text = await res.text();
  if (!res.ok) throw new Error(`GET ${url}: ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as ModelMeta;
}

/** The server's /metrics, for the breakdown; undefined when it does not serve them. */
export async function metricsScraper(t: Target): Promise<(() => Promise<string>) | undefined> {
  const scrape = async () => {
    const res = await fetch(`${t.url}/metrics`, { headers: t.headers, signal: AbortSignal.timeout(5_000) });
    if (!res.ok) throw new Error(String(res.status));
    return res.text();
  };
  try {
    const text = await scrape();
    return text.includes('modelgate_') ? scrape : undefined;
  } catch {
    return undefined;
  }
}

/**
 * One request with the chosen protocol before any load: a gateway that does not offer it (no
 * binary tensor extension, no gRPC listener) is named as such, not buried in a column of errors.
 */
export async function probe(t: Target, http: EncodedRequest | undefined, grpcRequest: Buffer | undefined): Promise<void> {
  if (t.protocol === 'grpc') {
    const grpc = await import('@grpc/grpc-js');
    const client = new grpc.Client(t.grpcAddress, grpc.credentials.createInsecure());
    const md = new grpc.Metadata();
    for (const [k, v] of Object.entries(t.headers)) md.set(k, v);
    const r = await callInfer(grpc, client, grpcRequest ?? Buffer.alloc(0), md, 10_000);
    client.close();
    if (r.code === grpc.status.UNAVAILABLE) throw new Error(`no gRPC service answers at ${t.grpcAddress} (${r.details}): this gateway does not offer gRPC there; set --grpc-address or use --protocol oip-json`);
    if (r.code === grpc.status.UNIMPLEMENTED) throw new Error(`the gRPC server at ${t.grpcAddress} does not implement inference.GRPCInferenceService/ModelInfer: use --protocol oip-json`);
    if (r.code !== 0) throw new Error(`the first gRPC ModelInfer was refused: ${grpc.status[r.code]} ${r.details.slice(0, 300)}`);
    return;
  }
  if (!http) return;
  const res = await fetch(predictUrl(t), { method: 'POST', headers: { ...t.headers, ...http.headers }, body: http.body, signal: AbortSignal.timeout(30_000) });
  const text = await res.text();
  if (res.ok) return;
  const hint = t.protocol === 'oip-binary' ? ': this gateway may not offer the binary tensor extension (Inference-Header-Content-Length); use --protocol oip-json' : '';
  throw new Error(`the first ${t.protocol} request was refused: ${res.status} ${text.slice(0, 300)}${hint}`);
}

function causeOf(err: unknown): string {
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
  return cause instanceof Error ? ((cause as NodeJS.ErrnoException).code ?? cause.message) : String(cause);
}
