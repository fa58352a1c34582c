import type { InputPlan, TensorSet } from './model-inputs.js';
import { toInstances } from './model-inputs.js';
import type { Target } from './perf-target.js';
import type { Payload } from './request-source.js';

/** onnxruntime's tensor types (as the trace records them) -> OIP datatypes. */
const OIP: Record<string, string> = {
  float32: 'FP32', float64: 'FP64', float16: 'FP16', int8: 'INT8', uint8: 'UINT8', int16: 'INT16', uint16: 'UINT16',
  int32: 'INT32', uint32: 'UINT32', int64: 'INT64', uint64: 'UINT64', bool: 'BOOL', string: 'BYTES',
};

interface CapturedRecord {
  requestId: string;
  input?: Record<string, { type: string; shape: number[]; data: (number | string | boolean)[] }>;
}

/**
 * `--replay-trace N`: the last N inputs the gateway's prediction trace captured for the model
 * (GET /admin/predictions?model=M&limit=N, a viewer token), oldest first so they replay in the
 * order they came, as the requests of the run. The gateway must record inputs
 * (registry.trace.captureInputs): its refusal is passed on as the reason.
 */
export async function tracePayloads(t: Target, n: number, plans: InputPlan[], v1: boolean): Promise<Payload[]> {
  const url = `${t.url}/admin/predictions?model=${encodeURIComponent(t.model)}&limit=${n}`;
  const res = await fetch(url, { headers: t.headers, signal: AbortSignal.timeout(60_000) });
  const text = await res.text();
  if (!res.ok) {
    const why = (() => {
      try {
        return (JSON.parse(text) as { error?: string }).error ?? text;
      } catch {
        return text;
      }
    })().slice(0, 300);
    const hint = res.status === 401 || res.status === 403 ? ' (the trace needs a viewer token: --token)' : '';
    throw new Error(`--replay-trace: GET ${url}: ${res.status} ${why}${hint}`);
  }
  const records = (JSON.parse(text) as { predictions: CapturedRecord[] }).predictions.filter((r) => r.input);
  if (records.length === 0) throw new Error(`--replay-trace: the trace holds no captured inputs of ${t.model} yet (inputs are captured from when registry.trace.captureInputs is on)`);
  return records.reverse().map((r) => {
    const set: TensorSet = {
      tensors: Object.entries(r.input ?? {}).map(([name, tensor]) => ({ name, datatype: OIP[tensor.type] ?? tensor.type, shape: tensor.shape, data: tensor.data as number[] })),
    };
    return v1 ? { kind: 'instances', rows: toInstances(plans, set) } : { kind: 'tensors', set };
  });
}
