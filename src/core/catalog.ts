import { modelNotFound, versionNotFound } from '../errors/index.js';
import { unbatchableReason } from '../contracts/batch-axes.js';
import type { LoadedVersion } from '../contracts/loaded-version.js';
import type { OutputConversion } from '../contracts/manifest.js';
import type { ModelRepository } from '../repository/model-repository.js';
import type { VersionRouter } from '../routing/version-router.js';

/**
 * The read side of the data plane: what is served, each version's metadata (OIP's model
 * metadata plus modelgate's parameters), readiness, and the model list of the JSON API.
 */
export class ModelCatalog {
  constructor(
    private readonly repository: ModelRepository,
    private readonly router: VersionRouter,
    private readonly serving: () => boolean,
    /** Parts that work but not fully (e.g. the trace on a full disk): name -> why. */
    private readonly degradedParts: () => Record<string, string> = () => ({}),
  ) {}

  /** What serves in a degraded state (readiness details); empty when everything works. */
  degraded(): Record<string, string> {
    return this.degradedParts();
  }

  /** Ready to take traffic: started, not shutting down, and at least one model loaded. */
  ready(): boolean {
    return this.serving() && this.repository.models().length > 0;
  }

  /** A loaded version (the stable one when none is named): 404 otherwise. */
  version(model: string, version?: string): LoadedVersion {
    if (!this.repository.has(model)) throw modelNotFound(model);
    if (version === undefined) return this.router.stable(model);
    const lv = this.repository.get(model, version);
    if (!lv) throw versionNotFound(model, version);
    return lv;
  }

  /** OIP model metadata of a version, with modelgate's own parameters. */
  metadata(model: string, version?: string) {
    const lv = this.version(model, version);
    return {
      name: lv.name,
      versions: this.repository.versions(lv.name).map((x) => x.version),
      platform: 'onnxruntime_onnx',
      inputs: lv.manifest.inputs.map(({ name, datatype, shape, batchAxis }) => ({ name, datatype, shape, ...(batchAxis !== undefined ? { parameters: { batch_axis: batchAxis } } : {}) })),
      outputs: lv.manifest.outputs.map(({ name, datatype, shape, converted }) => ({ name, datatype, shape, ...(converted ? { parameters: conversionParameters(converted) } : {}) })),
      parameters: {
        version: lv.version,
        stable_version: this.router.stable(lv.name).version,
        execution_provider: lv.runner.provider,
        runner: lv.runner.mode,
        data_version: lv.manifest.dataVersion ?? null,
        artifact_sha256: lv.manifest.artifact.sha256,
        ...unbatchable(lv),
      },
      features: lv.manifest.features,
      metrics: lv.manifest.metrics,
    };
  }

  /** OIP readiness of a model (any version loaded) or of one version; unknown ones are 404. */
  modelReady(model: string, version?: string): { name: string; version?: string; ready: boolean } {
    if (version === undefined) {
      if (!this.repository.has(model)) throw modelNotFound(model);
      return { name: model, ready: true };
    }
    const loaded = this.repository.get(model, version) !== undefined;
    if (!loaded && !this.repository.state(model, version)) {
      throw this.repository.has(model) ? versionNotFound(model, version) : modelNotFound(model);
    }
    return { name: model, version, ready: loaded };
  }

  /** The JSON API's model list: every model with its versions, providers, features and metrics. */
  models() {
    return this.repository.models().map((name) => ({
      name,
      stable_version: this.router.stable(name).version,
      versions: this.repository.versions(name).map((lv) => ({
        version: lv.version,
        data_version: lv.manifest.dataVersion ?? null,
        provider: lv.runner.provider,
        runner: lv.runner.mode,
        features: lv.manifest.features.map((f) => f.name),
        metrics: lv.manifest.metrics,
      })),
    }));
  }
}

/** Whether requests to this version can share a dynamic batch, and why not. */
function unbatchable(lv: LoadedVersion): { batchable: boolean; unbatchable_reason?: string } {
  const reason = unbatchableReason(lv.manifest);
  return reason ? { batchable: false, unbatchable_reason: reason } : { batchable: true };
}

/**
 * An output served in place of a non-tensor one (skl2onnx's ZipMap): its class labels, column
 * by column, where OIP clients look for a tensor's extras (Triton keeps them in a label file).
 */
function conversionParameters(c: OutputConversion) {
  return { converted_from: c.from, labels: c.labels, ...(c.labelOutput ? { label_output: c.labelOutput } : {}) };
}
