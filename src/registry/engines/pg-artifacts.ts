import { checked, missingArtifact, sha256Hex, type ArtifactKind, type Artifacts } from '../artifact-store.js';
import { readFile } from 'node:fs/promises';
import type { ModelFile } from '../../runtime/graph-file.js';
import type { SqlEngine } from '../sql-engine.js';

/**
 * Artifacts in PostgreSQL (bytea): in shared mode a version registered through one replica must
 * load on every other, and replicas share no disk (a pod's emptyDir). Model graphs are read once
 * per load, so a row per blob is enough; the hash is checked again on every read.
 */
export class PgArtifacts implements Artifacts {
  constructor(private readonly db: SqlEngine) {}

  async put(bytes: Uint8Array, kind: ArtifactKind): Promise<string> {
    const sha = sha256Hex(bytes);
    await this.db.run('INSERT INTO artifacts (sha256, kind, bytes) VALUES (?, ?, ?) ON CONFLICT DO NOTHING', [sha, kind, Buffer.from(bytes)]);
    return sha;
  }

  /** A bytea row is one parameter: the file is read whole here (the one copy in memory in shared mode). */
  async putFile(file: ModelFile, kind: ArtifactKind): Promise<string> {
    return this.put(new Uint8Array(await readFile(file.path)), kind);
  }

  async get(sha256: string, kind: ArtifactKind): Promise<Uint8Array> {
    const row = await this.db.get<{ bytes: Buffer }>('SELECT bytes FROM artifacts WHERE sha256 = ? AND kind = ?', [sha256, kind]);
    if (!row) throw missingArtifact(sha256);
    return checked(sha256, row.bytes);
  }
}
