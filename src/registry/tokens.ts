import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { conflict, forbidden } from '../errors/index.js';
import type { SqlEngine } from './sql-engine.js';

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

export const PRINCIPAL_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.@-]{0,63}$/;

export interface TokenInfo {
  principal: string;
  role: Role;
  createdBy: string;
  createdAt: string;
  revokedAt: string | null;
}

const digest = (token: string): Buffer => createHash('sha256').update(token, 'utf8').digest();

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

/**
 * Bearer tokens with roles. Only sha256 digests are stored (tokens are 192-bit random, so a
 * fast hash is enough); a presented token is compared against every digest in constant time.
 */
export class TokenStore {
  private readonly bootstrap: Buffer | undefined;

  constructor(
    private readonly db: SqlEngine,
    bootstrapAdminToken?: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.bootstrap = bootstrapAdminToken ? digest(bootstrapAdminToken) : undefined;
  }

  /** A new token for a principal; the token itself is returned once and never stored. */
  async create(principal: string, role: Role, createdBy: string): Promise<{ token: string; principal: string; role: Role }> {
    if (!PRINCIPAL_RE.test(principal)) throw conflict(`invalid principal name '${principal.slice(0, 64)}'`);
    if (principal === BOOTSTRAP_ADMIN) throw conflict(`'${BOOTSTRAP_ADMIN}' is reserved`);
    const token = `mgt_${randomBytes(24).toString('base64url')}`;
    try {
      await this.db.run('INSERT INTO tokens (principal, role, token_sha256, created_by, created_at) VALUES (?, ?, ?, ?, ?)', [
        principal, role, digest(token).toString('hex'), createdBy, this.now().toISOString(),
      ]);
    } catch (err) {
      // SQLite and PostgreSQL (23505) spell a unique violation differently.
      const code = (err as { code?: string }).code;
      if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === '23505') throw conflict(`principal '${principal}' already has a token`);
      throw err;
    }
    return { token, principal, role };
  }

  async revoke(principal: string): Promise<boolean> {
    return (await this.db.run('UPDATE tokens SET revoked_at = ? WHERE principal = ? AND revoked_at IS NULL', [this.now().toISOString(), principal])) > 0;
  }

  list(): Promise<TokenInfo[]> {
    return this.db.all<TokenInfo>(
      'SELECT principal, role, created_by AS "createdBy", created_at AS "createdAt", revoked_at AS "revokedAt" FROM tokens ORDER BY id',
    );
  }

  /** The principal a token belongs to, or undefined. Every stored digest is compared (no early exit). */
  async authenticate(token: string): Promise<Principal | undefined> {
    const presented = digest(token);
    let found: Principal | undefined;
    if (this.bootstrap && timingSafeEqual(presented, this.bootstrap)) found = { name: BOOTSTRAP_ADMIN, role: 'admin' };
    const rows = await this.db.all<{ principal: string; role: Role; token_sha256: string }>(
      'SELECT principal, role, token_sha256 FROM tokens WHERE revoked_at IS NULL',
    );
    for (const row of rows) {
      if (timingSafeEqual(presented, Buffer.from(row.token_sha256, 'hex')) && !found) found = { name: row.principal, role: row.role };
    }
    return found;
  }
}
