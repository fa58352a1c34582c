import type { ObservedPrediction, PredictionObserver } from '../contracts/prediction.js';
import type { LoadedVersion } from '../contracts/loaded-version.js';
import type { TensorMap } from '../contracts/tensor.js';
import { outputValues } from '../contracts/output-values.js';

/** What feedback needs of an answered prediction. */
export interface RecentPrediction {
  model: string;
  version: string;
  task: 'regression' | 'classification' | 'other';
  atMs: number;
  /** The first output: one value per row (regression), or the row's scores (classification). Shared: read only. */
  values: number[];
  /** Set once ground truth arrived (duplicates are refused). */
  labelled: boolean;
}

type Answered = Pick<RecentPrediction, 'model' | 'version' | 'task'>;

/** Scores kept per prediction at most: a classifier's class scores, a small batch's rows. */
const MAX_VALUES = 64;

/**
 * A bounded index of recent predictions by request id, so that feedback finds the version that
 * answered without reading the trace. A ring of `capacity` slots: the oldest is overwritten
 * first. A slot holds references only (the id, the version, the values array, which a cached
 * prediction shares with every hit of its entry), so a full index is a few large arrays and a
 * Map instead of an object per prediction: the old generation the GC must mark stays small.
 */
export class RecentPredictions implements PredictionObserver {
  private readonly slotOf = new Map<string, number>();
  private readonly ids: (string | undefined)[] = [];
  private readonly versions: Answered[] = [];
  private readonly values: number[][] = [];
  private readonly atMs: Float64Array;
  private next = 0;
  /** The first output's values of a cached prediction, found by the identity of its outputs. */
  private readonly shared = new WeakMap<TensorMap, number[]>();
  /** One small record a version (a slot never keeps a whole, perhaps unloaded, version alive). */
  private readonly answered = new WeakMap<LoadedVersion, Answered>();

  constructor(readonly capacity: number) {
    this.atMs = new Float64Array(capacity);
  }

  observe(p: ObservedPrediction): void {
    if (this.capacity === 0) return;
    let values = p.cache === 'bypass' ? undefined : this.shared.get(p.outputs);
    if (!values) {
      values = firstOutput(p);
      if (p.cache !== 'bypass') this.shared.set(p.outputs, values);
    }
    const slot = this.next;
    this.next = (slot + 1) % this.capacity;
    const evicted = this.ids[slot];
    if (evicted !== undefined) this.slotOf.delete(evicted);
    // A client that reuses an id: its older slot no longer answers for it.
    const older = this.slotOf.get(p.requestId);
    if (older !== undefined) this.ids[older] = undefined;
    this.slotOf.set(p.requestId, slot);
    this.ids[slot] = p.requestId;
    this.versions[slot] = this.answeredBy(p.version);
    this.values[slot] = values;
    this.atMs[slot] = p.atMs;
  }

  get(requestId: string): RecentPrediction | undefined {
    const slot = this.slotOf.get(requestId);
    if (slot === undefined) return undefined;
    const { model, version, task } = this.versions[slot] as Answered;
    return { model, version, task, atMs: this.atMs[slot] as number, values: this.values[slot] as number[], labelled: false };
  }

  private answeredBy(lv: LoadedVersion): Answered {
    let a = this.answered.get(lv);
    if (!a) this.answered.set(lv, (a = { model: lv.name, version: lv.version, task: lv.manifest.task }));
    return a;
  }

  get size(): number {
    return this.slotOf.size;
  }
}

/** The first output: one value per row (regression), or the row's scores (classification), at most MAX_VALUES. */
function firstOutput(p: ObservedPrediction): number[] {
  const first = p.version.manifest.outputs[0]?.name;
  if (!first) return [];
  const values = p.version.manifest.task === 'classification' ? scores(p, first) : outputValues(p.outputs, first);
  return values.length > MAX_VALUES ? values.slice(0, MAX_VALUES) : values;
}

function scores(p: ObservedPrediction, name: string): number[] {
  const t = p.outputs[name];
  if (!t || Array.isArray(t.data) || t.data instanceof BigInt64Array || t.data instanceof BigUint64Array) return [];
  return Array.from((t.data as Float32Array).subarray(0, MAX_VALUES));
}
