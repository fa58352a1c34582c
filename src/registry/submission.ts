import { z } from 'zod';
import { badRequest } from '../errors/index.js';
import { Holdout, Manifest } from '../contracts/manifest.js';
import { isModelFile } from '../contracts/model-file.js';
import { sha256Hex } from './artifact-store.js';
import type { RegisterInput } from './lifecycle-types.js';

/** A registration's files, checked before anything is stored: the manifest, the artifact's sha256 and size, the holdout set. */
export interface CheckedSubmission {
  manifest: Manifest;
  sha: string;
  size: number;
  holdout: Holdout | undefined;
}

/** Parse and check what a registration sends; every refusal is a 400 naming the file and the field. */
export function checkSubmission(input: RegisterInput): CheckedSubmission {
  const parsed = Manifest.safeParse(input.manifest);
  if (!parsed.success) throw badRequest(`invalid manifest: ${z.prettifyError(parsed.error)}`);
  const manifest = parsed.data;
  const { artifact } = input;
  // An uploaded file's sha256 and size were taken as it streamed to disk.
  const sha = isModelFile(artifact) ? artifact.sha256 : sha256Hex(artifact);
  const size = isModelFile(artifact) ? artifact.bytes : artifact.byteLength;
  if (sha !== manifest.artifact.sha256) {
    throw badRequest(`the artifact's sha256 ${sha} is not the manifest's artifact.sha256 ${manifest.artifact.sha256}`);
  }
  if (manifest.artifact.bytes !== undefined && manifest.artifact.bytes !== size) {
    throw badRequest(`the artifact has ${size} bytes, the manifest says ${manifest.artifact.bytes}`);
  }
  return { manifest, sha, size, holdout: input.holdout ? parseHoldout(input.holdout) : undefined };
}

/** A holdout set's bytes as the gate reads them (400 when they are not one). */
export function parseHoldout(bytes: Uint8Array): Holdout {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (err) {
    throw badRequest(`holdout.json is not valid JSON: ${(err as Error).message.slice(0, 200)}`);
  }
  const parsed = Holdout.safeParse(json);
  if (!parsed.success) throw badRequest(`invalid holdout.json: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}
