import type { BackgroundWork } from '../contracts/background.js';
import { readFile } from 'node:fs/promises';
import type { GatewayConfig } from '../config/schema.js';
import type { Logger } from '../logger.js';
import type { GatewayMetrics } from '../metrics/gateway-metrics.js';
import { FileFlagSource, parseFlags } from './file-flag-source.js';
import type { FlagSource } from './flag-source.js';
import type { ClientFeatures } from './flags-schema.js';
import { UnleashFlagSource } from './unleash-flag-source.js';

/**
 * The configured flag source. Unleash mode bootstraps from the flags file, so a server that is
 * down at start still routes by the last flags the operator committed.
 */
export async function createFlagSource(config: GatewayConfig, logger: Logger, metrics: GatewayMetrics, background?: BackgroundWork): Promise<FlagSource> {
  const { flags } = config;
  if (flags.source === 'file') return FileFlagSource.create(flags.file, logger, metrics, { background });
  const { url, apiToken, appName, environment, refreshIntervalMs } = flags.unleash;
  if (!url) throw new Error('flags.source is unleash but no UNLEASH_URL / flags.unleash.url is set');
  let bootstrap: ClientFeatures | undefined;
  try {
    bootstrap = parseFlags(await readFile(flags.file, 'utf8'));
  } catch {
    bootstrap = undefined;
  }
  const source = new UnleashFlagSource({ url, apiToken, appName, environment, refreshIntervalMs, bootstrap }, logger, metrics);
  await source.ready(Math.max(2_000, refreshIntervalMs * 2));
  logger.info({ url, refreshIntervalMs }, 'flags from the Unleash server');
  return source;
}
