import type { AuditSink } from '../contracts/audit.js';
import type { Logger } from '../logger.js';
import type { LoadedVersion } from '../contracts/loaded-version.js';
import type { ModelRepository, RepositoryEvent } from '../repository/model-repository.js';

/**
 * Repository load and unload as an operator makes them (Triton's repository API): audited with
 * the caller's principal BEFORE the repository acts, so an op that cannot be recorded (the store
 * unreachable or its disk full: 503) changes nothing. The loads and unloads an op causes are
 * claimed here, so the registry's per-event audit (actor `system`) does not record them twice.
 */
export class RepositoryControl {
  /** `name` of each op in progress, with how many are in progress. */
  private readonly inProgress = new Map<string, number>();

  constructor(
    private readonly repository: ModelRepository,
    private readonly audit: AuditSink,
    private readonly logger: Logger,
  ) {}

  /** Triton's repository index: every version seen, with its state and why. */
  index(): ReturnType<ModelRepository['index']> {
    return this.repository.index();
  }

  async load(model: string, version: string | undefined, actor: string): Promise<LoadedVersion[]> {
    const target = version ? `${model}@${version}` : model;
    // A name the source does not hold is refused (404) by the load itself, with no audit row.
    const known = (await this.repository.index()).some((e) => e.name === model && (!version || e.version === version));
    if (!known) return this.repository.load(model, version);
    await this.audit.append({ actor, action: 'model.load', target });
    return this.during(model, () => this.repository.load(model, version), actor, 'model.load.failed', target);
  }

  async unload(model: string, version: string | undefined, actor: string): Promise<string[]> {
    // What would be unloaded is checked first: a refused unload (404) leaves no audit row.
    const loaded = this.repository.versions(model).map((lv) => lv.version);
    const target = version ? `${model}@${version}` : model;
    if (loaded.length === 0 || (version && !loaded.includes(version))) return this.repository.unload(model, version);
    await this.audit.append({ actor, action: 'model.unload', target, before: { loaded } });
    return this.during(model, () => this.repository.unload(model, version), actor, 'model.unload.failed', target);
  }

  /** Whether the repository event comes from an op made here (already audited with its principal). */
  claims(e: RepositoryEvent): boolean {
    return (this.inProgress.get(e.name) ?? 0) > 0;
  }

  private async during<T>(model: string, fn: () => Promise<T>, actor: string, failed: string, target: string): Promise<T> {
    this.inProgress.set(model, (this.inProgress.get(model) ?? 0) + 1);
    try {
      return await fn();
    } catch (err) {
      // The intent is on record; so is its outcome (best effort: the store may be what failed).
      const reason = err instanceof Error ? err.message.slice(0, 500) : String(err);
      this.audit.append({ actor, action: failed, target, reason }).catch((e: unknown) => this.logger.warn({ err: String(e) }, 'audit log: could not record a failed load/unload'));
      throw err;
    } finally {
      const n = (this.inProgress.get(model) ?? 1) - 1;
      if (n > 0) this.inProgress.set(model, n);
      else this.inProgress.delete(model);
    }
  }
}
