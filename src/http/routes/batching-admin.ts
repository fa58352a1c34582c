import { Hono } from 'hono';
import { z } from 'zod';
import type { BatchingControl } from '../../control/batching-control.js';
import type { AppEnv } from '../app-env.js';
import type { HttpDeps } from '../deps.js';
import { adminRoles } from '../middleware/admin-auth.js';
import { readJson } from '../read-json.js';
import { checkNames } from './names.js';

/** Fields left out keep their current value; the bounds keep a typo from stalling a model (1 s of delay at most). */
export const BatchingBody = z
  .object({
    enabled: z.boolean().optional(),
    maxBatchSize: z.number().int().min(1).max(65_536).optional(),
    maxQueueDelayMicros: z.number().int().min(0).max(1_000_000).optional(),
  })
  .strict();

/**
 * Dynamic batching at run time (viewer: GET; deployer: PUT), for `modelgate perf --sweep-batching`
 * against a running gateway: GET /admin/models/{m}/batching shows the setting and each version's
 * batchability, PUT changes it (audited with the caller first; queued requests are kept).
 */
export function batchingAdminRoutes(deps: HttpDeps, batching: BatchingControl): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const requireRole = adminRoles(deps.authenticate, deps.settings.adminToken);
  const model = (name: string) => {
    checkNames(name);
    return name;
  };

  app.get('/models/:model/batching', requireRole('viewer'), (c) => c.json(batching.view(model(c.req.param('model')))));

  app.put('/models/:model/batching', requireRole('deployer'), async (c) => {
    const m = model(c.req.param('model'));
    const body = await readJson(c, BatchingBody);
    return c.json(await batching.set(m, body, c.get('principal').name));
  });
  return app;
}
