import { Hono } from 'hono';
import type { AnalysisService } from '../../analysis/analysis-service.js';
import type { DriftMonitor } from '../../drift/drift-monitor.js';
import { modelNotFound, versionNotFound } from '../../errors/index.js';
import type { LiveQuality } from '../../quality/live-quality.js';
import type { ModelRepository } from '../../repository/model-repository.js';
import type { AppEnv } from '../app-env.js';
import { adminRoles } from '../middleware/admin-auth.js';
import type { Authenticate } from '../middleware/auth.js';
import { checkNames } from './names.js';

export interface MonitoringHttpDeps {
  drift: DriftMonitor;
  quality: LiveQuality;
  analysis: AnalysisService;
  repository: ModelRepository;
  adminToken: string | undefined;
  /** The registry's tokens (the one token model); default: the admin token alone. */
  authenticate?: Authenticate;
}

/** Drift, live quality and the canary analysis of served versions, under /admin (role tokens: read = viewer, start = deployer). */
export function monitoringRoutes(deps: MonitoringHttpDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const requireRole = adminRoles(deps.authenticate, deps.adminToken);
  const guard = requireRole('viewer');
  const loaded = (model: string, version: string) => {
    checkNames(model, version);
    const lv = deps.repository.get(model, version);
    if (!lv) throw versionNotFound(model, version);
    return lv;
  };
  app.get('/models/:model/versions/:version/drift', guard, (c) => {
    const lv = loaded(c.req.param('model'), c.req.param('version'));
    return c.json(deps.drift.report(lv.name, lv.version, lv.manifest.features.some((f) => lv.manifest.referenceStats[f.name])));
  });
  app.get('/models/:model/versions/:version/quality', guard, (c) => {
    const lv = loaded(c.req.param('model'), c.req.param('version'));
    return c.json(deps.quality.view(lv.name, lv.version, lv.manifest.task));
  });
  app.get('/models/:model/analysis', guard, (c) => {
    const model = c.req.param('model');
    checkNames(model);
    // A model that is not loaded is named as such; a loaded one without an analysis gets the analysis's own 404.
    if (!deps.repository.has(model)) throw modelNotFound(model);
    return c.json(deps.analysis.view(model));
  });
  app.post('/models/:model/analysis/start', requireRole('deployer'), async (c) => {
    const model = c.req.param('model');
    checkNames(model);
    await deps.analysis.start(model);
    return c.json(deps.analysis.view(model));
  });
  return app;
}
