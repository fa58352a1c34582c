import { UsageError } from './usage-error.js';
import { authorize, Role } from '../contracts/roles.js';
import { TokenAdmin } from '../control/token-admin.js';
import { cliPrincipal, parseArgs, withRegistry } from './registry-cli.js';

const USAGE = `usage: modelgate token create <principal> --role <${Role.options.join('|')}> | token list | token revoke <principal>   [--token <admin token>]`;

/** `modelgate token ...`: admin-only management of role tokens (stored as sha256; shown once). */
export async function tokenCommand(args: string[]): Promise<void> {
  const parsed = parseArgs(args, ['token', 'role']);
  const [sub, principal] = parsed.positional;
  await withRegistry(async (h) => {
    const actor = await cliPrincipal(h, parsed);
    const tokens = new TokenAdmin(h.tokens, h.audit);
    authorize(actor, 'admin', 'managing tokens');
    if (sub === 'create' && principal) {
      const role = Role.safeParse(parsed.options.get('role'));
      if (!role.success) throw new UsageError(`--role must be one of ${Role.options.join(', ')}
${USAGE}`);
      const created = await tokens.create(actor, principal, role.data);
      process.stdout.write(`${created.token}\n`);
      process.stderr.write(`token for ${principal} (${role.data}); it is shown only now\n`);
    } else if (sub === 'list') {
      for (const t of await tokens.list(actor)) {
        process.stdout.write(`${t.principal.padEnd(24)} ${t.role.padEnd(9)} created ${t.createdAt} by ${t.createdBy}${t.revokedAt ? `, revoked ${t.revokedAt}` : ''}\n`);
      }
    } else if (sub === 'revoke' && principal) {
      if (!(await tokens.revoke(actor, principal))) throw new Error(`no active token for '${principal}'`);
      process.stdout.write(`revoked ${principal}\n`);
    } else throw new UsageError(USAGE);
  });
}
