import type { ObservedPrediction, PredictionObserver } from '../contracts/prediction.js';
import { outputValues } from '../drift/version-drift.js';

/** What feedback needs of an answered prediction. */
export interface RecentPrediction {
  model: string;
  version: string;
  task: 'regression' | 'classification' | 'other';
  atMs: number;
  /** The first output: one value per row (regression), or the row's scores (classification). */
  values: number[];
  /** Set once ground truth arrived (duplicates are refused). */
  labelled: boolean;
}

/** Scores kept per prediction at most: a classifier's class scores, a small batch's rows. */
const MAX_VALUES = 64;

/**
 * A bounded index of recent predictions by request id, so that feedback finds the version that
 * answered without reading the trace. Oldest entries go first once `capacity` is reached (a Map
 * keeps insertion order, so eviction is O(1)).
 */
export class RecentPredictions implements PredictionObserver {
  private readonly entries = new Map<string, RecentPrediction>();

  constructor(readonly capacity: number) {}

  observe(p: ObservedPrediction): void {
    if (this.capacity === 0) return;
    const first = p.version.manifest.outputs[0]?.name;
    const task = p.version.manifest.task;
    const values = first ? (task === 'classification' ? scores(p, first) : outputValues(p.outputs, first)) : [];
    if (this.entries.size >= this.capacity) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.delete(p.requestId);
    this.entries.set(p.requestId, { model: p.model, version: p.version.version, task, atMs: p.atMs, values: values.slice(0, MAX_VALUES), labelled: false });
  }

  get(requestId: string): RecentPrediction | undefined {
    return this.entries.get(requestId);
  }

  get size(): number {
    return this.entries.size;
  }
}

function scores(p: ObservedPrediction, name: string): number[] {
  const t = p.outputs[name];
  if (!t || Array.isArray(t.data) || t.data instanceof BigInt64Array || t.data instanceof BigUint64Array) return [];
  return Array.from((t.data as Float32Array).subarray(0, MAX_VALUES));
}
