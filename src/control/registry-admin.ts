import type { Principal } from '../contracts/roles.js';
import type { Stage } from '../contracts/stages.js';
import { badRequest } from '../errors/index.js';
import { manifestForUpload, type GraphUploadFields } from '../registry/graph-upload.js';
import type { ModelRegistry } from '../registry/lifecycle.js';
import type { PromoteOptions } from '../registry/lifecycle-types.js';
import type { VersionRecord } from '../registry/registry-store.js';
import type { GateProgress } from '../registry/validation-gate.js';

/** A version as the API shows it (the manifest on the detail view only). */
export const versionView = (v: VersionRecord) => ({
  model: v.model,
  version: v.version,
  stage: v.stage,
  data_version: v.dataVersion,
  training_data_hash: v.trainingDataHash,
  parent_version: v.parentVersion,
  artifact_sha256: v.artifactSha256,
  artifact_bytes: v.artifactBytes,
  holdout_sha256: v.holdoutSha256,
  learner: v.manifest.lineage.learner ?? null,
  registered_by: v.registeredBy,
  registered_at: v.registeredAt,
  stage_updated_at: v.stageUpdatedAt,
});

/** A version upload: the manifest as sent (parsed JSON) or, without one, the fields it is read from the graph with. */
export type VersionUpload = {
  artifact: Parameters<ModelRegistry['register']>[1]['artifact'];
  holdout?: Uint8Array;
} & ({ manifest: unknown } | { fields: GraphUploadFields });

/**
 * Registry administration as every caller makes it (admin routes, CLI): versions with lineage,
 * registration, stage moves, the validation gate, aliases. Each change goes through
 * ModelRegistry, which stores it with its audit event (the caller's principal) before it counts.
 */
export class RegistryAdmin {
  constructor(private readonly registry: ModelRegistry) {}

  /** Every model with its production and staging versions, aliases and versions. */
  async models() {
    const store = this.registry.store;
    const models = [];
    for (const name of await store.modelNames()) {
      const [versions, aliases] = await Promise.all([store.versions(name), store.aliases(name)]);
      models.push({
        name,
        production: versions.find((v) => v.stage === 'production')?.version ?? null,
        staging: versions.find((v) => v.stage === 'staging')?.version ?? null,
        aliases: Object.fromEntries(aliases.map((a) => [a.alias, a.version])),
        versions: versions.map((v) => ({ version: v.version, stage: v.stage, data_version: v.dataVersion })),
      });
    }
    return { models };
  }

  async versions(model: string) {
    return { model, versions: (await this.registry.versions(model)).map(versionView) };
  }

  /** One version with its aliases, stage history, gate results and manifest. */
  async version(model: string, version: string) {
    const v = await this.registry.get(model, version);
    const store = this.registry.store;
    return {
      ...versionView(v),
      aliases: (await store.aliases(model)).filter((a) => a.version === version).map((a) => a.alias),
      stage_history: await store.transitions(model, version),
      gate_results: await store.gateResults(model, version),
      manifest: v.manifest,
    };
  }

  async gate(model: string, version: string) {
    await this.registry.get(model, version);
    return { model, version, gate_results: await this.registry.store.gateResults(model, version) };
  }

  /** Registers an uploaded version of `model`; a manifest naming another model is refused (400). */
  async register(actor: Principal, model: string, upload: VersionUpload) {
    const { artifact, holdout } = upload;
    const manifest = 'fields' in upload ? await manifestForUpload(model, artifact, upload.fields) : upload.manifest;
    if (!('fields' in upload)) {
      const manifestName = (manifest as { name?: unknown } | null)?.name;
      if (manifestName !== model) throw badRequest(`the manifest names model '${String(manifestName)}', not '${model}'`);
    }
    return versionView(await this.registry.register(actor, { manifest, artifact, ...(holdout ? { holdout } : {}) }));
  }

  promote(actor: Principal, model: string, version: string, stage: Stage, opts: PromoteOptions) {
    return this.registry.promote(actor, model, version, stage, opts);
  }

  /** Throws the version's 404 at once, before any gate work (a stream starts only for a version that exists). */
  async exists(model: string, version: string): Promise<void> {
    await this.registry.get(model, version);
  }

  validate(actor: Principal, model: string, version: string, progress?: (p: GateProgress) => void) {
    return this.registry.validate(actor, model, version, progress);
  }

  async aliases(model: string) {
    await this.registry.versions(model);
    return { model, aliases: await this.registry.store.aliases(model) };
  }

  async setAlias(actor: Principal, model: string, alias: string, version: string, reason?: string) {
    await this.registry.setAlias(actor, model, alias, version, reason);
    return { model, alias, version };
  }

  deleteAlias(actor: Principal, model: string, alias: string): Promise<void> {
    return this.registry.deleteAlias(actor, model, alias);
  }
}
