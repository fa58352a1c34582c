import { Hono } from 'hono';
import type { ReplicasSeen } from '../../control/replicas-seen.js';
import type { AppEnv } from '../app-env.js';
import type { Authenticate } from '../middleware/auth.js';
import { adminRoles } from '../middleware/admin-auth.js';

/** GET /admin/replicas (viewer): the gateway processes the shared registry sees (`modelgate status`). */
export function replicasRoutes(seen: () => Promise<ReplicasSeen>, authenticate: Authenticate | undefined, adminToken: string | undefined): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/replicas', adminRoles(authenticate, adminToken)('viewer'), async (c) => c.json(await seen()));
  return app;
}
