import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry } from 'prom-client';
import type { Logger } from '../logger.js';
import { isWorkerMessage, type PrimaryMessage } from './messages.js';

export interface PrimaryOptions {
  workers: number;
  logger: Logger;
  /** How long workers get to drain after SIGTERM (their drain delay + shutdown timeout) before they are killed. */
  graceMs: number;
  /** Listeners each worker opens (HTTP, and gRPC when enabled, HTTP last): it serves once all are up. Default 1. */
  listenersPerWorker?: number;
}

/**
 * The primary of `modelgate serve --workers N`: it serves nothing and loads no model. It forks
 * the workers (each loads its own sessions and accepts connections handed out round-robin),
 * answers a worker's /metrics with the sum over every worker (prom-client's AggregatorRegistry),
 * relays admin actions from one worker to the others, replaces a worker that dies, and on
 * SIGTERM/SIGINT asks every worker to drain and exits when the last one has.
 */
export function runPrimary(opts: PrimaryOptions): void {
  const { logger } = opts;
  const aggregator = new AggregatorRegistry();
  let stopping = false;
  let forked = 0;
  const fork = () => {
    forked++;
    cluster.fork();
  };

  const send = (w: Worker, m: PrimaryMessage) => {
    if (w.isConnected()) w.send(m);
  };
  cluster.on('message', (worker, message: unknown) => {
    if (!isWorkerMessage(message)) return;
    if (message.type === 'modelgate:metrics') {
      aggregator.clusterMetrics().then(
        (text) => send(worker, { type: 'modelgate:metrics-result', id: message.id, text }),
        (err: unknown) => send(worker, { type: 'modelgate:metrics-result', id: message.id, error: err instanceof Error ? err.message : String(err) }),
      );
      return;
    }
    for (const w of Object.values(cluster.workers ?? {})) if (w && w !== worker) send(w, { type: 'modelgate:action', action: message.action });
  });

  const listening = new Set<number>();
  const opened = new Map<number, number>();
  let ready = false;
  cluster.on('listening', (worker, address) => {
    const n = (opened.get(worker.id) ?? 0) + 1;
    opened.set(worker.id, n);
    if (n < (opts.listenersPerWorker ?? 1)) return;
    listening.add(worker.id);
    // One at a time: the first worker may create and import the registry, which others must not race.
    if (!stopping && forked < opts.workers) fork();
    if (!ready && listening.size === opts.workers) {
      ready = true;
      logger.info({ workers: opts.workers, port: address.port }, `modelgate cluster ready: ${opts.workers} workers listening on port ${address.port}`);
    }
  });
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    opened.delete(worker.id);
    if (!listening.delete(worker.id)) {
      // It never served: the start itself fails (config, models), as it would without --workers.
      logger.fatal({ pid: worker.process.pid, code, signal }, 'a worker failed to start: stopping the cluster');
      shutdown('worker start failure', 1);
      return;
    }
    logger.error({ pid: worker.process.pid, code, signal }, 'worker died: starting a replacement');
    cluster.fork();
  });

  const shutdown = (signal: string, exitCode = 0) => {
    if (stopping) return;
    stopping = true;
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
    logger.info({ signal, workers: workers.length }, 'cluster shutting down: every worker drains');
    let failed = false;
    const exited = workers.map(
      (w) => new Promise<void>((resolve) => (w.isDead() ? resolve() : w.once('exit', (code: number | null) => ((failed ||= code !== 0), resolve())))),
    );
    // SIGINT from a terminal reaches every process of the group, workers included: a second
    // signal from here would make them exit at once instead of draining.
    if (signal !== 'SIGINT') for (const w of workers) w.process.kill('SIGTERM');
    // A worker stuck past its own shutdown timeout is killed, so the primary always exits.
    const timer = setTimeout(() => workers.forEach((w) => w.isDead() || w.process.kill('SIGKILL')), opts.graceMs + 5_000);
    void Promise.all(exited).then(() => {
      clearTimeout(timer);
      logger.info({ clean: !failed }, 'cluster shutdown complete');
      process.exit(failed ? 1 : exitCode);
    });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  logger.info({ workers: opts.workers }, `modelgate cluster: starting ${opts.workers} workers`);
  fork();
}
