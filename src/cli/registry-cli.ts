import { parseArgs as parseNodeArgs } from 'node:util';
import { loadConfig } from '../config/load-config.js';
import { GatewayError, unauthorized } from '../errors/index.js';
import { openRegistry, type RegistryHandle } from '../registry/open-registry.js';
import type { Principal } from '../contracts/roles.js';
import { UsageError } from './usage-error.js';
import type { GateProgress, GateResult } from '../registry/validation-gate.js';

export interface ParsedArgs {
  positional: string[];
  options: Map<string, string>;
  flags: Set<string>;
}

/**
 * node:util parseArgs, strict: `--name value` / `--name=value` for valued options, `--flag` for
 * booleans, the rest positional. An unknown option or a missing value is a UsageError (exit 2).
 */
export function parseArgs(args: string[], valued: readonly string[], booleans: readonly string[] = []): ParsedArgs {
  const options: Record<string, { type: 'string' | 'boolean' }> = {};
  for (const name of valued) options[name] = { type: 'string' };
  for (const name of booleans) options[name] = { type: 'boolean' };
  let parsed: ReturnType<typeof parseNodeArgs>;
  try {
    parsed = parseNodeArgs({ args, options, strict: true, allowPositionals: true });
  } catch (err) {
    // node's messages name the option ("Unknown option '--x'", "Option '--token <value>' argument missing").
    throw new UsageError((err as Error).message.split('. ')[0] ?? 'invalid arguments');
  }
  const out: ParsedArgs = { positional: parsed.positionals, options: new Map(), flags: new Set() };
  for (const [name, value] of Object.entries(parsed.values)) {
    if (typeof value === 'string') out.options.set(name, value);
    else if (value === true) out.flags.add(name);
  }
  return out;
}

/** The registry of this gateway's config (config/gateway.json `registry`, MODELGATE_REGISTRY_DB...). */
export function openCliRegistry(env: NodeJS.ProcessEnv = process.env): RegistryHandle {
  const config = loadConfig(env);
  return openRegistry(config.registry, {
    adminToken: config.adminToken,
    session: { providers: config.runtime.executionProviders, intraOpThreads: config.runtime.intraOpThreads },
  });
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

/** Run a registry command: open, act, close; GatewayErrors are printed with their rule and exit 1. */
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
    process.exitCode = 1;
  } finally {
    await handle.close();
  }
}

/** Progress of a long gate run on stderr (stdout stays the result). */
export function progressPrinter(out: NodeJS.WritableStream = process.stderr): (p: GateProgress) => void {
  return (p) => out.write(`  ${p.phase.padEnd(7)} ${p.version.padEnd(16)} ${String(p.done).padStart(5)}/${p.total}\n`);
}

/** A gate result as a small table. */
export function formatGate(r: GateResult): string {
  const num = (x: number | null) => (x === null ? '-' : String(x));
  const lines = [
    `gate ${r.passed ? 'PASSED' : 'FAILED'}: ${r.model}@${r.candidate} vs ${r.baseline ?? '(no production version)'} ` +
      `(${r.comparison}, ${r.holdoutRows} holdout rows, ${r.durationMs} ms)`,
    `  ${'metric'.padEnd(12)}${'candidate'.padStart(14)}${'baseline'.padStart(14)}${'limit'.padStart(14)}  result`,
    ...r.metrics.map(
      (m) => `  ${m.name.padEnd(12)}${num(m.candidate).padStart(14)}${num(m.baseline).padStart(14)}${num(m.limit).padStart(14)}  ${m.passed ? 'ok' : 'FAIL'}`,
    ),
  ];
  if (r.latency) {
    const l = r.latency;
    lines.push(
      `  ${'p95 ms'.padEnd(12)}${num(l.candidateP95Ms).padStart(14)}${num(l.baselineP95Ms).padStart(14)}${num(l.limitMs).padStart(14)}  ${l.passed ? 'ok' : 'FAIL'}`,
    );
  }
  for (const n of r.notes) lines.push(`  note: ${n}`);
  return `${lines.join('\n')}\n`;
}
