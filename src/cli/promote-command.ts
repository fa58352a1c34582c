import { UsageError } from './usage-error.js';
import { STAGES, type Stage } from '../contracts/stages.js';
import { RegistryAdmin } from '../control/registry-admin.js';
import { cliPrincipal, formatGate, parseArgs, progressPrinter, withRegistry } from './registry-cli.js';

const USAGE = `usage: modelgate promote <model> <version> <${STAGES.join('|')}> [--reason <text>] [--override] [--token <token>]`;

/** `modelgate promote`: move a version between stages (production runs the validation gate first). */
export async function promoteCommand(args: string[]): Promise<void> {
  const parsed = parseArgs(args, ['token', 'reason'], ['override']);
  const [model, version, stage] = parsed.positional;
  if (!model || !version || !stage || parsed.positional.length !== 3) throw new UsageError(USAGE);
  if (!(STAGES as readonly string[]).includes(stage)) throw new UsageError(`unknown stage '${stage}'\n${USAGE}`);
  await withRegistry(async (h) => {
    const actor = await cliPrincipal(h, parsed);
    const r = await new RegistryAdmin(h.registry).promote(actor, model, version, stage as Stage, {
      reason: parsed.options.get('reason'),
      override: parsed.flags.has('override'),
      onProgress: progressPrinter(),
    });
    if (r.gate) process.stdout.write(formatGate(r.gate.result));
    process.stdout.write(
      `${model}@${version}: ${r.from} -> ${r.to} by ${actor.name}` +
        `${r.replaced ? `; ${r.replaced.version} -> ${r.replaced.stage}` : ''}` +
        `${r.overrides.length ? `; overrides: ${r.overrides.join(', ')}` : ''}\n`,
    );
  });
}
