import type { AuditLog } from '../audit/audit-log.js';
import { GatewayError, conflict, notFound } from '../errors/index.js';
import type { Logger } from '../logger.js';
import type { SourceVersion } from '../repository/model-source.js';
import { loadVersion } from '../repository/version-loader.js';
import { isModelFile } from '../contracts/model-file.js';
import type { SessionOptions } from '../contracts/runner.js';
import type { Artifacts } from './artifact-store.js';
import type { RegistryStore, StoredGateResult, VersionRecord } from './registry-store.js';
import type { Stage } from '../contracts/stages.js';
import { checkAlias, checkMove, fourEyesOverridden } from './stage-policy.js';
import { authorize, type Principal } from '../contracts/roles.js';
import type { GateProgress, GateSubject, ValidationGate } from './validation-gate.js';
import { checkSubmission, parseHoldout } from './submission.js';
import { checkVersionRules } from './version-rules.js';
import type { LifecycleHooks, PromoteOptions, PromotionResult, RegisterInput } from './lifecycle-types.js';

export interface ModelRegistryOptions {
  store: RegistryStore;
  artifacts: Artifacts;
  audit: AuditLog;
  gate: ValidationGate;
  /** Sessions for the registration check (the ONNX must load and match its manifest). */
  session: SessionOptions;
  logger?: Logger;
  now?: () => Date;
  hooks?: LifecycleHooks;
}

/**
 * The registry's rules in one place, for the admin API and the CLI alike: registration under the
 * seed's version rules, stages and aliases, four eyes and the validation gate before production,
 * admin overrides with a reason, and an audit row for every change.
 */
export class ModelRegistry {
  private readonly now: () => Date;
  private readonly hooks: LifecycleHooks;

  constructor(private readonly opts: ModelRegistryOptions) {
    this.now = opts.now ?? (() => new Date());
    this.hooks = opts.hooks ?? {};
  }

  get store(): RegistryStore {
    return this.opts.store;
  }

  /** Register a version (stage none). Refuses a bad manifest (400), a rule violation (409), an ONNX that will not load (422). */
  async register(actor: Principal, input: RegisterInput): Promise<VersionRecord> {
    authorize(actor, 'deployer', 'registering a version');
    const { manifest, sha, size, holdout } = checkSubmission(input);
    const label = `${manifest.name}@${manifest.version}`;
    const { store, artifacts } = this.opts;
    checkVersionRules(manifest, await store.versions(manifest.name), await store.byArtifact(sha), input.importContext);

    // The graph must load and match its manifest before it is registered (422 otherwise).
    const lv = await loadVersion(manifest, input.artifact, { session: this.opts.session, runner: 'inline', workerThresholdMs: Infinity, warmupRuns: 1 });
    await lv.retire();

    await (isModelFile(input.artifact) ? artifacts.putFile(input.artifact, 'onnx') : artifacts.put(input.artifact, 'onnx'));
    const holdoutSha = input.holdout && holdout ? await artifacts.put(input.holdout, 'json') : null;
    const at = this.now().toISOString();
    const record = await store.transaction(async () => {
      // Again inside the write lock: another process may have registered meanwhile.
      checkVersionRules(manifest, await store.versions(manifest.name), await store.byArtifact(sha), input.importContext);
      const rec = {
        model: manifest.name,
        version: manifest.version,
        dataVersion: manifest.dataVersion ?? null,
        trainingDataHash: manifest.trainingDataHash ?? null,
        parentVersion: manifest.lineage.parentVersion,
        artifactSha256: sha,
        artifactBytes: size,
        holdoutSha256: holdoutSha,
        registeredBy: actor.name,
        registeredAt: at,
        manifest,
      };
      await store.insertVersion(rec);
      await this.opts.audit.append({
        actor: actor.name,
        action: 'version.register',
        target: label,
        after: {
          stage: 'none',
          dataVersion: rec.dataVersion,
          trainingDataHash: rec.trainingDataHash,
          parentVersion: rec.parentVersion,
          artifactSha256: sha,
          holdoutSha256: holdoutSha,
        },
      });
      return this.get(manifest.name, manifest.version);
    });
    await store.db.announce(manifest.name);
    this.opts.logger?.info({ model: manifest.name, version: manifest.version, actor: actor.name }, `registered ${label}`);
    await this.hooks.changed?.(manifest.name);
    return record;
  }

