import type { AuditEvent } from './audit.js';

/** An operator's "all traffic to stable, now" for one model, until cleared. */
export interface RollbackOverride {
  since: string;
  actor: string;
  reason: string;
}

/** Where overrides are kept beyond this process (the registry database): replicas share them. */
export interface SharedRollbacks {
  /** Store the override (null: cleared) with its audit event, in one transaction, and tell the other replicas. */
  save(model: string, override: RollbackOverride | null, event: AuditEvent): Promise<void>;
  load(): Promise<Map<string, RollbackOverride>>;
}
