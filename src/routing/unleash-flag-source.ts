import { InMemStorageProvider, Unleash, type ClientFeaturesResponse } from 'unleash-client';
import type { Logger } from '../logger.js';
import type { GatewayMetrics } from '../metrics/gateway-metrics.js';
import type { FlagContext, FlagSource, FlagVariant } from './flag-source.js';
import type { ClientFeatures } from './flags-schema.js';
import { definitionOf, evaluate } from './unleash-client.js';

export interface UnleashSourceOptions {
  url: string;
  apiToken?: string;
  appName: string;
  environment: string;
  refreshIntervalMs: number;
  /** Flags to serve until the server answers (the flags file): a down server never fails a request. */
  bootstrap?: ClientFeatures;
}

/**
 * A real Unleash server through unleash-client: polls every refreshInterval and keeps evaluating
 * the last known flags (bootstrapped from the flags file) while the server is unreachable.
 */
export class UnleashFlagSource implements FlagSource {
  readonly kind = 'unleash' as const;
  private readonly client: Unleash;
  private lastError = '';

  constructor(opts: UnleashSourceOptions, private readonly logger: Logger, private readonly metrics: GatewayMetrics) {
    this.client = new Unleash({
      url: opts.url,
      appName: opts.appName,
      environment: opts.environment,
      refreshInterval: opts.refreshIntervalMs,
      customHeaders: opts.apiToken ? { Authorization: opts.apiToken } : undefined,
      storageProvider: new InMemStorageProvider<ClientFeaturesResponse>(),
      bootstrap: opts.bootstrap ? { data: opts.bootstrap.features as unknown as ClientFeaturesResponse['features'] } : undefined,
      bootstrapOverride: false,
      skipInstanceCountWarning: true,
      timeout: 2_000,
    });
    this.client.on('changed', () => this.metrics.flagReloads.inc({ source: 'unleash', result: 'ok' }));
    this.client.on('error', (err: Error) => this.onError(err));
    this.client.on('warn', (msg: string) => this.logger.debug({ msg }, 'unleash warning'));
  }

  /** Resolve once flags are usable (bootstrap or server), or after `timeoutMs` regardless. */
  async ready(timeoutMs = 5_000): Promise<void> {
    if (this.client.isSynchronized()) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.client.once('synchronized', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  getVariant(flag: string, ctx: FlagContext): FlagVariant {
    return evaluate(this.client, flag, ctx);
  }

  definition(flag: string) {
    return definitionOf(this.client, flag);
  }

  async close(): Promise<void> {
    // destroy() while a failed fetch is being retried once crashed a process (FLAGS.md): stop polling
    // first, then give in-flight timers a tick before destroying.
    this.client.removeAllListeners('changed');
    this.client.on('error', () => undefined);
    await new Promise((r) => setImmediate(r));
    this.client.destroy();
  }

  private onError(err: Error): void {
    this.metrics.flagReloads.inc({ source: 'unleash', result: 'error' });
    const message = err.message.split('\n')[0] ?? '';
    if (message !== this.lastError) {
      this.lastError = message;
      this.logger.warn({ err: message }, 'unleash server unreachable: routing on the last known flags');
    }
  }
}
