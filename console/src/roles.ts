import type { Principal, Role } from './types.js';

const RANK: Readonly<Record<Role, number>> = { viewer: 0, deployer: 1, approver: 2, admin: 3 };

/**
 * The least role the console offers each action to, mirroring the registry's rules
 * (docs/governance.md); the gateway still decides, and its refusal is shown as it comes.
 */
export const NEEDS = {
  rollback: 'deployer',
  load: 'deployer',
  requestPromotion: 'deployer',
  approveProduction: 'approver',
} as const satisfies Record<string, Role>;

export const can = (me: Principal, action: keyof typeof NEEDS): boolean => RANK[me.role] >= RANK[NEEDS[action]];
