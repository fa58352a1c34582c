import { encodeInferRequest } from './grpc-messages.js';
import { startGrpcLoad } from './grpc-load.js';
import { startHttpLoad } from './http-load.js';
import { loadLabel, type Load } from './load-driver.js';
import { measureStep, type MeasureOptions, type StepResult } from './measure-step.js';
import { planInputs, type Fill, type InputPlan, type ModelMeta } from './model-inputs.js';
import { fetchMetadata, metricsScraper, predictUrl, probe, type Target } from './perf-target.js';
import { encodeOipBinary, encodeOipJson, encodeV1, type EncodedRequest } from './request-encoding.js';
import { payloads, RequestSource, type Payload } from './request-source.js';
import { tracePayloads } from './trace-replay.js';

export interface PerfRun {
  target: Target;
  loads: Load[];
  users: number;
  uniqueShare: number;
  /** Generated (random, zero), a samples file, or the last N inputs the gateway's trace captured. */
  inputData: Fill | { file: string } | { trace: number };
  shapes: Map<string, number[]>;
  batchSize: number;
  measure: Omit<MeasureOptions, 'model' | 'scrape' | 'signal' | 'progress'>;
  signal: AbortSignal;
  /** Progress lines (undefined: --quiet). */
  progress?: (line: string) => void;
}

export interface PerfReport {
  url: string;
  model: string;
  version: string | null;
  protocol: string;
  inputs: InputPlan[];
  /** Why the server breakdown is missing, when it is. */
  notes: string[];
  steps: StepResult[];
  interrupted: boolean;
  startedAt: string;
}

/** Every step of a run, one after the other, each measured until stable (Ctrl-C: what was measured so far). */
export async function runPerf(r: PerfRun): Promise<PerfReport> {
  const { target } = r;
  const startedAt = new Date().toISOString();
  const meta: ModelMeta = await fetchMetadata(target);
  const plans = planInputs(meta, r.shapes, r.batchSize);
  const v1 = target.protocol === 'v1';
  const data = r.inputData;
  const { pool, fresh } = payloads({ plans, v1, fill: typeof data === 'string' ? data : 'random', ...(typeof data === 'object' && 'file' in data ? { file: data.file } : {}) });
  if (typeof data === 'object' && 'trace' in data) pool.splice(0, pool.length, ...(await tracePayloads(target, data.trace, plans, v1)));
  const encodeHttp = (p: Payload): EncodedRequest => {
    if (p.kind === 'instances') return encodeV1(p.rows);
    return target.protocol === 'oip-binary' ? encodeOipBinary(p.set) : encodeOipJson(p.set);
  };
  const encodeGrpc = (p: Payload): Buffer => {
    if (p.kind !== 'tensors') throw new Error('gRPC sends tensors, not v1 instances');
    return encodeInferRequest(target.model, target.version, p.set);
  };
  const grpc = target.protocol === 'grpc';
  const first = pool[0] as Payload;
  await probe(target, grpc ? undefined : encodeHttp(first), grpc ? encodeGrpc(first) : undefined);
  const scrape = await metricsScraper(target);
  const notes = scrape ? [] : [`${target.url}/metrics is not reachable: no server-side breakdown`];
  const steps: StepResult[] = [];
  for (const [i, load] of r.loads.entries()) {
    if (r.signal.aborted) break;
    const label = loadLabel(load);
    const start = grpc
      ? (() => {
          const source = new RequestSource(pool.map(encodeGrpc), () => encodeGrpc(fresh()), r.uniqueShare);
          return (sink: Parameters<typeof startGrpcLoad>[0]['sink']) =>
            startGrpcLoad({ address: target.grpcAddress, load, next: () => source.next(), headers: target.headers, users: r.users, sink });
        })()
      : (() => {
          const encoded = pool.map(encodeHttp);
          const source = new RequestSource(encoded, () => encodeHttp(fresh()), r.uniqueShare);
          const fixed = encoded.length === 1 && r.uniqueShare === 0 && r.users === 0 ? encoded[0] : undefined;
          return (sink: Parameters<typeof startHttpLoad>[0]['sink']) =>
            startHttpLoad({ url: predictUrl(target), load, next: () => source.next(), ...(fixed ? { fixed } : {}), headers: target.headers, users: r.users, sink });
        })();
    const step = await measureStep(label, load, start, {
      ...r.measure,
      model: meta.name,
      ...(scrape ? { scrape } : {}),
      signal: r.signal,
      progress: r.progress && ((w, rps) => r.progress?.(`step ${i + 1}/${r.loads.length} (${label}) window ${w}: ${rps.toFixed(0)} req/s`)),
    });
    if (step.measuredWindows > 0) steps.push(step);
    if (step.ok === 0 && Object.keys(step.errors).length === 0 && !step.interrupted) notes.push(`${label}: no answer at all while it was measured (requests still in flight at its end)`);
    r.progress?.(`step ${i + 1}/${r.loads.length} (${label}): ${step.throughput.toFixed(0)} req/s, p99 ${step.latency.p99.toFixed(2)} ms${step.stable ? '' : step.interrupted ? ' (interrupted)' : ' (not stable)'}`);
  }
  return {
    url: target.url,
    model: meta.name,
    version: target.version ?? null,
    protocol: target.protocol,
    inputs: plans.map(({ name, datatype, shape }) => ({ name, datatype, shape })),
    notes,
    steps,
    interrupted: r.signal.aborted,
    startedAt,
  };
}
