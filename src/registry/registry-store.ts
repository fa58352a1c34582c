import { Manifest } from '../repository/manifest.js';
import { compareSemver } from '../repository/semver.js';
import type { Db } from './db.js';
import type { GateResult } from './validation-gate.js';

export const STAGES = ['none', 'staging', 'production', 'archived'] as const;
export type Stage = (typeof STAGES)[number];

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

/** Rows of the registry tables in and out. No rules here: lifecycle.ts decides, this stores. */
export class RegistryStore {
  constructor(readonly db: Db) {}

  /** Run fn in one IMMEDIATE transaction (nested calls become savepoints). */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  modelNames(): string[] {
    return (this.db.prepare('SELECT DISTINCT model FROM model_versions ORDER BY model').all() as { model: string }[]).map((r) => r.model);
  }

  /** Every version of a model, lowest semver first. */
  versions(model: string): VersionRecord[] {
    const rows = this.db.prepare('SELECT * FROM model_versions WHERE model = ?').all(model) as VersionRow[];
    return rows.map(toVersion).sort((a, b) => compareSemver(a.version, b.version));
  }

  /** Versions that should serve (every stage but archived), lowest semver first, without parsing manifests. */
  servingVersions(model: string): string[] {
    const rows = this.db
      .prepare("SELECT version FROM model_versions WHERE model = ? AND stage != 'archived'")
      .all(model) as { version: string }[];
    return rows.map((r) => r.version).sort(compareSemver);
  }

  get(model: string, version: string): VersionRecord | undefined {
    const row = this.db.prepare('SELECT * FROM model_versions WHERE model = ? AND version = ?').get(model, version) as VersionRow | undefined;
    return row ? toVersion(row) : undefined;
  }

  byArtifact(sha256: string): { model: string; version: string } | undefined {
    return this.db.prepare('SELECT model, version FROM model_versions WHERE artifact_sha256 = ?').get(sha256) as
      | { model: string; version: string }
      | undefined;
  }

  /** model -> { production, staging } in one query (the routing cache). */
  stageMap(): Map<string, { production?: string; staging?: string }> {
    const rows = this.db
      .prepare("SELECT model, version, stage FROM model_versions WHERE stage IN ('production', 'staging')")
      .all() as { model: string; version: string; stage: 'production' | 'staging' }[];
    const map = new Map<string, { production?: string; staging?: string }>();
    for (const r of rows) {
      const entry = map.get(r.model) ?? {};
      entry[r.stage] = r.version;
      map.set(r.model, entry);
    }
    return map;
  }

  /** `model@version` -> stage, for every version (the trace's stage lookup). */
  stageIndex(): Map<string, Stage> {
    const rows = this.db.prepare('SELECT model, version, stage FROM model_versions').all() as { model: string; version: string; stage: Stage }[];
    return new Map(rows.map((r) => [`${r.model}@${r.version}`, r.stage]));
  }

  insertVersion(v: Omit<VersionRecord, 'stage' | 'stageUpdatedAt'>): void {
    this.db
      .prepare(
        `INSERT INTO model_versions (model, version, data_version, training_data_hash, parent_version, artifact_sha256,
           artifact_bytes, holdout_sha256, manifest, stage, registered_by, registered_at, stage_updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'none', ?, ?, ?)`,
      )
      .run(
        v.model, v.version, v.dataVersion ?? '', v.trainingDataHash ?? '', v.parentVersion, v.artifactSha256, v.artifactBytes,
        v.holdoutSha256, JSON.stringify(v.manifest), v.registeredBy, v.registeredAt, v.registeredAt,
      );
  }

  setStage(model: string, version: string, stage: Stage, at: string): void {
    this.db.prepare('UPDATE model_versions SET stage = ?, stage_updated_at = ? WHERE model = ? AND version = ?').run(stage, at, model, version);
  }

  addTransition(t: Omit<StageTransition, 'id'>): number {
    const info = this.db
      .prepare(
        `INSERT INTO stage_transitions (model, version, from_stage, to_stage, actor, reason, gate_id, overrides, at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(t.model, t.version, t.from, t.to, t.actor, t.reason, t.gateId, JSON.stringify(t.overrides), t.at);
    return Number(info.lastInsertRowid);
  }

  transitions(model: string, version?: string): StageTransition[] {
    const rows = (
      version === undefined
        ? this.db.prepare('SELECT * FROM stage_transitions WHERE model = ? ORDER BY id').all(model)
        : this.db.prepare('SELECT * FROM stage_transitions WHERE model = ? AND version = ? ORDER BY id').all(model, version)
    ) as TransitionRow[];
    return rows.map(toTransition);
  }

  /** The transition that last put this version into `stage` at or before `at` (ISO time). */
  lastTransitionTo(model: string, version: string, stage: Stage, at?: string): StageTransition | undefined {
    const row = this.db
      .prepare(
        `SELECT * FROM stage_transitions WHERE model = ? AND version = ? AND to_stage = ? AND at <= ?
         ORDER BY id DESC LIMIT 1`,
      )
      .get(model, version, stage, at ?? '9999') as TransitionRow | undefined;
    return row ? toTransition(row) : undefined;
  }

  addGateResult(g: Omit<StoredGateResult, 'id'>): number {
    const info = this.db
      .prepare(
        `INSERT INTO gate_results (model, version, baseline_version, passed, result, actor, at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(g.model, g.version, g.baselineVersion, g.passed ? 1 : 0, JSON.stringify(g.result), g.actor, g.at);
    return Number(info.lastInsertRowid);
  }

  gateResults(model: string, version: string): StoredGateResult[] {
    const rows = this.db
      .prepare('SELECT * FROM gate_results WHERE model = ? AND version = ? ORDER BY id DESC')
      .all(model, version) as GateRow[];
    return rows.map(toGate);
  }

  gateResult(id: number): StoredGateResult | undefined {
    const row = this.db.prepare('SELECT * FROM gate_results WHERE id = ?').get(id) as GateRow | undefined;
    return row ? toGate(row) : undefined;
  }

  aliases(model: string): AliasRecord[] {
    return this.db
      .prepare('SELECT alias, version, updated_by AS updatedBy, updated_at AS updatedAt FROM aliases WHERE model = ? ORDER BY alias')
      .all(model) as AliasRecord[];
  }

  /** model -> alias -> version, for every model (the routing cache). */
  aliasMap(): Map<string, Record<string, string>> {
    const rows = this.db.prepare('SELECT model, alias, version FROM aliases').all() as { model: string; alias: string; version: string }[];
    const map = new Map<string, Record<string, string>>();
    for (const r of rows) map.set(r.model, { ...map.get(r.model), [r.alias]: r.version });
    return map;
  }

  setAlias(model: string, alias: string, version: string, by: string, at: string): void {
    this.db
      .prepare(
        `INSERT INTO aliases (model, alias, version, updated_by, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (model, alias) DO UPDATE SET version = excluded.version, updated_by = excluded.updated_by,
           updated_at = excluded.updated_at`,
      )
      .run(model, alias, version, by, at);
  }

  deleteAlias(model: string, alias: string): boolean {
    return this.db.prepare('DELETE FROM aliases WHERE model = ? AND alias = ?').run(model, alias).changes > 0;
  }

  getMeta(key: string): string | undefined {
    return (this.db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined)?.value;
  }

  setMeta(key: string, value: string): void {
    this.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
  }
}
