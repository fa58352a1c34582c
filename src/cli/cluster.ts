import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { runPrimary } from '../cluster/primary.js';
import { joinCluster } from '../cluster/worker.js';
import { loadConfig } from '../config/load-config.js';
import type { Gateway } from '../gateway.js';
import { createLogger } from '../logger.js';
import { UsageError } from './usage-error.js';

/**
 * `modelgate serve [--workers N|auto]`. With N > 1 this process becomes the cluster primary and
 * loads no gateway code (no onnxruntime, no sessions: ~70 MB instead of ~150 MB); the workers it
 * forks run this again, see that they are workers, and serve.
 */
export async function serveWithWorkers(args: string[]): Promise<void> {
  const workers = parseWorkers(args);
  if (workers > 1 && cluster.isPrimary) {
    const config = loadConfig();
    const { drainDelayMs, shutdownTimeoutMs } = config.server;
    runPrimary({
      workers,
      logger: createLogger(config.logLevel),
      graceMs: drainDelayMs + shutdownTimeoutMs,
      // gRPC listens before HTTP in each worker (serve-command.ts).
      listenersPerWorker: config.grpc.port === 0 ? 1 : 2,
    });
    return;
  }
  return (await import('./serve-command.js')).serveCommand(args);
}

/** `--workers`: a whole number from 1, or `auto` (one per core); default 1. */
export function parseWorkers(args: string[]): number {
  let raw: string | undefined;
  try {
    raw = parseArgs({ args, options: { workers: { type: 'string' } }, strict: true, allowPositionals: false }).values.workers;
  } catch (err) {
    throw new UsageError((err as Error).message.split('. ')[0] ?? 'invalid arguments');
  }
  if (raw === undefined) return 1;
  if (raw === 'auto') return availableParallelism();
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > 256) {
    throw new UsageError(`--workers must be a whole number from 1 to 256 or 'auto', got '${raw.slice(0, 50)}'`);
  }
  return Number(raw);
}

/** In a cluster worker: share metrics and admin actions with the other workers (no-op otherwise). */
export function joinClusterIfWorker(gateway: Gateway): void {
  if (cluster.isWorker) joinCluster(gateway);
}
