import { readFileSync } from 'node:fs';
import { generateTensors, toInstances, type Fill, type InputPlan, type TensorSet } from './model-inputs.js';

/** What one request carries before it is encoded for a protocol. */
export type Payload = { kind: 'tensors'; set: TensorSet } | { kind: 'instances'; rows: Record<string, unknown>[] };

/**
 * The requests of a run: a pool cycled in order (repeated inputs: cache hits when the cache is
 * on) and, for `--unique-inputs S`, a share S of requests with fresh random inputs never sent before.
 */
export class RequestSource<T> {
  private i = 0;
  private owed = 0;

  constructor(
    private readonly pool: T[],
    private readonly fresh: () => T,
    private readonly uniqueShare: number,
  ) {
    if (pool.length === 0) throw new Error('no requests to send (empty samples file?)');
  }

  next(): T {
    // Deterministic spread: exactly uniqueShare of requests are fresh, evenly interleaved.
    this.owed += this.uniqueShare;
    if (this.owed >= 1) {
      this.owed -= 1;
      return this.fresh();
    }
    return this.pool[this.i++ % this.pool.length] as T;
  }
}

export interface PayloadOptions {
  plans: InputPlan[];
  fill: Fill;
  /** A samples file: OIP request bodies or v1 instances. */
  file?: string;
  /** The v1 JSON API wants named features. */
  v1: boolean;
}

/** The pool of payloads (one generated request, or every sample of the file) and a fresh-payload maker. */
export function payloads(o: PayloadOptions): { pool: Payload[]; fresh: () => Payload } {
  const generated = (fill: Fill): Payload => {
    const set = generateTensors(o.plans, fill);
    return o.v1 ? { kind: 'instances', rows: toInstances(o.plans, set) } : { kind: 'tensors', set };
  };
  const fresh = () => generated('random');
  if (!o.file) return { pool: [generated(o.fill)], fresh };
  return { pool: readSamples(o.file, o.v1), fresh };
}

interface OipInput {
  name: string;
  datatype: string;
  shape: number[];
  data: unknown;
}

/** A samples file: `{"inputs":[...]}`, an array of those, or `{"instances":[...]}` (v1: one request per instance). */
export function readSamples(file: string, v1: boolean): Payload[] {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`--input-data ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const bodies = Array.isArray(json) ? json : [json];
  const out: Payload[] = [];
  for (const body of bodies) {
    if (isRecord(body) && Array.isArray(body.instances)) {
      if (!v1) throw new Error(`--input-data ${file}: v1 instances can only be sent with --protocol v1`);
      for (const row of body.instances) if (isRecord(row)) out.push({ kind: 'instances', rows: [row] });
    } else if (isRecord(body) && Array.isArray(body.inputs)) {
      if (v1) throw new Error(`--input-data ${file}: OIP request bodies need --protocol oip-json, oip-binary or grpc`);
      const tensors = (body.inputs as OipInput[]).map((t) => ({ name: t.name, datatype: t.datatype, shape: t.shape, data: flat(t.data) }));
      out.push({ kind: 'tensors', set: { tensors } });
    } else {
      throw new Error(`--input-data ${file}: each sample must be an OIP request body {"inputs": [...]} or v1 {"instances": [...]}`);
    }
  }
  return out;
}

function flat(data: unknown): number[] | string[] | boolean[] {
  return (Array.isArray(data) ? data.flat(Infinity) : [data]) as number[];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
