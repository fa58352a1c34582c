import { Hono } from 'hono';
import { z } from 'zod';
import { modelNotFound } from '../../errors/index.js';
import { routingView } from '../../routing/routing-view.js';
import type { AppEnv } from '../app-env.js';
import type { HttpDeps } from '../deps.js';
import { adminAuth } from '../middleware/admin-auth.js';
import { readOptionalJson } from '../read-json.js';
import { checkNames } from './oip.js';

const RollbackBody = z.object({ reason: z.string().max(1000).optional() }).optional();

/** Ops on routing: instant rollback (and its release) and the routing view of a model. */
export function routingAdminRoutes(deps: HttpDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use('*', adminAuth(deps.config.adminToken));
  const known = (model: string) => {
    checkNames(model);
    if (!deps.repository.has(model)) throw modelNotFound(model);
    return model;
  };
  const view = (model: string) =>
    routingView({
      model,
      flagName: deps.config.models[model]?.flag ?? model,
      router: deps.router,
      flags: deps.flags(),
      override: deps.overrides.get(model),
      shadow: deps.config.models[model]?.shadow,
    });

  app.get('/models/:model/routing', (c) => c.json(view(known(c.req.param('model')))));

  app.post('/models/:model/rollback', async (c) => {
    const model = known(c.req.param('model'));
    const body = await readOptionalJson(c, RollbackBody);
    const before = deps.overrides.get(model) ?? null;
    const after = deps.overrides.set(model, 'admin', body?.reason ?? '');
    deps.audit().append({ actor: 'admin', action: 'rollback', target: model, before, after, reason: body?.reason });
    deps.logger.warn({ model, stable: deps.router.stable(model).version }, 'rollback: all traffic to the stable version');
    return c.json(view(model));
  });

  app.delete('/models/:model/rollback', (c) => {
    const model = known(c.req.param('model'));
    const before = deps.overrides.clear(model) ?? null;
    deps.audit().append({ actor: 'admin', action: 'rollback.clear', target: model, before, after: null });
    deps.logger.info({ model }, 'rollback cleared: flags route again');
    return c.json(view(model));
  });
  return app;
}
