import type { AuditRecord, VerifyResult } from '../../audit/audit-log.js';
import { seg, type GatewayClient } from './gateway-client.js';
import { emit, table } from './table.js';

interface TokenRow {
  principal: string;
  role: string;
  createdAt: string;
  createdBy: string;
  revokedAt: string | null;
}

export type TokenOp = { op: 'create'; principal: string; role: string } | { op: 'list' } | { op: 'revoke'; principal: string };

/** `modelgate token ... --url`: tokens through the gateway (admin role), audited as the caller. */
export async function tokenRemote(client: GatewayClient, t: TokenOp, json: boolean): Promise<void> {
  if (t.op === 'create') {
    const { body } = await client.post<{ token: string; principal: string; role: string }>('/admin/tokens', { json: { principal: t.principal, role: t.role } });
    if (json) emit(true, body, () => '');
    else {
      process.stdout.write(`${body.token}\n`);
      process.stderr.write(`token for ${body.principal} (${body.role}); it is shown only now\n`);
    }
  } else if (t.op === 'list') {
    const { body } = await client.get<{ tokens: TokenRow[] }>('/admin/tokens');
    emit(json, body, () =>
      table(
        ['principal', 'role', 'created', 'by', 'revoked'],
        body.tokens.map((r) => [r.principal, r.role, r.createdAt, r.createdBy, r.revokedAt]),
      ),
    );
  } else {
    const { body } = await client.delete<{ principal: string; revoked: boolean }>(`/admin/tokens/${seg(t.principal)}`);
    emit(json, body, () => `revoked ${body.principal}\n`);
  }
}

/** `modelgate audit verify|list --url`: the gateway walks its chain / pages its log. */
export async function auditRemote(client: GatewayClient, sub: 'verify' | 'list', page: { after?: string; limit?: string }, json: boolean): Promise<void> {
  if (sub === 'verify') {
    const { body: r } = await client.get<VerifyResult>('/admin/audit/verify');
    emit(json, r, () =>
      r.ok ? `audit log OK: ${r.rows} rows, chain head ${r.head}\n` : `audit log BROKEN at row ${r.brokenAt}: ${r.reason} (${r.rows} rows read)\n`,
    );
    if (!r.ok) process.exitCode = 1;
    return;
  }
  const q = new URLSearchParams();
  if (page.after !== undefined) q.set('after', page.after);
  if (page.limit !== undefined) q.set('limit', page.limit);
  const { body } = await client.get<{ records: AuditRecord[]; next: number | null }>(`/admin/audit${q.size ? `?${q}` : ''}`);
  emit(json, body, () =>
    table(
      ['seq', 'at', 'actor', 'action', 'target', 'reason'],
      body.records.map((r) => [r.seq, r.at, r.actor, r.action, r.target, r.reason]),
    ) + (body.next !== null ? `more: --after ${body.next}\n` : ''),
  );
}
