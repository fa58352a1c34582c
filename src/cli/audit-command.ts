import { UsageError } from './usage-error.js';
import { GatewayClient, remoteTarget } from './remote/gateway-client.js';
import { parseArgs } from './parse-args.js';

const USAGE = 'usage: modelgate audit verify | modelgate audit list [--after <seq>] [--limit <n>]   [--json] [--url <gateway>] [--token <token>]';

/**
 * `modelgate audit verify`: walk the hash chain and name the first broken row (exit 1).
 * `modelgate audit list`: print rows. With --url (or MODELGATE_URL) the gateway does both
 * (viewer role); without, the registry database (SQLite file or MODELGATE_DATABASE_URL) is read directly.
 */
export async function auditCommand(args: string[]): Promise<void> {
  const parsed = parseArgs(args, ['after', 'limit', 'url', 'token'], ['json']);
  const [sub] = parsed.positional;
  if ((sub !== 'verify' && sub !== 'list') || parsed.positional.length !== 1) throw new UsageError(USAGE);
  for (const name of ['after', 'limit']) {
    const v = parsed.options.get(name);
    if (v !== undefined && !/^\d+$/.test(v)) throw new UsageError(`--${name} must be a whole number`);
  }
  const target = remoteTarget(parsed);
  if (target) {
    const page = { after: parsed.options.get('after'), limit: parsed.options.get('limit') };
    return (await import('./remote/admin-remote.js')).auditRemote(new GatewayClient(target), sub, page, parsed.flags.has('json'));
  }
  const [{ loadConfig }, { AuditLog }, { openEngine }] = await Promise.all([
    import('../config/load-config.js'),
    import('../audit/audit-log.js'),
    import('../registry/open-registry.js'),
  ]);
  const { engine, ready } = openEngine(loadConfig().registry);
  try {
    await ready;
    const log = new AuditLog(engine);
    if (sub === 'verify') {
      const r = await log.verify();
      if (parsed.flags.has('json')) process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
      else if (r.ok) process.stdout.write(`audit log OK: ${r.rows} rows, chain head ${r.head}\n`);
      else process.stdout.write(`audit log BROKEN at row ${r.brokenAt}: ${r.reason} (${r.rows} rows read)\n`);
      if (!r.ok) process.exitCode = 1;
    } else {
      const page = await log.page({ after: Number(parsed.options.get('after') ?? 0), limit: Number(parsed.options.get('limit') ?? 100) });
      for (const r of page.records) process.stdout.write(`${JSON.stringify(r)}\n`);
    }
  } finally {
    await engine.close();
  }
}
