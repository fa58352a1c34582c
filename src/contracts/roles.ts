import { z } from 'zod';
import { forbidden } from '../errors/index.js';

/** The roles of the ops API and who holds them: shared by the registry's tokens, the control plane and the protocols' guards. */
export const ROLES = ['viewer', 'deployer', 'approver', 'admin'] as const;
export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;

/** Who is calling: a token's principal name and its role. */
export interface Principal {
  name: string;
  role: Role;
}

/** The principal of MODELGATE_ADMIN_TOKEN, the bootstrap admin. */
export const BOOTSTRAP_ADMIN = 'bootstrap-admin';

/** Roles are a ladder: each holds the rights of those below it. */
const RANK: Readonly<Record<Role, number>> = { viewer: 0, deployer: 1, approver: 2, admin: 3 };

/**
 * Throws 403 unless the principal's role is `min` or above. Separation of duties for production
 * is not a role but a rule (four eyes, in lifecycle.ts): an approver may register, but not then
 * approve that same version.
 */
export function authorize(principal: Principal, min: Role, what: string): void {
  if (RANK[principal.role] >= RANK[min]) return;
  throw forbidden(`${what} needs the ${min} role or higher; ${principal.name} is ${principal.role}`);
}
