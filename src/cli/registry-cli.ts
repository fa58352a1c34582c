import { loadConfig } from '../config/load-config.js';
import { GatewayError, unauthorized } from '../errors/index.js';
import { openRegistry, type RegistryHandle } from '../registry/open-registry.js';
import { servableRunners } from '../runtime/servable-runner.js';
import type { Principal } from '../contracts/roles.js';
import { UsageError } from './usage-error.js';
import type { GateProgress, GateResult } from '../registry/validation-gate.js';
import { formatGate } from './format-gate.js';
import type { ParsedArgs } from './parse-args.js';

export { parseArgs, type ParsedArgs } from './parse-args.js';
export { formatGate } from './format-gate.js';

/** The registry of this gateway's config (config/gateway.json `registry`, MODELGATE_REGISTRY_DB...). */
export function openCliRegistry(env: NodeJS.ProcessEnv = process.env): RegistryHandle {
  const config = loadConfig(env);
  const session = { providers: config.runtime.executionProviders, intraOpThreads: config.runtime.intraOpThreads };
  return openRegistry(config.registry, { adminToken: config.adminToken, session, openRunner: servableRunners(session) });
}

/**
 * Who runs the command: --token, else MODELGATE_TOKEN, else MODELGATE_ADMIN_TOKEN (the bootstrap
 * admin). The same roles and four-eyes rules apply as over HTTP.
 */
export async function cliPrincipal(handle: RegistryHandle, parsed: ParsedArgs, env: NodeJS.ProcessEnv = process.env): Promise<Principal> {
  const token = parsed.options.get('token') ?? env.MODELGATE_TOKEN ?? env.MODELGATE_ADMIN_TOKEN;
  if (!token) throw unauthorized('a token is required: --token <token> or MODELGATE_TOKEN');
  const principal = await handle.tokens.authenticate(token);
  if (!principal) throw unauthorized('the token is not valid');
  return principal;
}

/** Run a registry command: open, act, close; GatewayErrors are printed with their rule and exit 1 (3: refused by role). */
export async function withRegistry(fn: (handle: RegistryHandle) => Promise<void>): Promise<void> {
  const handle = openCliRegistry();
  try {
    await handle.ready;
    await fn(handle);
  } catch (err) {
    if (!(err instanceof GatewayError) || err instanceof UsageError) throw err;
    process.stderr.write(`modelgate: ${err.message} [${err.status} ${err.code}${err.details?.rule ? `: ${String(err.details.rule)}` : ''}]\n`);
    const gate = err.details?.gate as GateResult | undefined;
    if (gate) process.stderr.write(formatGate(gate));
    process.exitCode = err.status === 401 || err.status === 403 ? 3 : 1;
  } finally {
    await handle.close();
  }
}

/** Progress of a long gate run on stderr (stdout stays the result). */
export function progressPrinter(out: NodeJS.WritableStream = process.stderr): (p: GateProgress) => void {
  return (p) => out.write(`  ${p.phase.padEnd(7)} ${p.version.padEnd(16)} ${String(p.done).padStart(5)}/${p.total}\n`);
}
