import { loadConfig } from '../config/load-config.js';
import { Gateway } from '../gateway.js';
import { HttpServer } from '../http/server.js';
import { flushLogger, type Logger } from '../logger.js';
import { joinClusterIfWorker } from './cluster.js';
import { parseArgs } from './registry-cli.js';

/** `modelgate serve`: load config and models, listen, and shut down as Kubernetes expects on SIGTERM/SIGINT. */
export async function serveCommand(args: string[] = []): Promise<void> {
  parseArgs(args, ['workers']);
  const config = loadConfig();
  const gateway = new Gateway(config);
  const { logger } = gateway;
  await gateway.start();
  joinClusterIfWorker(gateway);
  const closed = gateway.metrics.connectionsClosed;
  const http = new HttpServer(gateway.app.fetch, config.server, {
    trustedProxies: config.http.trustedProxies,
    onConnectionClosed: (reason) => closed.labels({ reason }).inc(),
  });
  const port = await http.listen(config.port, config.host);
  logger.info({ port, host: config.host, models: gateway.repository.models() }, `modelgate listening on http://${config.host}:${port}`);

  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal during shutdown: exiting now, requests still open are cut');
      void exit(logger, 1);
      return;
    }
    stopping = true;
    void shutdown(gateway, http, signal).then(
      (clean) => exit(logger, clean ? 0 : 1),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        return exit(logger, 1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

/**
 * The Kubernetes sequence: readiness fails at once; requests are still served for drainDelayMs
 * (endpoints are removed meanwhile), each answered with Connection: close; then the listener
 * stops and every request that reached the server, even one still sending its body, is answered;
 * then the trace and the audit are flushed; then sessions are freed. Resolves false when
 * shutdownTimeoutMs ran out first.
 */
async function shutdown(gateway: Gateway, http: HttpServer, signal: NodeJS.Signals): Promise<boolean> {
  const { logger, config } = gateway;
  const { drainDelayMs, shutdownTimeoutMs } = config.server;
  gateway.failReadiness();
  http.startDraining();
  logger.info({ signal, drainDelayMs }, 'shutting down: readiness failed, serving with Connection: close during the drain delay');
  await new Promise((r) => setTimeout(r, drainDelayMs));
  const deadline = Date.now() + shutdownTimeoutMs;
  const answered = await http.close(shutdownTimeoutMs);
  if (!answered) logger.error({ shutdownTimeoutMs }, 'shutdown timeout: connections still open were closed');
  const closed = await Promise.race([
    gateway.close(Math.max(0, deadline - Date.now())).then(() => true),
    new Promise<false>((r) => setTimeout(() => r(false), Math.max(0, deadline - Date.now())).unref()),
  ]);
  if (!closed) logger.error({ shutdownTimeoutMs }, 'shutdown timeout: trace/audit flush or session release did not finish');
  if (answered && closed) logger.info('shutdown complete');
  return answered && closed;
}

async function exit(logger: Logger, code: number): Promise<never> {
  await flushLogger(logger);
  process.exit(code);
}
