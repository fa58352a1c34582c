import { Hono } from 'hono';
import type { MonitoringViews } from '../../control/monitoring-views.js';
import type { AppEnv } from '../app-env.js';
import { adminRoles } from '../middleware/admin-auth.js';
import type { Authenticate } from '../middleware/auth.js';

/** Drift, live quality and the canary analysis of served versions, under /admin (role tokens: read = viewer, start = deployer). */
export function monitoringRoutes(views: MonitoringViews, authenticate: Authenticate | undefined, adminToken: string | undefined): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const requireRole = adminRoles(authenticate, adminToken);
  const guard = requireRole('viewer');
  app.get('/models/:model/versions/:version/drift', guard, (c) => c.json(views.drift(c.req.param('model'), c.req.param('version'))));
  app.get('/models/:model/versions/:version/quality', guard, (c) => c.json(views.quality(c.req.param('model'), c.req.param('version'))));
  app.get('/models/:model/analysis', guard, (c) => c.json(views.analysis(c.req.param('model'))));
  app.post('/models/:model/analysis/start', requireRole('deployer'), async (c) => c.json(await views.startAnalysis(c.req.param('model'))));
  return app;
}
