import type { Governance } from '../registry/governance.js';
import { AuditViews } from './audit-views.js';
import { replicasSeen, type ReplicasSeen } from './replicas-seen.js';
import { RegistryAdmin } from './registry-admin.js';
import { TokenAdmin } from './token-admin.js';

/** The control plane of a gateway with a registry: what the admin routes (and an operator's CLI) call. */
export interface GovernanceControl {
  registry: RegistryAdmin;
  tokens: TokenAdmin;
  audit: AuditViews;
  /** The registry store's reachability and the trace's state (GET /admin/status). */
  status(): Promise<{ registry: Awaited<ReturnType<Governance['status']>> }>;
  /** The gateway processes the shared registry sees (GET /admin/replicas). */
  replicas(): Promise<ReplicasSeen>;
}

/** The control services over a started governance (its registry, tokens, audit log and trace). */
export function governanceControl(gov: Governance): GovernanceControl {
  const { registry, audit, tokens, store, engine } = gov.handle;
  return {
    registry: new RegistryAdmin(registry),
    tokens: new TokenAdmin(tokens, audit),
    audit: new AuditViews({ audit, verify: () => gov.verifyAudit(), traces: gov.trace?.log, capturing: gov.trace?.capturing ?? false, store }),
    status: async () => ({ registry: await gov.status() }),
    replicas: () => replicasSeen(engine),
  };
}
