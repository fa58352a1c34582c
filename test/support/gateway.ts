import { parseConfig } from '../../src/config/load-config.js';
import type { GatewayConfigInput } from '../../src/config/schema.js';
import { Gateway, type GatewayOptions } from '../../src/gateway.js';
import { createLogger } from '../../src/logger.js';
import { GatewayMetrics } from '../../src/metrics/gateway-metrics.js';

export const ADMIN_TOKEN = 'test-admin-token-0123456789-abcdefghij';

/** An in-process gateway over `modelsDir`, started (models loaded), with silent logs. */
export async function startGateway(
  modelsDir: string,
  overrides: Partial<GatewayConfigInput> = {},
  options: GatewayOptions = {},
): Promise<Gateway> {
  // The registry only where a test asks for it: the others must not open data/registry.db.
  const config = parseConfig({ modelsDir, logLevel: 'silent', adminToken: ADMIN_TOKEN, registry: { enabled: false }, ...overrides });
  const gateway = new Gateway(config, {
    logger: createLogger('silent'),
    metrics: new GatewayMetrics(undefined, { processMetrics: false }),
    ...options,
  });
  await gateway.start();
  return gateway;
}

export const json = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});
