import type { AuditEvent, AuditSink } from '../contracts/audit.js';
import type { ShadowSettings } from '../config/schema.js';
import { modelNotFound } from '../errors/index.js';
import type { Logger } from '../logger.js';
import type { ModelRepository } from '../repository/model-repository.js';
import type { FlagSource } from '../routing/flag-source.js';
import type { RollbackOverrides } from '../routing/rollback-overrides.js';
import type { RollbackOverride, SharedRollbacks } from '../contracts/rollback.js';
import { routingView } from '../routing/routing-view.js';
import type { VersionRouter } from '../routing/version-router.js';

export interface RoutingControlOptions {
  repository: ModelRepository;
  router: VersionRouter;
  overrides: RollbackOverrides;
  /** The registry's store of overrides (shared by replicas on PostgreSQL); absent without a registry. */
  shared?: () => SharedRollbacks | undefined;
  flags: () => FlagSource | undefined;
  flagName: (model: string) => string;
  shadow: (model: string) => ShadowSettings | undefined;
  audit: AuditSink;
  logger: Logger;
}

/**
 * Routing as ops act on it: the routing view of a model, and the instant rollback (all traffic
 * to the stable version, overriding every flag source until cleared), audited with its actor.
 */
export class RoutingControl {
  constructor(private readonly opts: RoutingControlOptions) {}

  view(model: string) {
    this.known(model);
    const { opts } = this;
    return routingView({
      model,
      flagName: opts.flagName(model),
      router: opts.router,
      flags: opts.flags(),
      override: opts.overrides.get(model),
      shadow: opts.shadow(model),
    });
  }

  async rollback(model: string, actor: string, reason: string | undefined) {
    this.known(model);
    const { overrides, logger, router } = this.opts;
    const before = overrides.get(model) ?? null;
    // Stored and audited first: a rollback that cannot be recorded (503) is not made either.
    const after = { since: overrides.now().toISOString(), actor, reason: reason ?? '' };
    await this.record(model, after, { actor, action: 'rollback', target: model, before, after, reason });
    overrides.set(model, after);
    logger.warn({ model, actor, stable: router.stable(model).version }, 'rollback: all traffic to the stable version');
    return this.view(model);
  }

  async clearRollback(model: string, actor: string) {
    this.known(model);
    const before = this.opts.overrides.get(model) ?? null;
    await this.record(model, null, { actor, action: 'rollback.clear', target: model, before, after: null });
    this.opts.overrides.clear(model);
    this.opts.logger.info({ model, actor }, 'rollback cleared: flags route again');
    return this.view(model);
  }

  /** Audit the change; with a registry, store it with its audit row so every replica follows. */
  private record(model: string, after: RollbackOverride | null, event: AuditEvent): Promise<unknown> {
    const shared = this.opts.shared?.();
    return shared ? shared.save(model, after, event) : this.opts.audit.append(event);
  }

  private known(model: string): void {
    if (!this.opts.repository.has(model)) throw modelNotFound(model);
  }
}
