import type { FlagContext, FlagSource } from './flag-source.js';
import type { RollbackOverrides } from './rollback-overrides.js';
import type { RoutingContext } from '../contracts/prediction.js';
import type { FlagChoice, FlagRouter } from './version-router.js';

/**
 * The Unleash context of a request. Stickiness never falls to chance: userId is the caller's
 * x-user-id; sessionId is x-session-id, else the tenant, else the client address, so that
 * `default` stickiness (userId, then sessionId) is always deterministic.
 */
export function flagContext(ctx: RoutingContext): FlagContext {
  const properties = ctx.tenantId ? { ...ctx.properties, tenantId: ctx.tenantId } : ctx.properties;
  return {
    userId: ctx.userId,
    sessionId: ctx.sessionId ?? ctx.tenantId ?? ctx.remoteAddress ?? 'anonymous',
    remoteAddress: ctx.remoteAddress,
    properties,
  };
}

/**
 * Chooses a version by flag: rollback override first, then the model's flag. A variant names a
 * version or alias by its payload value (else by its name). Everything else is a fallback reason.
 */
export class FlagVersionChooser implements FlagRouter {
  constructor(
    private readonly source: FlagSource,
    private readonly flagName: (model: string) => string,
    private readonly overrides: RollbackOverrides,
  ) {}

  choose(model: string, ctx: RoutingContext): FlagChoice {
    if (this.overrides.get(model)) return { fallback: 'rollback' };
    const flag = this.flagName(model);
    const def = this.source.definition(flag);
    if (!def) return { fallback: 'no_flag' };
    if (!def.enabled) return { fallback: 'flag_disabled' };
    const v = this.source.getVariant(flag, flagContext(ctx));
    if (!v.featureEnabled) return { fallback: 'not_in_rollout' };
    if (!v.enabled) return { fallback: 'no_variant' };
    return { variant: v.name, target: v.payload?.value ?? v.name };
  }
}
