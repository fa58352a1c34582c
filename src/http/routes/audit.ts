import { Hono } from 'hono';
import { z } from 'zod';
import type { AuditViews } from '../../control/audit-views.js';
import { badRequest } from '../../errors/index.js';
import type { AppEnv } from '../app-env.js';
import { roleGuard, type Authenticate } from '../middleware/auth.js';

export interface AuditHttpDeps {
  views: AuditViews;
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
    return c.json(await deps.views.page(q.data));
  });

  app.get('/audit/verify', requireRole('viewer'), async (c) => c.json(await deps.views.verify()));

  app.get('/predictions/:requestId', requireRole('viewer'), async (c) => {
    const requestId = c.req.param('requestId');
    if (requestId.length > 200) throw badRequest('request id too long');
    return c.json(await deps.views.prediction(requestId));
  });
  return app;
}

/** The query the audit page validates (the OpenAPI document describes it from here). */
export { PageQuery as AuditPageQuery };
