import type { TraceHeader, TraceRecord } from './trace-codec.js';

/**
 * Where the prediction trace goes: segment files on the local disk (TraceLog, embedded mode) or
 * PostgreSQL (PgTraceLog, shared by replicas). Both take a record into an in-memory chunk on the
 * request path and write chunks in batches off it.
 */
/** Whether the trace's records reach their sink now (readiness details, modelgate_trace_degraded). */
export interface TraceHealth {
  degraded: boolean;
  /** What failed last, while degraded (e.g. `trace-write: ENOSPC: no space left on device, write`). */
  reason?: string;
  /** Bytes of records waiting for the sink. */
  pendingBytes: number;
}

export interface TraceStore {
  /** Take one record. Never blocks, never throws; a record that cannot be kept is counted as dropped. */
  append(h: TraceHeader, payload: Uint8Array): void;
  /** Wait until everything appended so far is written. */
  drain(): Promise<void>;
  /** Predictions answered under a request id, newest first (a client may reuse an id). */
  find(requestId: string, limit?: number): Promise<TraceRecord[]>;
  /** Start retention. */
  start(): void;
  /** Whether records reach the sink now (engines that track it). */
  health?(): TraceHealth;
  /** Stop accepting, write everything. */
  close(): Promise<void>;
}
