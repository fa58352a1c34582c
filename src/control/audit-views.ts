import type { AuditLog, VerifyResult } from '../audit/audit-log.js';
import type { TraceStore } from '../audit/trace-store.js';
import { conflict, notFound } from '../errors/index.js';
import { explainPrediction } from '../registry/prediction-explainer.js';
import type { RegistryStore } from '../registry/registry-store.js';

export interface AuditViewsDeps {
  audit: AuditLog;
  /** Verifies the chain and records the outcome (the modelgate_audit_chain_ok gauge); default: audit.verify(). */
  verify?: () => Promise<VerifyResult>;
  /** The prediction trace; undefined when it is switched off. */
  traces: TraceStore | undefined;
  /** Whether trace.captureInputs is on (records then carry the request's inputs). */
  capturing?: boolean;
  store: RegistryStore;
}

export type AuditPage = Parameters<AuditLog['page']>[0];

/** The audit log (paged, verifiable) and a traced prediction explained with its version's registry facts. */
export class AuditViews {
  constructor(private readonly deps: AuditViewsDeps) {}

  page(q: AuditPage) {
    return this.deps.audit.page(q);
  }

  verify(): Promise<VerifyResult> {
    return this.deps.verify ? this.deps.verify() : this.deps.audit.verify();
  }

  /** The latest prediction traced under `requestId` (and any earlier ones under the same id); 404 when none. */
  async prediction(requestId: string) {
    if (!this.deps.traces) throw notFound('the prediction trace is switched off (registry.trace.enabled)');
    const found = await this.deps.traces.find(requestId);
    if (found.length === 0) throw notFound(`no traced prediction with request id '${requestId.slice(0, 100)}'`);
    const [latest, ...earlier] = await Promise.all(found.map((t) => explainPrediction(t, this.deps.store)));
    return { ...latest, ...(earlier.length ? { earlier } : {}) };
  }

  /** The newest `limit` traced predictions of a model that carry their inputs (trace.captureInputs), newest first. */
  async captured(model: string, limit: number) {
    if (!this.deps.traces) throw notFound('the prediction trace is switched off (registry.trace.enabled)');
    if (!this.deps.capturing) {
      throw conflict("the prediction trace keeps each input's digest, not the input: turn on registry.trace.captureInputs.enabled to record inputs for replay");
    }
    return this.deps.traces.captured(model, limit);
  }
}
