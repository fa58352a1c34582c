import type { Db } from './db.js';

/** One forward-only schema step. Applied in order, each in its own transaction, recorded once. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'registry: versions, stages, aliases, gate results, tokens',
    sql: `
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

      CREATE TABLE model_versions (
        model              TEXT NOT NULL,
        version            TEXT NOT NULL,
        data_version       TEXT NOT NULL,
        training_data_hash TEXT NOT NULL,
        parent_version     TEXT,
        artifact_sha256    TEXT NOT NULL UNIQUE,
        artifact_bytes     INTEGER NOT NULL,
        holdout_sha256     TEXT,
        manifest           TEXT NOT NULL,
        stage              TEXT NOT NULL DEFAULT 'none'
                           CHECK (stage IN ('none', 'staging', 'production', 'archived')),
        registered_by      TEXT NOT NULL,
        registered_at      TEXT NOT NULL,
        stage_updated_at   TEXT NOT NULL,
        PRIMARY KEY (model, version)
      );
      -- At most one production and one staging version per model, enforced by the database.
      CREATE UNIQUE INDEX model_versions_one_production ON model_versions (model) WHERE stage = 'production';
      CREATE UNIQUE INDEX model_versions_one_staging ON model_versions (model) WHERE stage = 'staging';

      CREATE TABLE stage_transitions (
        id         INTEGER PRIMARY KEY,
        model      TEXT NOT NULL,
        version    TEXT NOT NULL,
        from_stage TEXT NOT NULL,
        to_stage   TEXT NOT NULL,
        actor      TEXT NOT NULL,
        reason     TEXT,
        gate_id    INTEGER REFERENCES gate_results (id),
        overrides  TEXT NOT NULL DEFAULT '[]',
        at         TEXT NOT NULL,
        FOREIGN KEY (model, version) REFERENCES model_versions (model, version)
      );
      CREATE INDEX stage_transitions_version ON stage_transitions (model, version);

      CREATE TABLE aliases (
        model      TEXT NOT NULL,
        alias      TEXT NOT NULL,
        version    TEXT NOT NULL,
        updated_by TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (model, alias),
        FOREIGN KEY (model, version) REFERENCES model_versions (model, version)
      );

      CREATE TABLE gate_results (
        id               INTEGER PRIMARY KEY,
        model            TEXT NOT NULL,
        version          TEXT NOT NULL,
        baseline_version TEXT,
        passed           INTEGER NOT NULL,
        result           TEXT NOT NULL,
        actor            TEXT NOT NULL,
        at               TEXT NOT NULL,
        FOREIGN KEY (model, version) REFERENCES model_versions (model, version)
      );
      CREATE INDEX gate_results_version ON gate_results (model, version);

      CREATE TABLE tokens (
        id           INTEGER PRIMARY KEY,
        principal    TEXT NOT NULL UNIQUE,
        role         TEXT NOT NULL CHECK (role IN ('viewer', 'deployer', 'approver', 'admin')),
        token_sha256 TEXT NOT NULL UNIQUE,
        created_by   TEXT NOT NULL,
        created_at   TEXT NOT NULL,
        revoked_at   TEXT
      );
    `,
  },
  {
    version: 2,
    name: 'audit log: hash chain, append-only',
    sql: `
      CREATE TABLE audit_log (
        seq       INTEGER PRIMARY KEY,
        at        TEXT NOT NULL,
        actor     TEXT NOT NULL,
        action    TEXT NOT NULL,
        target    TEXT NOT NULL,
        before    TEXT,
        after     TEXT,
        reason    TEXT,
        prev_hash TEXT NOT NULL,
        hash      TEXT NOT NULL
      );
      CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: UPDATE refused'); END;
      CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: DELETE refused'); END;
    `,
  },
  {
    version: 3,
    name: 'rollback overrides (held in the store, so a restart keeps them)',
    sql: `CREATE TABLE rollback_overrides (model TEXT PRIMARY KEY, since TEXT NOT NULL, actor TEXT NOT NULL, reason TEXT NOT NULL);`,
  },
];

/** Apply the migrations this database lacks; returns the versions applied now. */
export function migrate(db: Db, migrations: readonly Migration[] = MIGRATIONS, now: () => Date = () => new Date()): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`);
  const applied = new Set(
    (db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version),
  );
  const done: number[] = [];
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    if (applied.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      record.run(m.version, m.name, now().toISOString());
    }).immediate();
    done.push(m.version);
  }
  return done;
}
