import type { VerifyResult } from '../audit/audit-log.js';
import type { ReplicasSeen } from '../control/replicas-seen.js';
import { GatewayClientError, REMOTE_OPTIONS, requireRemote, type GatewayResponse } from './remote/gateway-client.js';
import { emit, fields, table } from './remote/table.js';
import { parseArgs } from './parse-args.js';
import { UsageError } from './usage-error.js';

/** GET /admin/status: the registry store as this gateway sees it. */
interface StoreStatus {
  store: string;
  reachable: boolean;
  listening: boolean | null;
  traceWaiting: boolean;
}

export interface GatewayStatus {
  url: string;
  live: boolean;
  ready: boolean;
  degraded: Record<string, string>;
  /** null: the gateway runs without a registry (then there is no audit chain or replica view either). */
  registry: StoreStatus | null;
  replicas: ReplicasSeen | null;
  audit: VerifyResult | null;
}

/**
 * `modelgate status --url`: liveness, readiness (and what is degraded), the registry store,
 * the replicas the shared registry sees and the audit chain, from one gateway (viewer).
 * Exit 1 when it is not ready or its audit chain does not verify.
 */
export async function statusCommand(args: string[]): Promise<void> {
  const parsed = parseArgs(args, [...REMOTE_OPTIONS], ['json']);
  if (parsed.positional.length > 0) throw new UsageError(`unexpected argument '${parsed.positional[0]}'`);
  const client = requireRemote(parsed);
  const [live, ready, registry, replicas, audit] = await Promise.all([
    client.get<{ live: boolean }>('/v2/health/live'),
    client.get<{ ready: boolean; degraded?: Record<string, string> }>('/v2/health/ready', { accept: [503] }),
    unlessNoRegistry(client.get<{ registry: StoreStatus }>('/admin/status')),
    unlessNoRegistry(client.get<ReplicasSeen>('/admin/replicas')),
    unlessNoRegistry(client.get<VerifyResult>('/admin/audit/verify')),
  ]);
  const status: GatewayStatus = {
    url: client.target.url,
    live: live.body.live === true,
    ready: ready.body.ready === true,
    degraded: ready.body.degraded ?? {},
    registry: registry?.registry ?? null,
    replicas,
    audit,
  };
  emit(parsed.flags.has('json'), status, () => formatStatus(status));
  if (!status.ready || (audit !== null && !audit.ok)) process.exitCode = 1;
}

/** The admin routes a gateway without a registry does not mount answer 404 `not_found`. */
async function unlessNoRegistry<T>(p: Promise<GatewayResponse<T>>): Promise<T | null> {
  try {
    return (await p).body;
  } catch (err) {
    if (err instanceof GatewayClientError && err.status === 404 && err.code === 'not_found') return null;
    throw err;
  }
}

export function formatStatus(s: GatewayStatus): string {
  const yes = (b: boolean) => (b ? 'yes' : 'no');
  const degraded = Object.entries(s.degraded).map(([k, v]) => `${k}: ${v}`).join('; ');
  const r = s.registry;
  const audit = s.audit === null ? 'no registry' : s.audit.ok ? `ok, ${s.audit.rows} rows, head ${s.audit.head.slice(0, 16)}` : `BROKEN at row ${s.audit.brokenAt}: ${s.audit.reason}`;
  const replicas = s.replicas === null ? 'no registry' : s.replicas.count === null ? `this gateway only (${s.replicas.store} registry is not shared)` : String(s.replicas.count);
  let out = fields([
    ['gateway', s.url],
    ['live', yes(s.live)],
    ['ready', s.ready ? (degraded ? `yes (degraded: ${degraded})` : 'yes') : 'NO'],
    ['registry', r ? `${r.store}, ${r.reachable ? 'reachable' : 'UNREACHABLE'}${r.listening === null ? '' : r.listening ? ', listening' : ', NOT listening'}${r.traceWaiting ? ', trace waiting' : ''}` : 'off'],
    ['replicas seen', replicas],
    ['audit chain', audit],
  ]);
  if (s.replicas && s.replicas.replicas.length > 0) {
    out += `\n${table(['address', 'listening since', 'backend pid'], s.replicas.replicas.map((x) => [x.address, x.since, x.backendPid]))}`;
  }
  return out;
}
