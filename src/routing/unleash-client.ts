import { InMemStorageProvider, Unleash, type ClientFeaturesResponse } from 'unleash-client';
import { memoFor } from './decision-memo.js';
import type { FlagContext, FlagVariant } from './flag-source.js';
import type { ClientFeatures, FeatureFlag } from './flags-schema.js';

/** A URL that is never contacted: unleash-client requires one even offline. */
const OFFLINE_URL = 'http://127.0.0.1:9/offline';

/**
 * An unleash-client that evaluates the given flags with no network and no files (FLAGS.md):
 * refreshInterval 0, metrics off, in-memory storage, bootstrapped from the data. Resolves once
 * the data is live. Empty feature lists never become ready in unleash-client: callers skip them.
 */
export async function offlineUnleash(data: ClientFeatures): Promise<Unleash> {
  const client = new Unleash({
    appName: 'modelgate',
    url: OFFLINE_URL,
    refreshInterval: 0,
    disableMetrics: true,
    skipInstanceCountWarning: true,
    storageProvider: new InMemStorageProvider<ClientFeaturesResponse>(),
    bootstrap: { data: data.features as unknown as ClientFeaturesResponse['features'] },
  });
  client.on('error', () => undefined);
  client.on('warn', () => undefined);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('flags did not become ready within 5 s')), 5_000);
    client.once('synchronized', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  return client;
}

/**
 * Evaluate one flag for one context with unleash-client (never throws). A context seen before for
 * an unchanged, deterministic definition gets the remembered answer (decision-memo.ts), counted in
 * unleash-client's metrics exactly as an evaluation is.
 */
export function evaluate(client: Unleash | undefined, flag: string, ctx: FlagContext): FlagVariant {
  if (!client) return { name: 'disabled', enabled: false, featureEnabled: false };
  const memo = memoFor(client.getFeatureToggleDefinition(flag));
  const known = memo?.get(ctx);
  if (known) {
    if (known.name) client.countVariant(flag, known.name);
    client.count(flag, known.featureEnabled);
    return known;
  }
  const v = client.getVariant(flag, {
    userId: ctx.userId,
    sessionId: ctx.sessionId,
    remoteAddress: ctx.remoteAddress,
    properties: ctx.properties,
  });
  const featureEnabled = v.feature_enabled ?? v.featureEnabled ?? false;
  const answer: FlagVariant = { name: v.name, enabled: v.enabled, featureEnabled, payload: v.payload };
  memo?.set(ctx, Object.freeze(answer));
  return answer;
}

export function definitionOf(client: Unleash | undefined, flag: string): FeatureFlag | undefined {
  return client?.getFeatureToggleDefinition(flag) as FeatureFlag | undefined;
}
