import type { RollbackOverride } from '../contracts/rollback.js';

/**
 * Instant rollback switches, checked before any flag source. This is the in-memory view the
 * request path reads; with a registry the overrides live in its database and the view is
 * refreshed from it when any replica announces a change (or by the poll).
 */
export class RollbackOverrides {
  private active = new Map<string, RollbackOverride>();
  private readonly listeners: ((model: string, override: RollbackOverride | undefined) => void)[] = [];

  constructor(readonly now: () => Date = () => new Date()) {}

  /** Set an override (made now by `actor`, or one already stored as it is). */
  set(model: string, override: RollbackOverride): RollbackOverride;
  set(model: string, actor: string, reason: string): RollbackOverride;
  set(model: string, actorOrOverride: string | RollbackOverride, reason = ''): RollbackOverride {
    const o = typeof actorOrOverride === 'string' ? { since: this.now().toISOString(), actor: actorOrOverride, reason } : actorOrOverride;
    this.active.set(model, o);
    this.notify(model, o);
    return o;
  }

  clear(model: string): RollbackOverride | undefined {
    const o = this.active.get(model);
    this.active.delete(model);
    this.notify(model, undefined);
    return o;
  }

  get(model: string): RollbackOverride | undefined {
    return this.active.get(model);
  }

  /** Replace the whole view with what the shared store holds. */
  replaceAll(overrides: Map<string, RollbackOverride>): void {
    this.active = overrides;
  }

  /** Told of every set and clear made here (a cluster worker passes them to its siblings). */
  onChange(listener: (model: string, override: RollbackOverride | undefined) => void): void {
    this.listeners.push(listener);
  }

  /** Take an override set in another worker of this host as is, without telling the listeners. */
  apply(model: string, override: RollbackOverride | undefined): void {
    if (override) this.active.set(model, override);
    else this.active.delete(model);
  }

  private notify(model: string, override: RollbackOverride | undefined): void {
    for (const l of this.listeners) l(model, override);
  }
}
