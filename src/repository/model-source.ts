import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Manifest } from './manifest.js';
import { isModelName, isVersion } from './names.js';
import { compareSemver } from './semver.js';
import { readArtifact, readManifest } from './version-loader.js';

/** A verified version ready to load: its manifest and artifact bytes (sha256 already checked). */
export interface SourceVersion {
  manifest: Manifest;
  artifact: Uint8Array;
}

/**
 * Where versions come from: a models/ folder, or the registry's content-addressed store.
 * `read` validates the manifest and the artifact's hash; it throws a LoadFailure otherwise.
 */
export interface ModelSource {
  names(): Promise<string[]>;
  versions(name: string): Promise<string[]>;
  read(name: string, version: string): Promise<SourceVersion>;
}

/** models/<name>/<semver>/{manifest.json, model.onnx} */
export class DirectorySource implements ModelSource {
  constructor(readonly root: string) {}

  async names(): Promise<string[]> {
    return (await listDirs(this.root)).filter(isModelName).sort();
  }

  async versions(name: string): Promise<string[]> {
    return (await listDirs(join(this.root, name))).filter(isVersion).sort(compareSemver);
  }

  async read(name: string, version: string): Promise<SourceVersion> {
    const dir = join(this.root, name, version);
    const manifest = await readManifest(dir, { name, version });
    return { manifest, artifact: await readArtifact(dir, manifest) };
  }
}

async function listDirs(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
  } catch {
    return [];
  }
}
