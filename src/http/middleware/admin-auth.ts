import { createHash, timingSafeEqual } from 'node:crypto';
import { createMiddleware } from 'hono/factory';
import { forbidden } from '../../errors/index.js';
import { BOOTSTRAP_ADMIN, type Principal, type Role } from '../../contracts/roles.js';
import type { AppEnv } from '../app-env.js';
import { roleGuard, type Authenticate, type AuthEnv } from './auth.js';

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Without a registry: MODELGATE_ADMIN_TOKEN is the only token, its principal the bootstrap admin. */
export function bootstrapAuthenticate(token: string): Authenticate {
  const want = digest(token);
  const admin: Principal = { name: BOOTSTRAP_ADMIN, role: 'admin' };
  return async (presented) => (timingSafeEqual(digest(presented), want) ? admin : undefined);
}

/**
 * The one token model for every ops route (repository, rollback, routing, registry): the
 * registry's role tokens when it is on (the bootstrap token among them), else the bootstrap token
 * alone; each route names its minimum role. Neither configured: every ops route answers 403.
 */
export function adminRoles(authenticate: Authenticate | undefined, adminToken: string | undefined) {
  const auth = authenticate ?? (adminToken ? bootstrapAuthenticate(adminToken) : undefined);
  if (!auth) {
    return (_min: Role) =>
      createMiddleware<AppEnv & AuthEnv>(async function adminDisabled() {
        throw forbidden('admin endpoints are disabled: set MODELGATE_ADMIN_TOKEN to enable them');
      });
  }
  return roleGuard(auth);
}
