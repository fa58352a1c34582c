import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Manifest } from '../contracts/manifest.js';
import { isModelName, isVersion } from '../contracts/names.js';
import { compareSemver } from './semver.js';
import { manifestFromGraph } from './graph-manifest.js';
import { LoadFailure } from './load-failure.js';
import { readTritonConfig } from './triton-config.js';
import { readArtifact, readManifest, readWarmupFile } from './version-loader.js';

/** A verified version ready to load: its manifest and artifact bytes (sha256 already checked). */
export interface SourceVersion {
  manifest: Manifest;
  artifact: Uint8Array;
  /** Settings read but not applied (e.g. of a Triton config.pbtxt): logged at load. */
  notes?: string[];
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

/**
 * models/<name>/<version>/{manifest.json, model.onnx}. A Triton/TF Serving-style folder without
 * manifest.json (models/<name>/[config.pbtxt], <name>/1/model.onnx) is served with the manifest
 * read from the graph, config.pbtxt's inputs, outputs and max_batch_size applied.
 */
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
    if (!(await exists(join(dir, 'manifest.json'))) && (await exists(join(dir, 'model.onnx')))) return readGraphOnly(this.root, name, version);
    const manifest = await readManifest(dir, { name, version });
    return { manifest, artifact: await readArtifact(dir, manifest) };
  }
}

/** A version folder holding only model.onnx: the manifest comes from the graph (+ config.pbtxt, warmup.json). */
async function readGraphOnly(root: string, name: string, version: string): Promise<SourceVersion> {
  const dir = join(root, name, version);
  const artifact = new Uint8Array(await readFile(join(dir, 'model.onnx')));
  const triton = await readTritonConfig(root, name);
  const warmup = await readWarmupFile(dir);
  try {
    const manifest = await manifestFromGraph(artifact, {
      name,
      version,
      ...(triton ? { tensors: triton.tensors, maxBatchSize: triton.maxBatchSize } : {}),
      ...(warmup ? { warmup } : {}),
    });
    return { manifest, artifact, notes: (triton?.unsupported ?? []).map((n) => `config.pbtxt: ${n}`) };
  } catch (err) {
    if (err instanceof LoadFailure) throw err;
    throw new LoadFailure('invalid_manifest', `no manifest.json, and the graph could not be read: ${(err as Error).message}`);
  }
}

const exists = (path: string) => stat(path).then(() => true, () => false);

async function listDirs(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
  } catch {
    return [];
  }
}
