// Shared parts of the chaos scenarios: gateways as separate processes on 127.0.0.1, with their
// own data dir (restartable on the same data), audit verification, RSS sampling, the report row.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServerProcess, type ServerProcess } from '../test/support/server-process.js';

export const ADMIN_TOKEN = 'chaos-admin-token-0123456789-abcdefghij';
export const MODEL = 'property-valuation';
export const HOUSE = { sqft: 1800, bedrooms: 3, bathrooms: 2, year_built: 1995, lot_size: 6000, location_cluster: 1, condition: 4, garage_spaces: 2 };

/** What a scenario reports: its counts (printed as a table) and the failures that make the run fail. */
export interface ScenarioResult {
  name: string;
  counts: Record<string, number>;
  failures: string[];
  seconds: number;
}

export interface ChaosOptions {
  /** Seconds of load per load scenario (CI: short; a local run: --duration=60). */
  durationS: number;
}

/** A gateway's files: a data dir (registry, trace, audit), a copy of the demo models, config and flags. */
export class GatewayHome {
  readonly root = mkdtempSync(join(tmpdir(), 'modelgate-chaos-'));
  readonly modelsDir = join(this.root, 'models');
  readonly flagsFile = join(this.root, 'flags.json');
  readonly configFile = join(this.root, 'gateway.json');

  constructor(config: Record<string, unknown> = {}, versions = ['1.0.0', '1.1.0', '2.0.0']) {
    for (const v of versions) cpSync(join('models', MODEL, v), join(this.modelsDir, MODEL, v), { recursive: true });
    cpSync('config/flags.json', this.flagsFile);
    const base = JSON.parse(readFileSync('config/gateway.json', 'utf8')) as { models: Record<string, unknown> };
    const models = { [MODEL]: { ...(base.models[MODEL] as object), ...((config.models as Record<string, object> | undefined)?.[MODEL] ?? {}) } };
    writeFileSync(this.configFile, JSON.stringify({ ...base, ...config, models, modelsDir: this.modelsDir, flags: { source: 'file', file: this.flagsFile } }, null, 2));
  }

  /** Start a gateway process on this home (the same data on every start). */
  start(env: Record<string, string> = {}): Promise<ServerProcess> {
    return startServerProcess({
      MODELGATE_CONFIG: this.configFile,
      MODELGATE_REGISTRY_DB: join(this.root, 'data', 'registry.db'),
      MODELGATE_ADMIN_TOKEN: ADMIN_TOKEN,
      ...env,
    });
  }
}

export const admin = (url: string, path: string, init: RequestInit = {}): Promise<Response> =>
  fetch(`${url}${path}`, { ...init, headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json', ...(init.headers as Record<string, string>) } });

/** (7) The audit log's hash chain, checked over HTTP at the end of every scenario. */
export async function auditVerify(url: string, failures: string[]): Promise<number> {
  const res = await admin(url, '/admin/audit/verify');
  const body = (await res.json()) as { ok?: boolean; rows?: number; reason?: string };
  if (res.status !== 200 || body.ok !== true) failures.push(`audit verify: ${res.status} ${JSON.stringify(body)}`);
  return body.ok === true ? 1 : 0;
}

/** Resident set of a process in MiB (Linux /proc). */
export function rssMiB(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m?.[1] ? Math.round(Number(m[1]) / 1024) : 0;
  } catch {
    return 0;
  }
}

export const predictV1 = (i: number, headers: Record<string, string> = {}) => ({
  method: 'POST',
  path: `/v1/models/${MODEL}/predict`,
  headers: { 'content-type': 'application/json', 'x-user-id': `user-${i % 200}`, ...headers },
  body: JSON.stringify({ instances: [{ ...HOUSE, sqft: 800 + (i % 3000) }] }),
});

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Count outcomes by a key (status, error code). */
export function tally<T>(items: T[], key: (t: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of items) out[key(t)] = (out[key(t)] ?? 0) + 1;
  return out;
}
