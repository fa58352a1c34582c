import { REMOTE_OPTIONS, requireRemote, seg } from './remote/gateway-client.js';
import { emit, fields, table } from './remote/table.js';
import { parseArgs, type ParsedArgs } from './parse-args.js';
import { UsageError } from './usage-error.js';

/** GET /admin/models/{m}/routing (routing/routing-view.ts), the fields printed here. */
export interface RoutingView {
  model: string;
  stable_version: string;
  flag: { name: string; source: string; defined: boolean; enabled: boolean };
  rollback: { since: string; actor: string; reason: string } | null;
  effective_split: { version: string; percent: number; via: string }[];
  conditional: { constraints: unknown; variants: { name: string; weight: number; target: string }[] }[];
  shadow: { version: string; percent: number } | null;
}

function oneModel(parsed: ParsedArgs, command: string): string {
  const [model, ...rest] = parsed.positional;
  if (!model) throw new UsageError(`usage: modelgate ${command} <model> ...`);
  if (rest.length > 0) throw new UsageError(`unexpected argument '${rest[0]}'`);
  return model;
}

/** `modelgate routing <model> --url`: how the gateway routes the model now (viewer). */
export async function routingCommand(args: string[]): Promise<void> {
  const parsed = parseArgs(args, [...REMOTE_OPTIONS], ['json']);
  const model = oneModel(parsed, 'routing');
  const { body } = await requireRemote(parsed).get<RoutingView>(`/admin/models/${seg(model)}/routing`);
  emit(parsed.flags.has('json'), body, () => formatRouting(body));
}

/**
 * `modelgate rollback <model> --url`: all traffic to the stable version, overriding every flag
 * source until cleared (deployer). The gateway stores and audits it (as the token's principal)
 * before it answers, and its answer is the routing it now applies; replicas on PostgreSQL follow
 * through the registry's announcement. `--clear` ends it.
 */
export async function rollbackCommand(args: string[]): Promise<void> {
  const parsed = parseArgs(args, [...REMOTE_OPTIONS, 'reason'], ['clear', 'json']);
  const model = oneModel(parsed, 'rollback');
  const clear = parsed.flags.has('clear');
  const reason = parsed.options.get('reason');
  if (clear && reason !== undefined) throw new UsageError('--reason goes with a rollback, not with --clear');
  const client = requireRemote(parsed);
  const path = `/admin/models/${seg(model)}/rollback`;
  const { body } = clear ? await client.delete<RoutingView>(path) : await client.post<RoutingView>(path, { json: reason !== undefined ? { reason } : {} });
  emit(parsed.flags.has('json'), body, () =>
    `${clear ? `rollback of ${model} cleared: flags route again` : `${model} rolled back: all traffic to ${body.stable_version}`}\n\n${formatRouting(body)}`,
  );
}

/** The routing view as a few lines and tables. */
export function formatRouting(v: RoutingView): string {
  const flag = v.flag.defined ? `${v.flag.name} (${v.flag.source}, ${v.flag.enabled ? 'enabled' : 'disabled'})` : `${v.flag.name} (${v.flag.source}, not defined)`;
  const rollback = v.rollback ? `since ${v.rollback.since} by ${v.rollback.actor}${v.rollback.reason ? `: ${v.rollback.reason}` : ''}` : 'none';
  let out = fields([
    ['model', v.model],
    ['stable version', v.stable_version],
    ['flag', flag],
    ['rollback', rollback],
    ['shadow', v.shadow ? `${v.shadow.version} (${v.shadow.percent} %)` : 'none'],
  ]);
  out += `\nsplit (requests matching no pin):\n${table(['version', 'percent', 'via'], v.effective_split.map((s) => [s.version, round(s.percent), s.via]))}`;
  if (v.conditional.length > 0) {
    const rows = v.conditional.flatMap((c) => c.variants.map((x) => [constraintText(c.constraints), x.name, x.target, x.weight]));
    out += `\npins (conditional strategies${v.rollback ? ', overridden by the rollback' : ''}):\n${table(['when', 'variant', 'target', 'weight'], rows)}`;
  }
  return out;
}

const round = (n: number) => Math.round(n * 100) / 100;

/** Unleash constraints (`{contextName, operator, values}`) as `tenantId IN acme,beta`. */
function constraintText(constraints: unknown): string {
  if (!Array.isArray(constraints)) return JSON.stringify(constraints);
  return constraints
    .map((c: { contextName?: unknown; operator?: unknown; values?: unknown; value?: unknown }) => {
      const values = Array.isArray(c.values) ? c.values.join(',') : String(c.value ?? '');
      return `${String(c.contextName)} ${String(c.operator)} ${values}`;
    })
    .join(' and ');
}
