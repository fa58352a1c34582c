import type { TraceHeader, TraceRecord } from './trace-codec.js';

/**
 * Where the prediction trace goes: segment files on the local disk (TraceLog, embedded mode) or
 * PostgreSQL (PgTraceLog, shared by replicas). Both take a record into an in-memory chunk on the
 * request path and write chunks in batches off it.
 */
export interface TraceStore {
  /** Take one record. Never blocks, never throws; a record that cannot be kept is counted as dropped. */
  append(h: TraceHeader, payload: Uint8Array): void;
  /** Wait until everything appended so far is written. */
  drain(): Promise<void>;
  /** Predictions answered under a request id, newest first (a client may reuse an id). */
  find(requestId: string, limit?: number): Promise<TraceRecord[]>;
  /** Start retention. */
  start(): void;
  /** Stop accepting, write everything. */
  close(): Promise<void>;
}
