import { Hono } from 'hono';
import { z } from 'zod';
import type { AuditViews } from '../../control/audit-views.js';
import { badRequest } from '../../errors/index.js';
import type { AppEnv } from '../app-env.js';
import { roleGuard, type Authenticate } from '../middleware/auth.js';
import { checkNames } from './names.js';

export interface TraceInputsDeps {
  views: AuditViews;
  authenticate: Authenticate;
}

export const TraceInputsQuery = z.object({
  model: z.string().min(1).max(200),
  limit: z.coerce.number().int().min(1).max(10_000).default(100),
});

/**
 * GET /admin/predictions?model=M&limit=N: the newest N traced predictions of a model that carry
 * their inputs (trace.captureInputs), newest first, for `modelgate perf --replay-trace N`. Viewer
 * role, as the lookup by request id. Bounded: the newest 64 MiB of records are searched and at most
 * 16 MiB of them returned (fewer than N then).
 */
export function traceInputsRoutes(deps: TraceInputsDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const requireRole = roleGuard(deps.authenticate);

  app.get('/predictions', requireRole('viewer'), async (c) => {
    const q = TraceInputsQuery.safeParse(c.req.query());
    if (!q.success) throw badRequest(`invalid query: ${q.error.issues[0]?.path.join('.')}: ${q.error.issues[0]?.message}`);
    checkNames(q.data.model);
    const predictions = await deps.views.captured(q.data.model, q.data.limit);
    return c.json({ model: q.data.model, predictions });
  });
  return app;
}
