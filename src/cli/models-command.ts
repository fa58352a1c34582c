import { GatewayClientError, REMOTE_OPTIONS, requireRemote } from './remote/gateway-client.js';
import { emit, table } from './remote/table.js';
import { parseArgs } from './parse-args.js';
import { UsageError } from './usage-error.js';

/** GET /admin/models (the registry's view). */
interface RegistryModel {
  name: string;
  production: string | null;
  staging: string | null;
  aliases: Record<string, string>;
  versions: { version: string; stage: string; data_version: string }[];
}

/** POST /v2/repository/index (what this gateway has loaded). */
interface IndexEntry {
  name: string;
  version: string;
  state: string;
  reason?: string;
}

export interface ModelRow {
  model: string;
  version: string;
  stage: string | null;
  data_version: string | null;
  aliases: string[];
  state: string;
  reason: string | null;
}

/**
 * `modelgate models --url`: every version the gateway knows, with its registry stage and aliases
 * (when the registry is on) and its load state on that gateway (the repository index).
 */
export async function modelsCommand(args: string[]): Promise<void> {
  const parsed = parseArgs(args, [...REMOTE_OPTIONS], ['json']);
  if (parsed.positional.length > 0) throw new UsageError(`unexpected argument '${parsed.positional[0]}'`);
  const client = requireRemote(parsed);
  const [index, registry] = await Promise.all([
    client.post<IndexEntry[]>('/v2/repository/index'),
    // Without a registry (registry off) there are no stages: the index alone answers.
    client.get<{ models: RegistryModel[] }>('/admin/models').then(
      (r) => r.body.models,
      (err: unknown) => {
        if (err instanceof GatewayClientError && err.status === 404 && err.code === 'not_found') return null;
        throw err;
      },
    ),
  ]);
  const rows = modelRows(index.body, registry);
  emit(parsed.flags.has('json'), { registry: registry !== null, models: rows }, () =>
    table(
      ['model', 'version', 'stage', 'data', 'aliases', 'state'],
      rows.map((r) => [r.model, r.version, r.stage, r.data_version, r.aliases.join(','), r.reason ? `${r.state} (${r.reason})` : r.state]),
    ),
  );
}

/** One row per version in either view; a registered version the gateway has not loaded is UNAVAILABLE. */
export function modelRows(index: IndexEntry[], registry: RegistryModel[] | null): ModelRow[] {
  const rows = new Map<string, ModelRow>();
  for (const m of registry ?? []) {
    for (const v of m.versions) {
      const aliases = Object.entries(m.aliases).filter(([, to]) => to === v.version).map(([alias]) => alias);
      rows.set(`${m.name}@${v.version}`, { model: m.name, version: v.version, stage: v.stage, data_version: v.data_version, aliases, state: 'UNAVAILABLE', reason: 'not loaded' });
    }
  }
  for (const e of index) {
    const key = `${e.name}@${e.version}`;
    const row = rows.get(key) ?? { model: e.name, version: e.version, stage: null, data_version: null, aliases: [], state: e.state, reason: null };
    row.state = e.state;
    row.reason = e.state === 'READY' ? null : (e.reason ?? null);
    rows.set(key, row);
  }
  return [...rows.values()];
}
