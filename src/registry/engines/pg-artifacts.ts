import { open } from 'node:fs/promises';
import type { ModelFile } from '../../contracts/model-file.js';
import { checked, missingArtifact, sha256Hex, type ArtifactKind, type Artifacts } from '../artifact-store.js';
import type { SqlEngine } from '../sql-engine.js';

/** An uploaded file goes in as rows of this size: never whole in memory, and under bytea's 1 GB value limit. */
const CHUNK_BYTES = 8 * 1024 * 1024;

/**
 * Artifacts in PostgreSQL (bytea): in shared mode a version registered through one replica must
 * load on every other, and replicas share no disk (a pod's emptyDir). Model graphs are read once
 * per load, so a row per blob is enough (an uploaded file: its chunks in artifact_chunks, the row
 * counting them); the hash is checked again on every read.
 */
export class PgArtifacts implements Artifacts {
  constructor(
    private readonly db: SqlEngine,
    private readonly chunkBytes = CHUNK_BYTES,
  ) {}

  async put(bytes: Uint8Array, kind: ArtifactKind): Promise<string> {
    const sha = sha256Hex(bytes);
    await this.db.run('INSERT INTO artifacts (sha256, kind, bytes) VALUES (?, ?, ?) ON CONFLICT DO NOTHING', [sha, kind, Buffer.from(bytes)]);
    return sha;
  }

  /**
   * The file chunk by chunk, then its row: a blob is listed only once every chunk is in. Chunks are
   * fixed slices of content named by its hash, so a retry or a concurrent upload writes the same rows.
   */
  async putFile(file: ModelFile, kind: ArtifactKind): Promise<string> {
    const sha = file.sha256;
    if (await this.db.get('SELECT 1 AS one FROM artifacts WHERE sha256 = ? AND kind = ?', [sha, kind])) return sha;
    const chunks = Math.ceil(file.bytes / this.chunkBytes);
    const fh = await open(file.path, 'r');
    try {
      for (let seq = 0; seq < chunks; seq++) {
        const at = seq * this.chunkBytes;
        const chunk = Buffer.alloc(Math.min(this.chunkBytes, file.bytes - at));
        await fh.read(chunk, 0, chunk.length, at);
        await this.db.run('INSERT INTO artifact_chunks (sha256, kind, seq, bytes) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING', [sha, kind, seq, chunk]);
      }
    } finally {
      await fh.close();
    }
    await this.db.run('INSERT INTO artifacts (sha256, kind, bytes, chunks) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING', [sha, kind, Buffer.alloc(0), chunks]);
    return sha;
  }

  async get(sha256: string, kind: ArtifactKind): Promise<Uint8Array> {
    const row = await this.db.get<{ bytes: Buffer; chunks: number }>('SELECT bytes, chunks FROM artifacts WHERE sha256 = ? AND kind = ?', [sha256, kind]);
    if (!row) throw missingArtifact(sha256);
    if (row.chunks === 0) return checked(sha256, row.bytes);
    const parts = await this.db.all<{ bytes: Buffer }>('SELECT bytes FROM artifact_chunks WHERE sha256 = ? AND kind = ? ORDER BY seq', [sha256, kind]);
    return checked(sha256, Buffer.concat(parts.map((p) => p.bytes)));
  }
}
