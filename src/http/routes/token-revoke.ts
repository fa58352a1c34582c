import { Hono } from 'hono';
import { notFound } from '../../errors/index.js';
import type { Principal } from '../../contracts/roles.js';
import type { AppEnv } from '../app-env.js';
import type { Authenticate } from '../middleware/auth.js';
import { adminRoles } from '../middleware/admin-auth.js';

/** Revoke a principal's active token with its audit row, as `actor`; false when it has none. */
export type RevokeToken = (principal: string, actor: Principal) => Promise<boolean>;

/** DELETE /admin/tokens/{principal} (admin): the token list's revoke (`modelgate token revoke --url`). */
export function tokenRevokeRoutes(revoke: RevokeToken, authenticate: Authenticate | undefined, adminToken: string | undefined): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.delete('/tokens/:principal', adminRoles(authenticate, adminToken)('admin'), async (c) => {
    const principal = c.req.param('principal');
    if (!(await revoke(principal, c.get('principal')))) throw notFound(`no active token for '${principal.slice(0, 64)}'`);
    return c.json({ principal, revoked: true });
  });
  return app;
}
