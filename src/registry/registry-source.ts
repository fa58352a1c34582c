import type { ModelSource, SourceVersion } from '../repository/model-source.js';
import { LoadFailure } from '../repository/version-loader.js';
import type { Artifacts } from './artifact-store.js';
import type { RegistryStore } from './registry-store.js';

/**
 * The repository's view of the registry: every registered version that is not archived, read
 * from the content-addressed store with its sha256 checked again on the way out.
 */
export class RegistrySource implements ModelSource {
  constructor(
    private readonly store: RegistryStore,
    private readonly artifacts: Artifacts,
  ) {}

  async names(): Promise<string[]> {
    const names: string[] = [];
    for (const m of await this.store.modelNames()) if ((await this.store.servingVersions(m)).length > 0) names.push(m);
    return names;
  }

  async versions(name: string): Promise<string[]> {
    return this.store.servingVersions(name);
  }

  async read(name: string, version: string): Promise<SourceVersion> {
    const record = await this.store.get(name, version);
    if (!record) throw new LoadFailure('missing_manifest', `${name}@${version} is not registered`);
    if (record.manifest.artifact.sha256 !== record.artifactSha256) {
      throw new LoadFailure('hash_mismatch', `${name}@${version}: the registered artifact is not the manifest's`);
    }
    return { manifest: record.manifest, artifact: await this.artifacts.get(record.artifactSha256, 'onnx') };
  }
}
