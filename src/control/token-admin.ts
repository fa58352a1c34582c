import type { AuditSink } from '../contracts/audit.js';
import { authorize, type Principal, type Role } from '../contracts/roles.js';
import type { TokenInfo, TokenStore } from '../registry/tokens.js';

/**
 * Role tokens as every caller manages them (admin routes, CLI): admin only. A token is stored with
 * its audit row in one transaction, with the caller's principal, before it can be used.
 */
export class TokenAdmin {
  constructor(
    private readonly tokens: TokenStore,
    private readonly audit: AuditSink,
  ) {}

  /** Token -> principal, undefined when unknown or revoked. */
  authenticate(token: string): Promise<Principal | undefined> {
    return this.tokens.authenticate(token);
  }

  async list(actor: Principal): Promise<TokenInfo[]> {
    authorize(actor, 'admin', 'managing tokens');
    return this.tokens.list();
  }

  /** A new token for `principal`: shown in the answer once, never stored. */
  async create(actor: Principal, principal: string, role: Role): Promise<{ token: string; principal: string; role: Role }> {
    authorize(actor, 'admin', 'managing tokens');
    return this.tokens.create(principal, role, actor.name, this.audit);
  }

  /** False when the principal has no active token. */
  async revoke(actor: Principal, principal: string): Promise<boolean> {
    authorize(actor, 'admin', 'managing tokens');
    return this.tokens.revoke(principal, actor.name, this.audit);
  }
}
