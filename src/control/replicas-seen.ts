import type { SqlEngine } from '../registry/sql-engine.js';

export interface ReplicasSeen {
  store: 'sqlite' | 'postgres';
  /** Gateway processes holding the registry's LISTEN connection (PostgreSQL); null on SQLite (one host, no channel). */
  count: number | null;
  replicas: { backendPid: number; address: string | null; since: string }[];
}

/**
 * The gateway processes the shared registry sees: on PostgreSQL every replica (and every worker
 * of `serve --workers`) holds one connection named `modelgate-listen` on the registry's database
 * (registry/engines/pg-listener.ts), so those sessions are the replicas that follow changes at
 * once. A replica whose LISTEN connection is down is not counted (it follows by polling only).
 */
export async function replicasSeen(engine: SqlEngine): Promise<ReplicasSeen> {
  if (engine.kind !== 'postgres') return { store: engine.kind, count: null, replicas: [] };
  const rows = await engine.all<{ pid: number; address: string | null; since: Date | string }>(
    `SELECT pid, host(client_addr) AS address, backend_start AS since FROM pg_stat_activity
     WHERE datname = current_database() AND application_name = 'modelgate-listen' ORDER BY backend_start`,
  );
  const replicas = rows.map((r) => ({ backendPid: r.pid, address: r.address, since: r.since instanceof Date ? r.since.toISOString() : String(r.since) }));
  return { store: 'postgres', count: replicas.length, replicas };
}
