import { afterEach, describe, expect, it } from 'vitest';
import { SqliteEngine } from '../../src/registry/engines/sqlite-engine.js';
import { ADMIN_TOKEN } from '../support/gateway.js';
import { createToken, startGoverned, type GovernedGateway } from '../support/governance.js';

const MODEL = 'property-valuation';

interface AuditRow {
  actor: string;
  action: string;
  target: string;
}

async function auditRows(g: GovernedGateway): Promise<AuditRow[]> {
  const res = await g.call('/admin/audit?limit=1000', { token: ADMIN_TOKEN });
  return ((await res.json()) as { records: AuditRow[] }).records;
}

/**
 * The registry's disk made full for real: SQLite's page limit set to the pages in use plus a
 * few, then filled, so every later write fails with SQLITE_FULL as on a full volume.
 */
function fillDisk(g: GovernedGateway): void {
  const engine = g.gateway.governance?.handle.engine;
  if (!(engine instanceof SqliteEngine)) throw new Error('expected the SQLite engine');
  const { db } = engine;
  db.exec('CREATE TABLE IF NOT EXISTS test_filler (x BLOB)');
  const pages = Number(db.pragma('page_count', { simple: true }));
  db.pragma(`max_page_count = ${pages + 4}`);
  expect(() => {
    for (;;) db.prepare('INSERT INTO test_filler VALUES (randomblob(4000))').run();
  }).toThrow(/full/i);
}

describe('admin actions are durable or refused', () => {
  let g: GovernedGateway | undefined;
  afterEach(async () => {
    await g?.close();
    g = undefined;
  });

  it('a full registry disk (SQLITE_FULL) is a 503 store_unavailable with Retry-After, not a 500', async () => {
    g = await startGoverned({ versions: ['1.0.0'] });
    fillDisk(g);
    const engine = g.gateway.governance?.handle.engine as SqliteEngine;
    const err = await engine.run('INSERT INTO test_filler VALUES (randomblob(100000))').then(() => undefined, (e: unknown) => e);
    expect(err).toMatchObject({ status: 503, code: 'store_unavailable' });
    expect((err as { retryAfter?: number }).retryAfter).toBeGreaterThan(0);
  });

  it("repository unload and load with a role token are audited with the token's principal, once", async () => {
    g = await startGoverned({ versions: ['1.0.0', '1.1.0'], production: '1.0.0' });
    const dora = await createToken(g, 'dora', 'deployer');
    const unload = await g.call(`/v2/repository/models/${MODEL}/unload?version=1.1.0`, { method: 'POST', token: dora });
    expect(unload.status).toBe(200);
    const load = await g.call(`/v2/repository/models/${MODEL}/load?version=1.1.0`, { method: 'POST', token: dora });
    expect(load.status).toBe(200);
    const rows = (await auditRows(g)).filter((r) => r.target === `${MODEL}@1.1.0` && /^model\.(un)?load$/.test(r.action));
    const mine = rows.slice(-2).map((r) => ({ actor: r.actor, action: r.action }));
    expect(mine).toEqual([
      { actor: 'dora', action: 'model.unload' },
      { actor: 'dora', action: 'model.load' },
    ]);
    // Not again as `system` (the import's own loads came before).
    const system = rows.filter((r) => r.actor === 'system');
    expect(rows.indexOf(system[system.length - 1] as AuditRow)).toBeLessThan(rows.length - 2);
  });
});

describe('repository ops on names the repository does not hold', () => {
  it('answer 404 and leave no audit row', async () => {
    const g = await startGoverned({ versions: ['1.0.0'] });
    try {
      const before = (await auditRows(g)).length;
      const res = await g.call(`/v2/repository/models/no-such-model/load`, { method: 'POST', token: ADMIN_TOKEN });
      expect(res.status).toBe(404);
      const v = await g.call(`/v2/repository/models/${MODEL}/load?version=9.9.9`, { method: 'POST', token: ADMIN_TOKEN });
      expect(v.status).toBe(404);
      expect((await auditRows(g)).length).toBe(before);
    } finally {
      await g.close();
    }
  });
});
