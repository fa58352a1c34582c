import { RegistryAdmin } from '../control/registry-admin.js';
import { UsageError } from './usage-error.js';
import { GatewayClient, remoteTarget } from './remote/gateway-client.js';
import { parseArgs } from './parse-args.js';

const USAGE = 'usage: modelgate validate <model> <version> [--json] [--url <gateway>] [--token <token>]';

/** `modelgate validate`: run the validation gate against the production version; exit 1 when it fails. */
export async function validateCommand(args: string[]): Promise<void> {
  const parsed = parseArgs(args, ['url', 'token'], ['json']);
  const [model, version] = parsed.positional;
  if (!model || !version || parsed.positional.length !== 2) throw new UsageError(USAGE);
  const target = remoteTarget(parsed);
  if (target) return (await import('./remote/registry-remote.js')).validateRemote(new GatewayClient(target), model, version, parsed.flags.has('json'));
  const { cliPrincipal, formatGate, progressPrinter, withRegistry } = await import('./registry-cli.js');
  await withRegistry(async (h) => {
    const actor = await cliPrincipal(h, parsed);
    const stored = await new RegistryAdmin(h.registry).validate(actor, model, version, progressPrinter());
    process.stdout.write(parsed.flags.has('json') ? `${JSON.stringify(stored, null, 2)}\n` : formatGate(stored.result));
    if (!stored.passed) process.exitCode = 1;
  });
}
