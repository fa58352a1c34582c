import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../app-env.js';
import type { HttpDeps } from '../deps.js';
import { adminRoles } from '../middleware/admin-auth.js';
import { readOptionalJson } from '../read-json.js';
import { checkNames } from './names.js';

export const RollbackBody = z.object({ reason: z.string().max(1000).optional() }).optional();

/** Ops on routing (role tokens: view = viewer, rollback = deployer): instant rollback (and its release) and the routing view of a model. */
export function routingAdminRoutes(deps: HttpDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const { routing } = deps;
  const requireRole = adminRoles(deps.authenticate, deps.settings.adminToken);
  const model = (name: string) => {
    checkNames(name);
    return name;
  };

  app.get('/models/:model/routing', requireRole('viewer'), (c) => c.json(routing.view(model(c.req.param('model')))));

  app.post('/models/:model/rollback', requireRole('deployer'), async (c) => {
    const m = model(c.req.param('model'));
    const body = await readOptionalJson(c, RollbackBody);
    return c.json(await routing.rollback(m, c.get('principal').name, body?.reason));
  });

  app.delete('/models/:model/rollback', requireRole('deployer'), async (c) =>
    c.json(await routing.clearRollback(model(c.req.param('model')), c.get('principal').name)),
  );
  return app;
}
