import { Hono } from 'hono';
import { z } from 'zod';
import { modelNotFound } from '../../errors/index.js';
import { routingView } from '../../routing/routing-view.js';
import type { AppEnv } from '../app-env.js';
import type { HttpDeps } from '../deps.js';
import { adminRoles } from '../middleware/admin-auth.js';
import { readOptionalJson } from '../read-json.js';
import { checkNames } from './oip.js';

const RollbackBody = z.object({ reason: z.string().max(1000).optional() }).optional();

/** Ops on routing (role tokens: view = viewer, rollback = deployer): instant rollback (and its release) and the routing view of a model. */
export function routingAdminRoutes(deps: HttpDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const requireRole = adminRoles(deps.authenticate, deps.config.adminToken);
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

  app.get('/models/:model/routing', requireRole('viewer'), (c) => c.json(view(known(c.req.param('model')))));

  app.post('/models/:model/rollback', requireRole('deployer'), async (c) => {
    const actor = c.get('principal').name;
    const model = known(c.req.param('model'));
    const body = await readOptionalJson(c, RollbackBody);
    const before = deps.overrides.get(model) ?? null;
    const after = deps.overrides.set(model, actor, body?.reason ?? '');
    deps.audit().append({ actor, action: 'rollback', target: model, before, after, reason: body?.reason });
    deps.logger.warn({ model, actor, stable: deps.router.stable(model).version }, 'rollback: all traffic to the stable version');
    return c.json(view(model));
  });

  app.delete('/models/:model/rollback', requireRole('deployer'), (c) => {
    const actor = c.get('principal').name;
    const model = known(c.req.param('model'));
    const before = deps.overrides.clear(model) ?? null;
    deps.audit().append({ actor, action: 'rollback.clear', target: model, before, after: null });
    deps.logger.info({ model, actor }, 'rollback cleared: flags route again');
    return c.json(view(model));
  });
  return app;
}