  /**
   * Move a version to a stage. Staging and none: deployer. Production (and out of it): approver,
   * not the principal who registered the version, and only after the validation gate passes
   * against the current production version. An admin may override four eyes and the gate with a reason.
   */
  async promote(actor: Principal, model: string, version: string, to: Stage, opts: PromoteOptions = {}): Promise<PromotionResult> {
    const record = await this.get(model, version);
    const from = record.stage;
    const label = `${model}@${version}`;
    const reason = checkMove(actor, record, to, opts);

    const overrides: string[] = [];
    let gate: StoredGateResult | null = null;
    if (to === 'production') {
      if (fourEyesOverridden(actor, record, opts.override)) overrides.push('four_eyes');
      gate = await this.runGate(actor, record, opts.onProgress);
      if (!gate.passed) {
        if (!opts.override) {
          throw new GatewayError('precondition_failed', 422, `${label} failed the validation gate against ${gate.baselineVersion ?? 'no baseline'}`, {
            details: { rule: 'validation_gate', gate: gate.result },
          });
        }
        overrides.push('gate');
      }
    }

    if (to === 'production' || to === 'staging') await this.hooks.beforeServe?.(model, version);
    const { store, audit } = this.opts;
    const at = this.now().toISOString();
    const replaced = await store.transaction(async () => {
      if ((await store.get(model, version))?.stage !== from) throw conflict(`${label} changed stage meanwhile; retry`);
      const current = to === 'production' || to === 'staging' ? (await store.versions(model)).find((v) => v.stage === to) : undefined;
      let moved: PromotionResult['replaced'] = null;
      if (current) {
        // One production and one staging version per model: the one there makes room.
        const next: Stage = to === 'production' ? 'archived' : 'none';
        await store.setStage(model, current.version, next, at);
        await store.addTransition({ model, version: current.version, from: to, to: next, actor: actor.name, reason: `replaced by ${version}`, gateId: null, overrides: [], at });
        await audit.append({
          actor: actor.name,
          action: 'version.stage',
          target: `${model}@${current.version}`,
          before: { stage: to },
          after: { stage: next },
          reason: `replaced by ${version}`,
        });
        moved = { version: current.version, stage: next };
      }
      await store.setStage(model, version, to, at);
      await store.addTransition({ model, version, from, to, actor: actor.name, reason: reason ?? null, gateId: gate?.id ?? null, overrides, at });
      for (const o of overrides) {
        await audit.append({
          actor: actor.name,
          action: `${o === 'gate' ? 'gate' : 'four_eyes'}.override`,
          target: label,
          before: o === 'gate' ? { gate: 'failed', gateId: gate?.id ?? null } : { registeredBy: record.registeredBy },
          after: { stage: to },
          reason,
        });
      }
      await audit.append({
        actor: actor.name,
        action: 'version.stage',
        target: label,
        before: { stage: from },
        after: { stage: to, ...(gate ? { gateId: gate.id, gatePassed: gate.passed } : {}), ...(overrides.length ? { overrides } : {}) },
        reason,
      });
      await store.db.announce(model);
      return moved;
    });
    this.opts.logger?.info({ model, version, from, to, actor: actor.name, overrides }, `${label}: ${from} -> ${to}`);
    await this.hooks.changed?.(model);
    return { model, version, from, to, replaced, gate, overrides };
  }

  /** Run the validation gate now (the `validate` command); the result is stored with the version. */
  async validate(actor: Principal, model: string, version: string, onProgress?: (p: GateProgress) => void): Promise<StoredGateResult> {
    authorize(actor, 'deployer', 'running the validation gate');
    return this.runGate(actor, await this.get(model, version), onProgress);
  }

