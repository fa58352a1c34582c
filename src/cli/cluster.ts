import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { runPrimary } from '../cluster/primary.js';
import { joinCluster } from '../cluster/worker.js';
import { loadConfig } from '../config/load-config.js';
import type { Gateway } from '../gateway.js';
import { createLogger } from '../logger.js';

export const SERVE_USAGE = `usage: modelgate serve [--workers N|auto]

  --workers N|auto   serve from N processes (node:cluster; auto: one per core); default 1.
                     Each worker loads its own model sessions (memory grows per worker).
`;

/** `--workers` of `modelgate serve`: a usage error exits with 2. */
export function parseWorkers(args: string[]): number {
  let raw: string | undefined;
  try {
    raw = parseArgs({ args, options: { workers: { type: 'string' } }, strict: true, allowPositionals: false }).values.workers;
  } catch (err) {
    return usage(err instanceof Error ? err.message : String(err));
  }
  if (raw === undefined) return 1;
  if (raw === 'auto') return availableParallelism();
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > 256) return usage(`--workers must be a whole number from 1 to 256 or 'auto', got '${raw}'`);
  return Number(raw);
}

/** True when this process became a cluster primary (it serves nothing itself): `serve` stops there. */
export function startClusterPrimary(args: string[]): boolean {
  const workers = parseWorkers(args);
  if (workers <= 1 || !cluster.isPrimary) return false;
  const config = loadConfig();
  runPrimary({ workers, logger: createLogger(config.logLevel), graceMs: config.shutdownGraceMs });
  return true;
}

/** In a cluster worker: share metrics and admin actions with the other workers (no-op otherwise). */
export function joinClusterIfWorker(gateway: Gateway): void {
  if (cluster.isWorker) joinCluster(gateway);
}

function usage(message: string): never {
  process.stderr.write(`modelgate serve: ${message}\n\n${SERVE_USAGE}`);
  process.exit(2);
}
