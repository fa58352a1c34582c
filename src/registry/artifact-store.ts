import { createHash, randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { copyFile, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LoadFailure } from '../repository/version-loader.js';
import type { ModelFile } from '../contracts/model-file.js';

export type ArtifactKind = 'onnx' | 'json';

const SHA256_RE = /^[0-9a-f]{64}$/;

export const sha256Hex = (bytes: Uint8Array | string): string => createHash('sha256').update(bytes).digest('hex');

/** Content-addressed blobs (model graphs, holdout sets): a folder (embedded) or PostgreSQL (shared by replicas). */
export interface Artifacts {
  /** Store the bytes; returns their sha256. Storing the same bytes twice is a no-op. */
  put(bytes: Uint8Array, kind: ArtifactKind): Promise<string>;
  /** Store an uploaded file under its (streamed) sha256; returns it. */
  putFile(file: ModelFile, kind: ArtifactKind): Promise<string>;
  /** The blob's bytes, refused (LoadFailure) when missing or when its content no longer hashes to its name. */
  get(sha256: string, kind: ArtifactKind): Promise<Uint8Array>;
}

/** The blob's bytes if they still hash to their name, else a LoadFailure (both stores check every read). */
export function checked(sha256: string, bytes: Buffer): Uint8Array {
  const actual = sha256Hex(bytes);
  if (actual !== sha256) {
    throw new LoadFailure('hash_mismatch', `artifact sha256:${sha256} is corrupt in the store (its content hashes to ${actual})`);
  }
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export const missingArtifact = (sha256: string): LoadFailure =>
  new LoadFailure('missing_artifact', `artifact sha256:${sha256} is missing from the artifact store`);

/**
 * Content-addressed blobs: `<root>/sha256/<aa>/<hash>.<kind>`. A blob is written once (temp file,
 * then rename), never changed, and its hash is checked again on every read.
 */
export class ArtifactStore implements Artifacts {
  constructor(readonly root: string) {}

  pathOf(sha256: string, kind: ArtifactKind): string {
    if (!SHA256_RE.test(sha256)) throw new Error(`not a sha256 digest: ${sha256.slice(0, 80)}`);
    return join(this.root, 'sha256', sha256.slice(0, 2), `${sha256}.${kind}`);
  }

  /** Store the bytes; returns their sha256. Storing the same bytes twice is a no-op. */
  async put(bytes: Uint8Array, kind: ArtifactKind): Promise<string> {
    return this.write(sha256Hex(bytes), kind, (tmp) => writeFile(tmp, bytes, { flag: 'wx' }));
  }

  /** Copied file to file (the kernel's copy), never through memory whole. */
  putFile(file: ModelFile, kind: ArtifactKind): Promise<string> {
    return this.write(file.sha256, kind, (tmp) => copyFile(file.path, tmp, constants.COPYFILE_EXCL));
  }

  private async write(sha: string, kind: ArtifactKind, to: (tmp: string) => Promise<void>): Promise<string> {
    const path = this.pathOf(sha, kind);
    if (await exists(path)) return sha;
    await mkdir(join(this.root, 'sha256', sha.slice(0, 2)), { recursive: true });
    const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
    await to(tmp);
    await rename(tmp, path);
    return sha;
  }

  /** The blob's bytes, refused (LoadFailure) when missing or when its content no longer hashes to its name. */
  async get(sha256: string, kind: ArtifactKind): Promise<Uint8Array> {
    let bytes: Buffer;
    try {
      bytes = await readFile(this.pathOf(sha256, kind));
    } catch {
      throw missingArtifact(sha256);
    }
    return checked(sha256, bytes);
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
