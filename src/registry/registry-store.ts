import { Manifest } from '../contracts/manifest.js';
import { compareSemver } from '../repository/semver.js';
import type { Stage } from '../contracts/stages.js';
import type { SqlEngine } from './sql-engine.js';
import type { GateResult } from './validation-gate.js';


/** A registered version: lineage, where its bytes are, its stage, and who registered it. */
export interface VersionRecord {
  model: string;
  version: string;
  /** null: unknown (an imported model whose training data nobody recorded). */
  dataVersion: string | null;
  trainingDataHash: string | null;
  parentVersion: string | null;
  artifactSha256: string;
  artifactBytes: number;
  holdoutSha256: string | null;
  stage: Stage;
  registeredBy: string;
  registeredAt: string;
  stageUpdatedAt: string;
  manifest: Manifest;
}

export interface StageTransition {
  id: number;
  model: string;
  version: string;
  from: Stage;
  to: Stage;
  actor: string;
  reason: string | null;
  gateId: number | null;
  /** Rules an admin overrode for this transition: four_eyes, gate. */
  overrides: string[];
  at: string;
}

export interface StoredGateResult {
  id: number;
  model: string;
  version: string;
  baselineVersion: string | null;
  passed: boolean;
  actor: string;
  at: string;
  result: GateResult;
}

export interface AliasRecord {
  alias: string;
  version: string;
  updatedBy: string;
  updatedAt: string;
}

interface VersionRow {
  model: string;
  version: string;
  data_version: string;
  training_data_hash: string;
  parent_version: string | null;
  artifact_sha256: string;
  artifact_bytes: number;
  holdout_sha256: string | null;
  manifest: string;
  stage: Stage;
  registered_by: string;
  registered_at: string;
  stage_updated_at: string;
}

interface TransitionRow {
  id: number;
  model: string;
  version: string;
  from_stage: Stage;
  to_stage: Stage;
  actor: string;
  reason: string | null;
  gate_id: number | null;
  overrides: string;
  at: string;
}

interface GateRow {
  id: number;
  model: string;
  version: string;
  baseline_version: string | null;
  passed: number;
  result: string;
  actor: string;
  at: string;
}

const toVersion = (r: VersionRow): VersionRecord => ({
  model: r.model,
  version: r.version,
  // The columns are NOT NULL from the first schema: '' stores "unknown".
  dataVersion: r.data_version || null,
  trainingDataHash: r.training_data_hash || null,
  parentVersion: r.parent_version,
  artifactSha256: r.artifact_sha256,
  artifactBytes: r.artifact_bytes,
  holdoutSha256: r.holdout_sha256,
  stage: r.stage,
  registeredBy: r.registered_by,
  registeredAt: r.registered_at,
  stageUpdatedAt: r.stage_updated_at,
  manifest: Manifest.parse(JSON.parse(r.manifest)),
});

const toTransition = (r: TransitionRow): StageTransition => ({
  id: r.id,
  model: r.model,
  version: r.version,
  from: r.from_stage,
  to: r.to_stage,
  actor: r.actor,
  reason: r.reason,
  gateId: r.gate_id,
  overrides: JSON.parse(r.overrides) as string[],
  at: r.at,
});

const toGate = (r: GateRow): StoredGateResult => ({
  id: r.id,
  model: r.model,
  version: r.version,
  baselineVersion: r.baseline_version,
  passed: r.passed === 1,
  actor: r.actor,
  at: r.at,
  // Written by this module from a GateResult; the database is ours.
  result: JSON.parse(r.result) as GateResult,
});

/** Rows of the registry tables in and out, on either engine. No rules here: lifecycle.ts decides, this stores. */
export class RegistryStore {
  constructor(readonly db: SqlEngine) {}

  /** Run fn in one write transaction, serialised against every other writer (nested calls join it). */
  transaction<T>(fn: () => Promise<T>): Promise<T> {
    return this.db.transaction(fn);
  }

  async modelNames(): Promise<string[]> {
    return (await this.db.all<{ model: string }>('SELECT DISTINCT model FROM model_versions ORDER BY model')).map((r) => r.model);
  }

  /** Every version of a model, lowest semver first. */
  async versions(model: string): Promise<VersionRecord[]> {
    const rows = await this.db.all<VersionRow>('SELECT * FROM model_versions WHERE model = ?', [model]);
    return rows.map(toVersion).sort((a, b) => compareSemver(a.version, b.version));
  }

  /** Versions that should serve (every stage but archived), lowest semver first, without parsing manifests. */
  async servingVersions(model: string): Promise<string[]> {
    const rows = await this.db.all<{ version: string }>("SELECT version FROM model_versions WHERE model = ? AND stage != 'archived'", [model]);
    return rows.map((r) => r.version).sort(compareSemver);
  }

  async get(model: string, version: string): Promise<VersionRecord | undefined> {
    const row = await this.db.get<VersionRow>('SELECT * FROM model_versions WHERE model = ? AND version = ?', [model, version]);
    return row ? toVersion(row) : undefined;
  }

  byArtifact(sha256: string): Promise<{ model: string; version: string } | undefined> {
    return this.db.get('SELECT model, version FROM model_versions WHERE artifact_sha256 = ?', [sha256]);
  }

