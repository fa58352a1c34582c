import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../app-env.js';
import type { HttpDeps } from '../deps.js';
import { adminAuth } from '../middleware/admin-auth.js';
import { readOptionalJson } from '../read-json.js';
import { checkNames } from './names.js';

const RollbackBody = z.object({ reason: z.string().max(1000).optional() }).optional();

/** Ops on routing: instant rollback (and its release) and the routing view of a model. */
export function routingAdminRoutes(deps: HttpDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const { routing } = deps;
  app.use('*', adminAuth(deps.settings.adminToken));
  const model = (name: string) => {
    checkNames(name);
    return name;
  };

  app.get('/models/:model/routing', (c) => c.json(routing.view(model(c.req.param('model')))));

  app.post('/models/:model/rollback', async (c) => {
    const m = model(c.req.param('model'));
    const body = await readOptionalJson(c, RollbackBody);
    return c.json(await routing.rollback(m, 'admin', body?.reason));
  });

  app.delete('/models/:model/rollback', async (c) => c.json(await routing.clearRollback(model(c.req.param('model')), 'admin')));
  return app;
}
