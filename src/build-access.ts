import type { AccessControl } from './contracts/access.js';
import { forbidden, unauthorized } from './errors/index.js';
import { bootstrapAuthenticate } from './http/middleware/admin-auth.js';
import type { Authenticate } from './http/middleware/auth.js';
import { authorize } from './contracts/roles.js';

/**
 * The ops token check for protocols other than HTTP (gRPC's repository RPCs), with the same
 * authenticator and rules as the HTTP ops routes (http/middleware/admin-auth.ts): the registry's
 * role tokens when it is on, else MODELGATE_ADMIN_TOKEN alone; neither: every ops call is refused.
 */
export function accessControl(authenticate: Authenticate | undefined, adminToken: string | undefined): AccessControl {
  const auth = authenticate ?? (adminToken ? bootstrapAuthenticate(adminToken) : undefined);
  return {
    async authorize(token, min, what) {
      if (!auth) throw forbidden('admin endpoints are disabled: set MODELGATE_ADMIN_TOKEN to enable them');
      if (!token) throw unauthorized();
      const principal = await auth(token);
      if (!principal) throw unauthorized('the bearer token is not valid');
      authorize(principal, min, what);
      return principal.name;
    },
  };
}
