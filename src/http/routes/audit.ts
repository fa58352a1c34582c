import { Hono } from 'hono';
import { z } from 'zod';
import type { AuditLog, VerifyResult } from '../../audit/audit-log.js';
import type { TraceStore } from '../../audit/trace-store.js';
import { badRequest, notFound } from '../../errors/index.js';
import { explainPrediction } from '../../registry/prediction-explainer.js';
import type { RegistryStore } from '../../registry/registry-store.js';
import type { AppEnv } from '../app-env.js';
import { roleGuard, type Authenticate } from '../middleware/auth.js';

export interface AuditHttpDeps {
  audit: AuditLog;
  /** Verifies the chain and records the outcome (the modelgate_audit_chain_ok gauge); default: audit.verify(). */
  verify?: () => Promise<VerifyResult>;
  /** The prediction trace; undefined when it is switched off. */
  traces: TraceStore | undefined;
  store: RegistryStore;
  authenticate: Authenticate;
}

const PageQuery = z.object({
  after: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
  action: z.string().max(100).optional(),
  target: z.string().max(200).optional(),
});

/** The audit log (paged, verifiable) and the prediction trace lookup, under /admin. */
export function auditRoutes(deps: AuditHttpDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const requireRole = roleGuard(deps.authenticate);

  app.get('/audit', requireRole('viewer'), async (c) => {
    const q = PageQuery.safeParse(c.req.query());
    if (!q.success) throw badRequest(`invalid query: ${q.error.issues[0]?.path.join('.')}: ${q.error.issues[0]?.message}`);
    return c.json(await deps.audit.page(q.data));
  });

  app.get('/audit/verify', requireRole('viewer'), async (c) => c.json(await (deps.verify ? deps.verify() : deps.audit.verify())));

  app.get('/predictions/:requestId', requireRole('viewer'), async (c) => {
    const requestId = c.req.param('requestId');
    if (requestId.length > 200) throw badRequest('request id too long');
    if (!deps.traces) throw notFound('the prediction trace is switched off (registry.trace.enabled)');
    const found = await deps.traces.find(requestId);
    if (found.length === 0) throw notFound(`no traced prediction with request id '${requestId.slice(0, 100)}'`);
    const [latest, ...earlier] = await Promise.all(found.map((t) => explainPrediction(t, deps.store)));
    return c.json({ ...latest, ...(earlier.length ? { earlier } : {}) });
  });
  return app;
}

/** The query the audit page validates (the OpenAPI document describes it from here). */
export { PageQuery as AuditPageQuery };