  /** model -> { production, staging } in one query (the routing cache). */
  async stageMap(): Promise<Map<string, { production?: string; staging?: string }>> {
    const rows = await this.db.all<{ model: string; version: string; stage: 'production' | 'staging' }>(
      "SELECT model, version, stage FROM model_versions WHERE stage IN ('production', 'staging')",
    );
    const map = new Map<string, { production?: string; staging?: string }>();
    for (const r of rows) {
      const entry = map.get(r.model) ?? {};
      entry[r.stage] = r.version;
      map.set(r.model, entry);
    }
    return map;
  }

  /** `model@version` -> stage, for every version (the trace's stage lookup). */
  async stageIndex(): Promise<Map<string, Stage>> {
    const rows = await this.db.all<{ model: string; version: string; stage: Stage }>('SELECT model, version, stage FROM model_versions');
    return new Map(rows.map((r) => [`${r.model}@${r.version}`, r.stage]));
  }

  async insertVersion(v: Omit<VersionRecord, 'stage' | 'stageUpdatedAt'>): Promise<void> {
    await this.db.run(
      `INSERT INTO model_versions (model, version, data_version, training_data_hash, parent_version, artifact_sha256,
         artifact_bytes, holdout_sha256, manifest, stage, registered_by, registered_at, stage_updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'none', ?, ?, ?)`,
      [
        v.model, v.version, v.dataVersion ?? '', v.trainingDataHash ?? '', v.parentVersion, v.artifactSha256, v.artifactBytes,
        v.holdoutSha256, JSON.stringify(v.manifest), v.registeredBy, v.registeredAt, v.registeredAt,
      ],
    );
  }

  async setStage(model: string, version: string, stage: Stage, at: string): Promise<void> {
    await this.db.run('UPDATE model_versions SET stage = ?, stage_updated_at = ? WHERE model = ? AND version = ?', [stage, at, model, version]);
  }

  async addTransition(t: Omit<StageTransition, 'id'>): Promise<number> {
    const row = await this.db.get<{ id: number }>(
      `INSERT INTO stage_transitions (model, version, from_stage, to_stage, actor, reason, gate_id, overrides, at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
      [t.model, t.version, t.from, t.to, t.actor, t.reason, t.gateId, JSON.stringify(t.overrides), t.at],
    );
    return Number(row?.id);
  }

  async transitions(model: string, version?: string): Promise<StageTransition[]> {
    const rows =
      version === undefined
        ? await this.db.all<TransitionRow>('SELECT * FROM stage_transitions WHERE model = ? ORDER BY id', [model])
        : await this.db.all<TransitionRow>('SELECT * FROM stage_transitions WHERE model = ? AND version = ? ORDER BY id', [model, version]);
    return rows.map(toTransition);
  }

  /** The transition that last put this version into `stage` at or before `at` (ISO time). */
  async lastTransitionTo(model: string, version: string, stage: Stage, at?: string): Promise<StageTransition | undefined> {
    const row = await this.db.get<TransitionRow>(
      `SELECT * FROM stage_transitions WHERE model = ? AND version = ? AND to_stage = ? AND at <= ?
       ORDER BY id DESC LIMIT 1`,
      [model, version, stage, at ?? '9999'],
    );
    return row ? toTransition(row) : undefined;
  }

  async addGateResult(g: Omit<StoredGateResult, 'id'>): Promise<number> {
    const row = await this.db.get<{ id: number }>(
      `INSERT INTO gate_results (model, version, baseline_version, passed, result, actor, at)
       VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
      [g.model, g.version, g.baselineVersion, g.passed ? 1 : 0, JSON.stringify(g.result), g.actor, g.at],
    );
    return Number(row?.id);
  }

  async gateResults(model: string, version: string): Promise<StoredGateResult[]> {
    const rows = await this.db.all<GateRow>('SELECT * FROM gate_results WHERE model = ? AND version = ? ORDER BY id DESC', [model, version]);
    return rows.map(toGate);
  }

  async gateResult(id: number): Promise<StoredGateResult | undefined> {
    const row = await this.db.get<GateRow>('SELECT * FROM gate_results WHERE id = ?', [id]);
    return row ? toGate(row) : undefined;
  }

  aliases(model: string): Promise<AliasRecord[]> {
    return this.db.all<AliasRecord>(
      'SELECT alias, version, updated_by AS "updatedBy", updated_at AS "updatedAt" FROM aliases WHERE model = ? ORDER BY alias',
      [model],
    );
  }

  /** model -> alias -> version, for every model (the routing cache). */
  async aliasMap(): Promise<Map<string, Record<string, string>>> {
    const rows = await this.db.all<{ model: string; alias: string; version: string }>('SELECT model, alias, version FROM aliases');
    const map = new Map<string, Record<string, string>>();
    for (const r of rows) map.set(r.model, { ...map.get(r.model), [r.alias]: r.version });
    return map;
  }

  async setAlias(model: string, alias: string, version: string, by: string, at: string): Promise<void> {
    await this.db.run(
      `INSERT INTO aliases (model, alias, version, updated_by, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (model, alias) DO UPDATE SET version = excluded.version, updated_by = excluded.updated_by,
         updated_at = excluded.updated_at`,
      [model, alias, version, by, at],
    );
  }

  async deleteAlias(model: string, alias: string): Promise<boolean> {
    return (await this.db.run('DELETE FROM aliases WHERE model = ? AND alias = ?', [model, alias])) > 0;
  }

  async getMeta(key: string): Promise<string | undefined> {
    return (await this.db.get<{ value: string }>('SELECT value FROM meta WHERE key = ?', [key]))?.value;
  }

  async setMeta(key: string, value: string): Promise<void> {
    await this.db.run('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [key, value]);
  }
}