  /** Point an alias at a registered, non-archived version (deployer). */
  async setAlias(actor: Principal, model: string, alias: string, version: string, reason?: string): Promise<void> {
    authorize(actor, 'deployer', 'changing an alias');
    checkAlias(alias);
    const target = await this.get(model, version);
    if (target.stage === 'archived') throw conflict(`${model}@${version} is archived; an alias cannot point at it`, { rule: 'archived' });
    const { store, audit } = this.opts;
    await store.transaction(async () => {
      const before = (await store.aliases(model)).find((a) => a.alias === alias)?.version ?? null;
      await store.setAlias(model, alias, version, actor.name, this.now().toISOString());
      await store.db.announce(model);
      await audit.append({ actor: actor.name, action: 'alias.set', target: `${model}:${alias}`, before: { version: before }, after: { version }, reason });
    });
    await this.hooks.changed?.(model);
  }

  async deleteAlias(actor: Principal, model: string, alias: string, reason?: string): Promise<void> {
    authorize(actor, 'deployer', 'changing an alias');
    checkAlias(alias);
    const { store, audit } = this.opts;
    await store.transaction(async () => {
      const before = (await store.aliases(model)).find((a) => a.alias === alias);
      if (!before) throw notFound(`model '${model}' has no alias '${alias}'`);
      await store.deleteAlias(model, alias);
      await store.db.announce(model);
      await audit.append({ actor: actor.name, action: 'alias.delete', target: `${model}:${alias}`, before: { version: before.version }, after: null, reason });
    });
    await this.hooks.changed?.(model);
  }

  /**
   * Set a stage without rules: only for the first-start import of the models/ folder, which
   * predates governance. Audited like any other move, with the importer as actor.
   */
  async bootstrapStage(actor: string, model: string, version: string, to: Stage, reason: string): Promise<void> {
    const { store, audit } = this.opts;
    const at = this.now().toISOString();
    await store.transaction(async () => {
      const from = (await this.get(model, version)).stage;
      await store.setStage(model, version, to, at);
      await store.addTransition({ model, version, from, to, actor, reason, gateId: null, overrides: [], at });
      await store.db.announce(model);
      await audit.append({ actor, action: 'version.stage', target: `${model}@${version}`, before: { stage: from }, after: { stage: to }, reason });
    });
  }

  async get(model: string, version: string): Promise<VersionRecord> {
    const r = await this.opts.store.get(model, version);
    if (!r) throw notFound(`version '${version}' of model '${model}' is not registered`);
    return r;
  }

  async versions(model: string): Promise<VersionRecord[]> {
    const vs = await this.opts.store.versions(model);
    if (vs.length === 0) throw notFound(`model '${model}' is not registered`);
    return vs;
  }

  /** A registered version's manifest and verified artifact bytes. */
  async read(model: string, version: string): Promise<SourceVersion> {
    const r = await this.get(model, version);
    return { manifest: r.manifest, artifact: await this.opts.artifacts.get(r.artifactSha256, 'onnx') };
  }

  private async subject(r: VersionRecord): Promise<GateSubject> {
    const { artifacts } = this.opts;
    const holdout = r.holdoutSha256 ? parseHoldout(await artifacts.get(r.holdoutSha256, 'json')) : undefined;
    return { manifest: r.manifest, artifact: await artifacts.get(r.artifactSha256, 'onnx'), holdout };
  }

  private async runGate(actor: Principal, record: VersionRecord, onProgress?: (p: GateProgress) => void): Promise<StoredGateResult> {
    const production = (await this.opts.store.versions(record.model)).find((v) => v.stage === 'production' && v.version !== record.version);
    const result = await this.opts.gate.run(await this.subject(record), production ? await this.subject(production) : undefined, onProgress);
    const stored = {
      model: record.model,
      version: record.version,
      baselineVersion: result.baseline,
      passed: result.passed,
      actor: actor.name,
      at: this.now().toISOString(),
      result,
    };
    const { store, audit } = this.opts;
    const id = await store.transaction(async () => {
      const gateId = await store.addGateResult(stored);
      await audit.append({
        actor: actor.name,
        action: 'gate.run',
        target: `${record.model}@${record.version}`,
        after: { gateId, passed: result.passed, baseline: result.baseline, comparison: result.comparison },
      });
      return gateId;
    });
    this.opts.logger?.info({ model: record.model, version: record.version, baseline: result.baseline, passed: result.passed }, 'validation gate');
    return { id, ...stored };
  }
}
