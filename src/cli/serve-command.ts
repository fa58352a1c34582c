import { serve } from '@hono/node-server';
import type { Server } from 'node:http';
import { loadConfig } from '../config/load-config.js';
import { Gateway } from '../gateway.js';
import { joinClusterIfWorker } from './cluster.js';

/** `modelgate serve`: load config and models, listen, and shut down gracefully on SIGTERM/SIGINT. */
export async function serveCommand(): Promise<void> {
  const config = loadConfig();
  const gateway = new Gateway(config);
  const { logger } = gateway;
  await gateway.start();
  joinClusterIfWorker(gateway);
  const server = serve({ fetch: gateway.app.fetch, port: config.port, hostname: config.host }) as Server;
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  logger.info({ port, host: config.host, models: gateway.repository.models() }, `modelgate listening on http://${config.host}:${port}`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: draining in-flight requests');
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    await gateway.close();
    server.closeAllConnections();
    await closed;
    logger.info('shutdown complete');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}
