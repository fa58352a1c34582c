import { UsageError } from './usage-error.js';
import { Role } from '../contracts/roles.js';
import { GatewayClient, remoteTarget } from './remote/gateway-client.js';
import type { TokenOp } from './remote/admin-remote.js';
import { parseArgs } from './parse-args.js';

const USAGE = `usage: modelgate token create <principal> --role <${Role.options.join('|')}> | token list | token revoke <principal>   [--json] [--url <gateway>] [--token <admin token>]`;

/** `modelgate token ...`: admin-only management of role tokens (stored as sha256; shown once). */
export async function tokenCommand(args: string[]): Promise<void> {
  const parsed = parseArgs(args, ['url', 'token', 'role'], ['json']);
  const op = tokenOp(parsed.positional, parsed.options.get('role'));
  const target = remoteTarget(parsed);
  if (target) return (await import('./remote/admin-remote.js')).tokenRemote(new GatewayClient(target), op, parsed.flags.has('json'));
  // Bootstrap mode (the local registry database): the same TokenAdmin the admin routes call.
  const [{ cliPrincipal, withRegistry }, { TokenAdmin }] = await Promise.all([import('./registry-cli.js'), import('../control/token-admin.js')]);
  await withRegistry(async (h) => {
    const actor = await cliPrincipal(h, parsed);
    const tokens = new TokenAdmin(h.tokens, h.audit);
    if (op.op === 'create') {
      const created = await tokens.create(actor, op.principal, op.role as Role);
      process.stdout.write(`${created.token}\n`);
      process.stderr.write(`token for ${op.principal} (${op.role}); it is shown only now\n`);
    } else if (op.op === 'list') {
      for (const t of await tokens.list(actor)) {
        process.stdout.write(`${t.principal.padEnd(24)} ${t.role.padEnd(9)} created ${t.createdAt} by ${t.createdBy}${t.revokedAt ? `, revoked ${t.revokedAt}` : ''}\n`);
      }
    } else {
      if (!(await tokens.revoke(actor, op.principal))) throw new Error(`no active token for '${op.principal}'`);
      process.stdout.write(`revoked ${op.principal}\n`);
    }
  });
}

/** The sub-command, checked before anything is opened or asked (a wrong one is exit 2). */
function tokenOp([sub, principal, ...rest]: string[], role: string | undefined): TokenOp {
  if (rest.length > 0) throw new UsageError(USAGE);
  if (sub === 'create' && principal) {
    const r = Role.safeParse(role);
    if (!r.success) throw new UsageError(`--role must be one of ${Role.options.join(', ')}\n${USAGE}`);
    return { op: 'create', principal, role: r.data };
  }
  if (sub === 'list' && !principal) return { op: 'list' };
  if (sub === 'revoke' && principal) return { op: 'revoke', principal };
  throw new UsageError(USAGE);
}
