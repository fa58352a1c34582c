/** An operator's "all traffic to stable, now" for one model, until cleared. */
export interface RollbackOverride {
  since: string;
  actor: string;
  reason: string;
}

/**
 * Instant rollback switches, held in memory per gateway process (a cluster's workers pass them to
 * each other) and checked before any flag source. (Across replicas, turn the flag off in Unleash: every replica follows within the
 * refresh interval.)
 */
export class RollbackOverrides {
  private readonly active = new Map<string, RollbackOverride>();
  private readonly listeners: ((model: string, override: RollbackOverride | undefined) => void)[] = [];

  constructor(private readonly now: () => Date = () => new Date()) {}

  set(model: string, actor: string, reason: string): RollbackOverride {
    const o = { since: this.now().toISOString(), actor, reason };
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

  /** Told of every set and clear made here (a cluster worker passes them to its siblings). */
  onChange(listener: (model: string, override: RollbackOverride | undefined) => void): void {
    this.listeners.push(listener);
  }

  /** Take an override set elsewhere (another worker) as is, without telling the listeners. */
  apply(model: string, override: RollbackOverride | undefined): void {
    if (override) this.active.set(model, override);
    else this.active.delete(model);
  }

  private notify(model: string, override: RollbackOverride | undefined): void {
    for (const l of this.listeners) l(model, override);
  }

  get(model: string): RollbackOverride | undefined {
    return this.active.get(model);
  }
}
