import { loadConfig } from '../config/load-config.js';
import { UsageError } from './usage-error.js';
import { AuditLog } from '../audit/audit-log.js';
import { openEngine } from '../registry/open-registry.js';
import { parseArgs } from './registry-cli.js';

const USAGE = 'usage: modelgate audit verify | modelgate audit list [--after <seq>] [--limit <n>]';

/**
 * `modelgate audit verify`: walk the hash chain and name the first broken row (exit 1).
 * `modelgate audit list`: print rows as JSON lines. Reads the registry database (SQLite file or
 * MODELGATE_DATABASE_URL) directly.
 */
export async function auditCommand(args: string[]): Promise<void> {
  const parsed = parseArgs(args, ['after', 'limit']);
  const [sub] = parsed.positional;
  const { engine, ready } = openEngine(loadConfig().registry);
  try {
    await ready;
    const log = new AuditLog(engine);
    if (sub === 'verify') {
      const r = await log.verify();
      if (r.ok) process.stdout.write(`audit log OK: ${r.rows} rows, chain head ${r.head}\n`);
      else {
        process.stdout.write(`audit log BROKEN at row ${r.brokenAt}: ${r.reason} (${r.rows} rows read)\n`);
        process.exitCode = 1;
      }
    } else if (sub === 'list') {
      const page = await log.page({ after: Number(parsed.options.get('after') ?? 0), limit: Number(parsed.options.get('limit') ?? 100) });
      for (const r of page.records) process.stdout.write(`${JSON.stringify(r)}\n`);
    } else throw new UsageError(USAGE);
  } finally {
    await engine.close();
  }
}
