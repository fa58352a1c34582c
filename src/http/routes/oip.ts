import { Hono } from 'hono';
import { modelNotFound } from '../../errors/index.js';
import type { AppEnv } from '../app-env.js';
import type { HttpDeps } from '../deps.js';
import { checkNames } from './names.js';

const SERVER_VERSION = '0.1.0';

/** Open Inference Protocol V2 (KServe/Triton REST): health, metadata, readiness (infer: routes/predict.ts). */
export function oipRoutes(deps: HttpDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const { catalog } = deps;

  app.get('/', (c) => c.json({ name: 'modelgate', version: SERVER_VERSION, extensions: ['model_repository'] }));
  app.get('/health/live', (c) => c.json({ live: true }));
  app.get('/health/ready', (c) => {
    const ready = catalog.ready();
    // Degraded parts (a full trace disk) still serve: they are details, not unreadiness.
    const degraded = catalog.degraded();
    return c.json(Object.keys(degraded).length > 0 ? { ready, degraded } : { ready }, ready ? 200 : 503);
  });

  app.get('/models/:model', (c) => {
    const model = c.req.param('model');
    checkNames(model);
    return c.json(catalog.metadata(model));
  });
  app.get('/models/:model/versions/:version', (c) => {
    const { model, version } = c.req.param();
    checkNames(model, version);
    return c.json(catalog.metadata(model, version));
  });

  app.get('/models/:model/ready', (c) => {
    const model = c.req.param('model');
    checkNames(model);
    const r = catalog.modelReady(model);
    if (!r.ready) throw modelNotFound(model);
    return c.json(r);
  });
  app.get('/models/:model/versions/:version/ready', (c) => {
    const { model, version } = c.req.param();
    checkNames(model, version);
    const r = catalog.modelReady(model, version);
    return c.json(r, r.ready ? 200 : 503);
  });
  return app;
}
