import type { SpanRecord } from './span-record.js';

/** Messages between WorkerSpanProcessor (main thread) and span-export-worker (its thread). */
export interface ExportWorkerData {
  /** service.version of the resource the spans are exported under. */
  serviceVersion: string;
  protocol: 'http/protobuf' | 'http/json';
}

export type ExportRequest =
  | { type: 'spans'; spans: SpanRecord[] }
  /** Export everything received so far (forceFlush), or that and then stop (shutdown). */
  | { type: 'flush' | 'shutdown'; id: number };

export interface ExportReply {
  id: number;
  error?: string;
}
