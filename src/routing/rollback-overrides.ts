/** An operator's "all traffic to stable, now" for one model, until cleared. */
export interface RollbackOverride {
  since: string;
  actor: string;
  reason: string;
}

/**
 * Instant rollback switches, held in memory per gateway process and checked before any flag
 * source. (Across replicas, turn the flag off in Unleash: every replica follows within the
 * refresh interval.)
 */
export class RollbackOverrides {
  private readonly active = new Map<string, RollbackOverride>();

  constructor(private readonly now: () => Date = () => new Date()) {}

  set(model: string, actor: string, reason: string): RollbackOverride {
    const o = { since: this.now().toISOString(), actor, reason };
    this.active.set(model, o);
    return o;
  }

  clear(model: string): RollbackOverride | undefined {
    const o = this.active.get(model);
    this.active.delete(model);
    return o;
  }

  get(model: string): RollbackOverride | undefined {
    return this.active.get(model);
  }
}
