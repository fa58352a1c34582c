import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { z } from 'zod';
import { Holdout, Manifest } from '../../src/contracts/manifest.js';
import { formatJson } from './json.js';

/**
 * Writes one model version directory (<out>/<name>/<version>/): model.onnx, an optional
 * holdout.json, and manifest.json, which is validated against the repository's schema before
 * anything is written, so the pipeline can never publish a manifest the gateway would refuse.
 */

/** A manifest as authored, before the artifact digest and holdout reference are known. */
export type ManifestDraft = Omit<z.input<typeof Manifest>, 'artifact' | 'holdout'>;

export interface BuiltModel {
  name: string;
  version: string;
  dir: string;
  /** sha256 of model.onnx. */
  sha256: string;
  metrics: Record<string, number>;
}

export const ARTIFACT_FILE = 'model.onnx';
export const HOLDOUT_FILE = 'holdout.json';
export const MANIFEST_FILE = 'manifest.json';

export const sha256 = (bytes: Uint8Array | string): string => createHash('sha256').update(bytes).digest('hex');

export async function writeRelease(
  outDir: string,
  draft: ManifestDraft,
  onnx: Uint8Array,
  holdout?: Holdout,
): Promise<BuiltModel> {
  const dir = join(outDir, draft.name, draft.version);
  const digest = sha256(onnx);
  // Fixed key order: identity, provenance, artifact, then the rest as authored.
  const { name, version, description, task, dataVersion, trainingDataHash, ...rest } = draft;
  const manifest = {
    name,
    version,
    description,
    task,
    dataVersion,
    trainingDataHash,
    artifact: { path: ARTIFACT_FILE, sha256: digest, bytes: onnx.byteLength },
    ...rest,
    ...(holdout ? { holdout: { path: HOLDOUT_FILE, rows: holdout.rows.length } } : {}),
  };
  Manifest.parse(manifest);
  if (holdout) Holdout.parse(holdout);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, ARTIFACT_FILE), onnx);
  if (holdout) await writeFile(join(dir, HOLDOUT_FILE), formatJson(holdout));
  await writeFile(join(dir, MANIFEST_FILE), formatJson(manifest));
  return { name, version, dir, sha256: digest, metrics: draft.metrics ?? {} };
}
