import { loadConfig } from '../config/load-config.js';
import { digester } from '../contracts/digest.js';
import { buildGrpc } from '../build-grpc.js';
import { Gateway } from '../gateway.js';
import type { GrpcServer } from '../grpc/grpc-server.js';
import { HttpServer } from '../http/server.js';
import { createLogger, flushLogger, type Logger } from '../logger.js';
import { loadTracing } from '../tracing/tracing-env.js';
import { joinClusterIfWorker } from './cluster.js';
import { parseArgs } from './registry-cli.js';

/** `modelgate serve`: load config and models, listen, and shut down as Kubernetes expects on SIGTERM/SIGINT. */
export async function serveCommand(args: string[] = []): Promise<void> {
  parseArgs(args, ['workers']);
  const config = loadConfig();
  // Started by main.ts before this module loaded pg and ioredis (their instrumentations patch them).
  const tracing = await loadTracing();
  const gateway = new Gateway(config, tracing ? { tracing, logger: createLogger(config.logLevel, tracing.logFields) } : {});
  const { logger } = gateway;
  // The last net under every timer and listener: a promise nobody awaited is counted and logged
  // ('unhandled-rejection'), never the end of the process (Node's default) with every request in it.
  process.on('unhandledRejection', (err) => gateway.background.failed('unhandled-rejection', err));
  await gateway.start();
  if (digester.algorithm !== 'blake3') {
    logger.warn({ digest: digester.algorithm }, "@napi-rs/blake-hash's binding did not load on this platform: cache keys and trace digests of inputs are SHA-256 (slower on large inputs)");
  }
  joinClusterIfWorker(gateway);
  // gRPC first: the "listening" line (HTTP) is the signal that everything serves.
  const grpc = buildGrpc(gateway);
  const grpcPort = grpc ? await grpc.listen(config.grpc.port, config.host) : undefined;
  const closed = gateway.metrics.connectionsClosed;
  const http = new HttpServer(gateway.app.fetch, config.server, {
    trustedProxies: config.http.trustedProxies,
    onConnectionClosed: (reason) => closed.labels({ reason }).inc(),
  });
  const port = await http.listen(config.port, config.host);
  if (grpcPort !== undefined) logger.info({ grpcPort, pid: process.pid }, `modelgate gRPC (OIP V2) listening on ${config.host}:${grpcPort}`);
  // Whether node was started with --no-memory-reducer, as npm start, the image and the manifests do (README, "Serving large tensors").
  const memoryReducer = process.execArgv.includes('--no-memory-reducer') ? 'off' : 'on';
  logger.info({ port, host: config.host, models: gateway.repository.models(), memoryReducer }, `modelgate listening on http://${config.host}:${port}`);

  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal during shutdown: exiting now, requests still open are cut');
      void exit(logger, 1);
      return;
    }
    stopping = true;
    void shutdown(gateway, http, grpc, signal).then(
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
 * The Kubernetes sequence: readiness fails at once (gRPC health turns NOT_SERVING); requests are
 * still served for drainDelayMs (endpoints are removed meanwhile), each answered with Connection:
 * close; then the listeners (HTTP and gRPC) stop and every request or call that reached the
 * server, even one still sending its body, is answered; then the trace and the audit are flushed;
 * then sessions are freed. Resolves false when shutdownTimeoutMs ran out first.
 */
async function shutdown(gateway: Gateway, http: HttpServer, grpc: GrpcServer | undefined, signal: NodeJS.Signals): Promise<boolean> {
  const { logger, config } = gateway;
  const { drainDelayMs, shutdownTimeoutMs } = config.server;
  gateway.failReadiness();
  http.startDraining();
  grpc?.startDraining();
  logger.info({ signal, drainDelayMs }, 'shutting down: readiness failed, serving with Connection: close during the drain delay');
  await new Promise((r) => setTimeout(r, drainDelayMs));
  const deadline = Date.now() + shutdownTimeoutMs;
  // gRPC calls in flight are drained alongside HTTP's, under the same deadline.
  const [httpAnswered, grpcAnswered] = await Promise.all([http.close(shutdownTimeoutMs), grpc?.close(shutdownTimeoutMs) ?? true]);
  const answered = httpAnswered && grpcAnswered;
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
