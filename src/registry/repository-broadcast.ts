import { randomUUID } from 'node:crypto';
import type { Logger } from '../logger.js';
import type { ModelRepository, RepositoryEvent } from '../repository/model-repository.js';
import type { SqlEngine } from './sql-engine.js';

const PREFIX = 'repo ';

/**
 * Loads and unloads made through one replica's repository API (Triton's load/unload), replayed on
 * every other replica: the op is announced on the registry's channel and peers apply it when the
 * version is not already in that state (so a replayed or repeated op changes nothing). A replayed
 * op is not audited again: the replica it was made through audited it.
 */
export class RepositoryBroadcast {
  private readonly id = randomUUID();
  /** Ops this replica is applying on a peer's behalf, as `type name version`. */
  private readonly replaying = new Set<string>();

  constructor(
    private readonly engine: SqlEngine,
    private readonly repository: () => ModelRepository,
    private readonly logger: Logger,
  ) {}

  /** Whether the event is this replica replaying a peer's op (consumes the mark). */
  isReplay(e: RepositoryEvent): boolean {
    return this.replaying.delete(`${e.type} ${e.name} ${e.version}`);
  }

  announce(e: RepositoryEvent): void {
    this.engine
      .announce(`${PREFIX}${this.id} ${e.type} ${e.name} ${e.version}`)
      .catch((err: unknown) => this.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'could not announce a load/unload to the other replicas'));
  }

  /** Apply an announced op if it is another replica's; returns false when the payload is not an op. */
  handle(payload: string): boolean {
    if (!payload.startsWith(PREFIX)) return false;
    const [from, type, name, version] = payload.slice(PREFIX.length).split(' ');
    if (from === this.id || !name || !version) return true;
    void this.apply(type === 'loaded' ? 'loaded' : 'unloaded', name, version);
    return true;
  }

  private async apply(type: RepositoryEvent['type'], name: string, version: string): Promise<void> {
    const repo = this.repository();
    const loaded = repo.get(name, version) !== undefined;
    if ((type === 'loaded') === loaded) return;
    const key = `${type} ${name} ${version}`;
    this.replaying.add(key);
    try {
      if (type === 'loaded') await repo.load(name, version);
      else await repo.unload(name, version);
    } catch (err) {
      this.logger.warn({ model: name, version, err: err instanceof Error ? err.message : String(err) }, `replaying a peer's ${type === 'loaded' ? 'load' : 'unload'} failed`);
    } finally {
      this.replaying.delete(key);
    }
  }
}
