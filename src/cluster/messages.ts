import type { RollbackOverride } from '../contracts/rollback.js';
import type { BatchingSetting } from '../contracts/batching.js';

/**
 * IPC between the primary and its workers. Prefixed types, so prom-client's own cluster messages
 * (metrics requests it sends to workers) pass through untouched.
 */
export type ClusterAction =
  | { kind: 'rollback'; model: string; override: RollbackOverride | null }
  | { kind: 'load' | 'unload'; model: string; version: string }
  | { kind: 'batching'; model: string; setting: BatchingSetting };

/** Worker -> primary. */
export type WorkerMessage =
  | { type: 'modelgate:metrics'; id: number }
  /** Send `action` to every other worker. */
  | { type: 'modelgate:broadcast'; action: ClusterAction };

/** Primary -> worker. */
export type PrimaryMessage =
  | { type: 'modelgate:metrics-result'; id: number; text?: string; error?: string }
  | { type: 'modelgate:action'; action: ClusterAction };

const typed = (m: unknown): m is { type: string } =>
  typeof m === 'object' && m !== null && typeof (m as { type?: unknown }).type === 'string';

export const isWorkerMessage = (m: unknown): m is WorkerMessage => typed(m) && (m.type === 'modelgate:metrics' || m.type === 'modelgate:broadcast');

export const isPrimaryMessage = (m: unknown): m is PrimaryMessage =>
  typed(m) && (m.type === 'modelgate:metrics-result' || m.type === 'modelgate:action');
