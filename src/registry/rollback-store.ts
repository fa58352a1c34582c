import type { AuditLog } from '../audit/audit-log.js';
import type { AuditEvent } from '../contracts/audit.js';
import type { RollbackOverride, SharedRollbacks } from '../contracts/rollback.js';
import type { SqlEngine } from './sql-engine.js';

/**
 * Rollback overrides in the registry database: on PostgreSQL every replica reads the same rows
 * (announced like a promotion), so a rollback made through one replica holds on all of them
 * without Unleash; on SQLite a restart keeps them.
 */
export class RollbackStore implements SharedRollbacks {
  constructor(
    private readonly db: SqlEngine,
    private readonly audit: AuditLog,
  ) {}

  /** Store the override (null: clear it) and its audit row in one transaction, then tell the other replicas. */
  async save(model: string, override: RollbackOverride | null, event: AuditEvent): Promise<void> {
    await this.db.transaction(async () => {
      if (override) {
        await this.db.run(
          `INSERT INTO rollback_overrides (model, since, actor, reason) VALUES (?, ?, ?, ?)
           ON CONFLICT (model) DO UPDATE SET since = excluded.since, actor = excluded.actor, reason = excluded.reason`,
          [model, override.since, override.actor, override.reason],
        );
      } else {
        await this.db.run('DELETE FROM rollback_overrides WHERE model = ?', [model]);
      }
      await this.audit.append(event);
      await this.db.announce(model);
    });
  }

  async load(): Promise<Map<string, RollbackOverride>> {
    const rows = await this.db.all<RollbackOverride & { model: string }>('SELECT model, since, actor, reason FROM rollback_overrides');
    return new Map(rows.map(({ model, ...o }) => [model, o]));
  }
}
