import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { conflict, isStoreUnavailable } from '../errors/index.js';
import { BOOTSTRAP_ADMIN, Role, type Principal } from '../contracts/roles.js';
import type { AuditSink } from '../contracts/audit.js';
import type { SqlEngine } from './sql-engine.js';

export const PRINCIPAL_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.@-]{0,63}$/;

export interface TokenInfo {
  principal: string;
  role: Role;
  createdBy: string;
  createdAt: string;
  revokedAt: string | null;
}

/** Token rows read within this are used as they are: a revocation made on another replica holds within it. */
const FRESH_MS = 30_000;
/** An unknown token re-reads the table if the copy is older than this: a token made elsewhere works within it. */
const MISS_REREAD_MS = 1_000;
/** While the store is unreachable, rows read within this still authenticate (read-only views keep working). */
const STALE_MS = 5 * 60_000;

type TokenRow = { principal: string; role: Role; digest: Buffer };

const digest = (token: string): Buffer => createHash('sha256').update(token, 'utf8').digest();

/**
 * Bearer tokens with roles. Only sha256 digests are stored (tokens are 192-bit random, so a
 * fast hash is enough); a presented token is compared against every digest in constant time.
 */
export class TokenStore {
  private readonly bootstrap: Buffer | undefined;
  /** The active tokens as last read, and when: a check is a few digest compares, not a query per request. */
  private cached: { rows: TokenRow[]; at: number } | undefined;

  constructor(
    private readonly db: SqlEngine,
    bootstrapAdminToken?: string,
    private readonly now: () => Date = () => new Date(),
    private readonly clock: () => number = Date.now,
  ) {
    this.bootstrap = bootstrapAdminToken ? digest(bootstrapAdminToken) : undefined;
  }

  /**
   * A new token for a principal; the token itself is returned once and never stored. With `audit`,
   * the row and its audit entry are one transaction: a token that cannot be audited is not made.
   */
  async create(principal: string, role: Role, createdBy: string, audit?: AuditSink): Promise<{ token: string; principal: string; role: Role }> {
    if (!PRINCIPAL_RE.test(principal)) throw conflict(`invalid principal name '${principal.slice(0, 64)}'`);
    if (principal === BOOTSTRAP_ADMIN) throw conflict(`'${BOOTSTRAP_ADMIN}' is reserved`);
    const token = `mgt_${randomBytes(24).toString('base64url')}`;
    await this.db.transaction(async () => {
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
      await audit?.append({ actor: createdBy, action: 'token.create', target: `principal:${principal}`, after: { role } });
    });
    this.cached = undefined;
    return { token, principal, role };
  }

  /** Revoke a principal's token (with `audit`: in one transaction with its audit entry). */
  async revoke(principal: string, actor?: string, audit?: AuditSink): Promise<boolean> {
    const n = await this.db.transaction(async () => {
      const changed = await this.db.run('UPDATE tokens SET revoked_at = ? WHERE principal = ? AND revoked_at IS NULL', [this.now().toISOString(), principal]);
      if (changed > 0 && audit) await audit.append({ actor: actor ?? BOOTSTRAP_ADMIN, action: 'token.revoke', target: `principal:${principal}` });
      return changed;
    });
    this.cached = undefined;
    return n > 0;
  }

  list(): Promise<TokenInfo[]> {
    return this.db.all<TokenInfo>(
      'SELECT principal, role, created_by AS "createdBy", created_at AS "createdAt", revoked_at AS "revokedAt" FROM tokens ORDER BY id',
    );
  }

  /**
   * The principal a token belongs to, or undefined. Every active digest is compared (no early exit
   * but for the bootstrap token, which needs no store). The rows are cached: a known token is
   * trusted for 30 s (a revocation elsewhere holds within it), an unknown one re-reads them if
   * they are over 1 s old; while the store is unreachable they are used up to 5 minutes old, and
   * with none cached then, 503.
   */
  async authenticate(token: string): Promise<Principal | undefined> {
    const presented = digest(token);
    if (this.bootstrap && timingSafeEqual(presented, this.bootstrap)) return { name: BOOTSTRAP_ADMIN, role: 'admin' };
    const found = this.match(presented, await this.activeRows(FRESH_MS));
    // Not among the cached rows: it may have been made through another replica or worker since.
    // Re-read then, at most once a second (a spray of wrong tokens is one query a second, not one each).
    return found ?? this.match(presented, await this.activeRows(MISS_REREAD_MS));
  }

  private match(presented: Buffer, rows: TokenRow[]): Principal | undefined {
    let found: Principal | undefined;
    for (const row of rows) {
      if (timingSafeEqual(presented, row.digest) && !found) found = { name: row.principal, role: row.role };
    }
    return found;
  }

  /** The active rows, re-read when the cached ones are older than `maxAgeMs`. */
  private async activeRows(maxAgeMs: number): Promise<TokenRow[]> {
    const now = this.clock();
    const cached = this.cached;
    if (cached && now - cached.at < maxAgeMs) return cached.rows;
    try {
      const rows = await this.db.all<{ principal: string; role: Role; token_sha256: string }>(
        'SELECT principal, role, token_sha256 FROM tokens WHERE revoked_at IS NULL',
      );
      const fresh = rows.map((r) => ({ principal: r.principal, role: r.role, digest: Buffer.from(r.token_sha256, 'hex') }));
      this.cached = { rows: fresh, at: now };
      return fresh;
    } catch (err) {
      if (cached && now - cached.at < STALE_MS && isStoreUnavailable(err)) return cached.rows;
      throw err;
    }
  }
}
