import { createMiddleware } from 'hono/factory';
import { tooManyRequests, unauthorized } from '../../errors/index.js';
import { authorize, type Principal, type Role } from '../../contracts/roles.js';
import type { AppEnv } from '../app-env.js';

/** What requireRole adds to the context: the authenticated caller. */
export interface AuthEnv {
  Variables: AppEnv['Variables'] & { principal: Principal };
}

/** Token -> principal (hashed tokens compared in constant time), undefined when unknown or revoked. */
export type Authenticate = (token: string) => Promise<Principal | undefined>;

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/**
 * Role-based bearer auth: `const requireRole = roleGuard(authenticate)`, then
 * `app.post('/x', requireRole('deployer'), handler)`. No or unknown token: 401; a valid token
 * below the role (viewer < deployer < approver < admin): 403. Past the throttle's threshold of
 * invalid tokens from one address: 429 + Retry-After (valid tokens still pass). Guards are per route, so a sub-app
 * mounted at /admin never guards routes that are not its own.
 */
export function roleGuard(authenticate: Authenticate) {
  return (min: Role) =>
    createMiddleware<AuthEnv>(async function requireRole(c, next) {
      const m = BEARER.exec(c.req.header('authorization') ?? '');
      if (!m?.[1]) throw unauthorized();
      // The token is checked whatever the throttle says: a valid one is never refused, and the
      // work (and so the timing) is the same for a throttled address as for any other.
      const principal = await authenticate(m[1]);
      if (!principal) {
        const attempts = c.get('authAttempts');
        const wait = attempts?.retryAfter() ?? 0;
        if (wait > 0) throw tooManyRequests(`too many invalid bearer tokens from this address; retry in ${wait} s`, wait);
        attempts?.failed();
        throw unauthorized('the bearer token is not valid');
      }
      authorize(principal, min, `${c.req.method} ${c.req.routePath}`);
      c.set('principal', principal);
      await next();
    });
}
