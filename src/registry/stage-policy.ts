import { z } from 'zod';
import { badRequest, conflict, forbidden } from '../errors/index.js';
import { NAME_RE } from '../contracts/names.js';
import type { VersionRecord } from './registry-store.js';
import type { Stage } from '../contracts/stages.js';
import { authorize, type Principal, type Role } from '../contracts/roles.js';

/** Stage moves a caller may make; a production version leaves production when another replaces it. */
export const TRANSITIONS: Readonly<Record<Stage, readonly Stage[]>> = {
  none: ['staging', 'archived'],
  staging: ['production', 'none', 'archived'],
  production: ['archived'],
  archived: ['staging'],
};

/** Alias names the registry itself answers (stages, and the router's built-ins). */
export const RESERVED_ALIASES = new Set(['production', 'staging', 'stable', 'latest']);

const Reason = z.string().trim().min(1).max(1000);

/** Into or out of production takes an approver; every other move a deployer. */
export const roleFor = (from: Stage, to: Stage): Role => (to === 'production' || from === 'production' ? 'approver' : 'deployer');

/**
 * The checks before a stage move, cheapest first: role (403), override only by an admin with a
 * reason (403/400), an allowed transition (409). Returns the trimmed reason.
 */
export function checkMove(actor: Principal, record: VersionRecord, to: Stage, opts: { reason?: string; override?: boolean }): string | undefined {
  const from = record.stage;
  const label = `${record.model}@${record.version}`;
  const role = roleFor(from, to);
  authorize(actor, role, `moving a version ${role === 'approver' ? 'into or out of production' : `to ${to}`}`);
  const reason = opts.reason === undefined || opts.reason.trim() === '' ? undefined : Reason.parse(opts.reason);
  if (opts.override) {
    if (actor.role !== 'admin') throw forbidden('only an admin may override four eyes or the validation gate');
    if (!reason) throw badRequest('an override needs a reason');
  }
  if (from === to) throw conflict(`${label} is already in ${to}`, { rule: 'same_stage' });
  if (!TRANSITIONS[from].includes(to)) {
    throw conflict(`${label} cannot move from ${from} to ${to} (allowed: ${TRANSITIONS[from].join(', ') || 'none'})`, {
      rule: 'invalid_transition',
    });
  }
  return reason;
}

/**
 * Four eyes: whoever registered a version cannot also approve it for production. Throws 403,
 * unless an admin overrides (then true: the override is recorded).
 */
export function fourEyesOverridden(actor: Principal, record: VersionRecord, override: boolean | undefined): boolean {
  if (actor.name !== record.registeredBy) return false;
  if (!override) {
    throw forbidden(`four eyes: ${actor.name} registered ${record.model}@${record.version} and cannot also approve it for production`);
  }
  return true;
}

export function checkAlias(alias: string): void {
  if (!NAME_RE.test(alias)) throw badRequest('an alias is 1-64 of [a-zA-Z0-9_-]');
  if (RESERVED_ALIASES.has(alias)) throw badRequest(`'${alias}' is reserved: it always names the ${alias} version`);
}
