import type { TraceRow } from './trace-store.js';

/** workerData of the trace writer thread. */
export interface TraceWorkerData {
  path: string;
  maxOutputBytes: number;
}

export type TraceWorkerRequest =
  | { type: 'write'; id: number; rows: TraceRow[] }
  | { type: 'prune'; id: number; cutoffMs: number }
  | { type: 'close'; id: number };

export interface TraceWorkerResponse {
  id: number;
  written: number;
  failed: number;
  pruned: number;
  error?: string;
}
