import { UsageError } from './usage-error.js';
import { STAGES, type Stage } from '../contracts/stages.js';
import { GatewayClient, remoteTarget } from './remote/gateway-client.js';
import { parseArgs } from './parse-args.js';

const USAGE = `usage: modelgate promote <model> <version> <${STAGES.join('|')}> [--reason <text>] [--override] [--json] [--url <gateway>] [--token <token>]`;

/** `modelgate promote`: move a version between stages (production runs the validation gate first). */
export async function promoteCommand(args: string[]): Promise<void> {
  const parsed = parseArgs(args, ['url', 'token', 'reason'], ['override', 'json']);
  const [model, version, stage] = parsed.positional;
  if (!model || !version || !stage || parsed.positional.length !== 3) throw new UsageError(USAGE);
  if (!(STAGES as readonly string[]).includes(stage)) throw new UsageError(`unknown stage '${stage}'\n${USAGE}`);
  const target = remoteTarget(parsed);
  if (target) {
    const { promoteRemote } = await import('./remote/registry-remote.js');
    const opts = { reason: parsed.options.get('reason'), override: parsed.flags.has('override'), json: parsed.flags.has('json') };
    return promoteRemote(new GatewayClient(target), { model, version, stage: stage as Stage, ...opts });
  }
  // Local (bootstrap) mode only: the registry stack loads when it is used.
  const [{ cliPrincipal, formatGate, progressPrinter, withRegistry }, { RegistryAdmin }] = await Promise.all([import('./registry-cli.js'), import('../control/registry-admin.js')]);
  await withRegistry(async (h) => {
    const actor = await cliPrincipal(h, parsed);
    const r = await new RegistryAdmin(h.registry).promote(actor, model, version, stage as Stage, {
      reason: parsed.options.get('reason'),
      override: parsed.flags.has('override'),
      onProgress: progressPrinter(),
    });
    if (parsed.flags.has('json')) return void process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
    if (r.gate) process.stdout.write(formatGate(r.gate.result));
    process.stdout.write(
      `${model}@${version}: ${r.from} -> ${r.to} by ${actor.name}` +
        `${r.replaced ? `; ${r.replaced.version} -> ${r.replaced.stage}` : ''}` +
        `${r.overrides.length ? `; overrides: ${r.overrides.join(', ')}` : ''}\n`,
    );
  });
}
