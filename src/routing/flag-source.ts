import type { FeatureFlag } from './flags-schema.js';

/** The Unleash evaluation context a request maps to. */
export interface FlagContext {
  userId?: string;
  sessionId?: string;
  remoteAddress?: string;
  properties: Record<string, string>;
}

export interface FlagVariant {
  name: string;
  enabled: boolean;
  /** Whether the flag itself is on for this context (false: kill switch or rollout excludes it). */
  featureEnabled: boolean;
  payload?: { type: string; value: string };
}

/**
 * Feature flags behind one interface: evaluated by unleash-client over the embedded flags file
 * or a real Unleash server. Evaluation never throws and never waits on the network.
 */
export interface FlagSource {
  readonly kind: 'file' | 'unleash';
  getVariant(flag: string, ctx: FlagContext): FlagVariant;
  /** The flag's current definition, if the source knows it. */
  definition(flag: string): FeatureFlag | undefined;
  close(): Promise<void>;
}
