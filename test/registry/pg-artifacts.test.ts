import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistrySettings } from '../../src/config/registry-schema.js';
import { sha256Hex } from '../../src/registry/artifact-store.js';
import { PgArtifacts } from '../../src/registry/engines/pg-artifacts.js';
import { openEngine } from '../../src/registry/open-registry.js';
import type { SqlEngine } from '../../src/registry/sql-engine.js';
import { createTestDatabase, postgresAvailable, type TestDatabase } from '../support/postgres.js';
import { requireService } from '../support/services.js';

const pgUp = requireService('postgres', await postgresAvailable());

/** Shared mode stores an uploaded model from its file in chunks: never one value, never whole in memory. */
describe.skipIf(!pgUp)('PostgreSQL artifacts from an uploaded file', () => {
  let db: TestDatabase;
  let engine: SqlEngine;
  let dir: string;
  beforeAll(async () => {
    db = await createTestDatabase();
    const opened = openEngine(RegistrySettings.parse({ databaseUrl: db.url }));
    engine = opened.engine;
    await opened.ready;
    dir = await mkdtemp(join(tmpdir(), 'modelgate-pg-artifacts-'));
  });
  afterAll(async () => {
    await engine?.close();
    await db?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const file = async (bytes: Buffer) => {
    const path = join(dir, sha256Hex(bytes));
    await writeFile(path, bytes);
    return { path, bytes: bytes.length, sha256: sha256Hex(bytes) };
  };

  it('stores the file in chunk rows and reads back the same bytes, once however often it is stored', async () => {
    const bytes = randomBytes(4500);
    const artifacts = new PgArtifacts(engine, 1000);
    const f = await file(bytes);
    expect(await artifacts.putFile(f, 'onnx')).toBe(f.sha256);
    expect(await artifacts.putFile(f, 'onnx')).toBe(f.sha256);
    expect((await db.query(`SELECT seq, length(bytes) AS n FROM artifact_chunks WHERE sha256 = '${f.sha256}' ORDER BY seq`)).rows).toEqual([
      { seq: 0, n: 1000 }, { seq: 1, n: 1000 }, { seq: 2, n: 1000 }, { seq: 3, n: 1000 }, { seq: 4, n: 500 },
    ]);
    expect(Buffer.from(await artifacts.get(f.sha256, 'onnx')).equals(bytes)).toBe(true);
    // Blobs stored whole (before chunks existed, holdout sets) still read.
    const whole = randomBytes(300);
    expect(Buffer.from(await artifacts.get(await artifacts.put(whole, 'json'), 'json')).equals(whole)).toBe(true);
  });

  it('refuses a blob whose chunks were changed behind its back', async () => {
    const artifacts = new PgArtifacts(engine, 1000);
    const f = await file(randomBytes(2500));
    await artifacts.putFile(f, 'onnx');
    await db.query(`UPDATE artifact_chunks SET bytes = '\\x00'::bytea WHERE sha256 = '${f.sha256}' AND seq = 1`);
    await expect(artifacts.get(f.sha256, 'onnx')).rejects.toMatchObject({ reason: 'hash_mismatch' });
  });
});
