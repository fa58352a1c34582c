import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog, chainHash, GENESIS_HASH } from '../../src/audit/audit-log.js';
import { PgEngine } from '../../src/registry/engines/pg-engine.js';
import { SqliteEngine } from '../../src/registry/engines/sqlite-engine.js';
import type { SqlEngine } from '../../src/registry/sql-engine.js';
import { tempDir } from '../support/fixtures.js';
import { ADMIN_TOKEN } from '../support/gateway.js';
import { createToken, demoFiles, promote, startGoverned, upload, type GovernedGateway } from '../support/governance.js';
import { createTestDatabase, postgresAvailable, type TestDatabase } from '../support/postgres.js';
import { requireService } from '../support/services.js';

/** Edit the database file behind the log's back: a separate connection, triggers dropped first. */
function tamper(path: string, sql: string): void {
  const raw = new Database(path);
  raw.exec('DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete;');
  raw.exec(sql);
  raw.close();
}

/** One engine under test: how to open a connection to the same database, and how to edit it behind the log's back. */
interface EngineCase {
  name: string;
  /**
   * Whether writers on several connections may append at the same moment in this process. Not
   * SQLite: its lock wait blocks the thread, so in-process connections take turns; its writers
   * that run at once are separate processes (the gateway and the CLI).
   */
  concurrent: boolean;
  setup(): Promise<{ open(): Promise<SqlEngine>; tamper(sql: string): Promise<void>; teardown(): Promise<void> }>;
}

const pgUp = await postgresAvailable();
const ENGINES: EngineCase[] = [
  {
    name: 'sqlite',
    concurrent: false,
    setup: async () => {
      const path = join(tempDir('modelgate-audit-'), 'registry.db');
      return { open: async () => SqliteEngine.open(path), tamper: async (sql) => tamper(path, sql), teardown: async () => undefined };
    },
  },
  ...(requireService('postgres', pgUp)
    ? [
        {
          name: 'postgres',
          concurrent: true,
          setup: async () => {
            const tdb: TestDatabase = await createTestDatabase();
            return {
              open: () => PgEngine.open(tdb.url),
              tamper: async (sql: string) => void (await tdb.query(`ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change; ${sql}`)),
              teardown: () => tdb.drop(),
            };
          },
        },
      ]
    : []),
];

describe.each(ENGINES)('audit log hash chain ($name)', (engineCase) => {
  let env: Awaited<ReturnType<EngineCase['setup']>>;
  let db: SqlEngine;
  let log: AuditLog;
  let clock = Date.parse('2026-01-01T00:00:00Z');

  beforeEach(async () => {
    env = await engineCase.setup();
    db = await env.open();
    log = new AuditLog(db, () => new Date((clock += 1000)));
    for (let i = 1; i <= 5; i++) {
      await log.append({ actor: `user${i}`, action: 'version.stage', target: `m@1.0.${i}`, before: { stage: 'none' }, after: { stage: 'staging' }, reason: `step ${i}` });
    }
  });
  afterEach(async () => {
    await db.close();
    await env.teardown();
  });

  it('chains each row to the previous one and verifies', async () => {
    const { records } = await log.page();
    expect(records.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(records[0]?.prevHash).toBe(GENESIS_HASH);
    for (let i = 1; i < records.length; i++) expect(records[i]?.prevHash).toBe(records[i - 1]?.hash);
    expect(records[2]).toMatchObject({ actor: 'user3', before: { stage: 'none' }, after: { stage: 'staging' }, reason: 'step 3' });
    expect(await log.verify()).toEqual({ ok: true, rows: 5, head: records[4]?.hash });
  });

  it('pages with after/limit and filters by action or target', async () => {
    const first = await log.page({ limit: 2 });
    expect(first.records.map((r) => r.seq)).toEqual([1, 2]);
    expect(first.next).toBe(2);
    const rest = await log.page({ after: 2, limit: 10 });
    expect(rest.records.map((r) => r.seq)).toEqual([3, 4, 5]);
    expect(rest.next).toBeNull();
    expect((await log.page({ target: 'm@1.0.4' })).records.map((r) => r.seq)).toEqual([4]);
  });

  it('is append-only: the database refuses UPDATE and DELETE', async () => {
    await expect(db.run("UPDATE audit_log SET actor = 'mallory' WHERE seq = 2")).rejects.toThrow(/append-only: UPDATE refused/);
    await expect(db.run('DELETE FROM audit_log WHERE seq = 5')).rejects.toThrow(/append-only: DELETE refused/);
    expect((await log.verify()).ok).toBe(true);
  });

  it('names the first broken row when a row is edited in the database', async () => {
    await env.tamper("UPDATE audit_log SET actor = 'mallory' WHERE seq = 3");
    expect(await log.verify()).toEqual({ ok: false, rows: 3, brokenAt: 3, reason: "row 3's content does not match its hash (edited)" });
  });

  it('still names the edited row when the attacker recomputes its hash (the next link breaks)', async () => {
    const row = await db.get<Parameters<typeof chainHash>[1] & { prev_hash: string }>('SELECT * FROM audit_log WHERE seq = 2');
    if (!row) throw new Error('no row 2');
    const forged = chainHash(row.prev_hash, { ...row, reason: 'forged' });
    await env.tamper(`UPDATE audit_log SET reason = 'forged', hash = '${forged}' WHERE seq = 2`);
    expect(await log.verify()).toMatchObject({ ok: false, brokenAt: 3 });
  });

  it('names the row after a deleted one', async () => {
    await env.tamper('DELETE FROM audit_log WHERE seq = 2');
    expect(await log.verify()).toMatchObject({ ok: false, brokenAt: 3, reason: 'rows 2..2 are missing before row 3' });
  });

  it('keeps one chain when several connections (replicas, the CLI) append at once', async () => {
    const others = [await env.open(), await env.open()];
    const writers = [log, ...others.map((o) => new AuditLog(o))];
    const append = (i: number) => writers[i % 3]?.append({ actor: 'x', action: 'a', target: `t${i}` });
    if (engineCase.concurrent) await Promise.all(Array.from({ length: 30 }, (_, i) => append(i)));
    else for (let i = 0; i < 30; i++) await append(i);
    for (const o of others) await o.close();
    expect(await log.verify()).toMatchObject({ ok: true, rows: 35 });
  });
});

describe('audit log through the gateway', () => {
  let g: GovernedGateway;
  afterAll(async () => g?.close());

  it('records registrations, promotions, gate runs, loads, rollbacks; verify catches an edit of the database file', async () => {
    g = await startGoverned({ versions: ['1.0.0'] });
    const alice = await createToken(g, 'alice', 'deployer');
    const bob = await createToken(g, 'bob', 'approver');
    expect((await upload(g, alice, demoFiles('1.1.0'))).status).toBe(201);
    expect((await promote(g, alice, '1.1.0', 'staging')).status).toBe(200);
    expect((await promote(g, bob, '1.1.0', 'production', { reason: 'better on new data' })).status).toBe(200);
    // The routing admin's instant rollback goes to the same log.
    expect((await g.call('/admin/models/property-valuation/rollback', { method: 'POST', token: ADMIN_TOKEN })).status).toBe(200);

    const all = (await (await g.call('/admin/audit?limit=1000', { token: bob })).json()) as { records: { seq: number; actor: string; action: string; target: string }[] };
    const actions = all.records.map((r) => `${r.actor} ${r.action} ${r.target}`);
    expect(actions).toEqual(
      expect.arrayContaining([
        'system:import version.register property-valuation@1.0.0',
        'system:import version.stage property-valuation@1.0.0',
        'system model.load property-valuation@1.0.0',
        'alice version.register property-valuation@1.1.0',
        'system model.load property-valuation@1.1.0',
        'alice version.stage property-valuation@1.1.0',
        'bob gate.run property-valuation@1.1.0',
        'bob version.stage property-valuation@1.0.0',
        'bob version.stage property-valuation@1.1.0',
        'system model.unload property-valuation@1.0.0',
        'bootstrap-admin rollback property-valuation',
        'bootstrap-admin token.create principal:alice',
      ]),
    );
    expect(await (await g.call('/admin/audit/verify', { token: bob })).json()).toMatchObject({ ok: true, rows: all.records.length });
    const chainGauge = async () => /^modelgate_audit_chain_ok\{store="sqlite"\} (\d)$/m.exec(await (await g.call('/metrics')).text())?.[1];
    expect(await chainGauge()).toBe('1');

    const target = all.records.find((r) => r.action === 'gate.run');
    tamper(g.dbPath, `UPDATE audit_log SET actor = 'mallory' WHERE seq = ${target?.seq}`);
    const verify = await g.call('/admin/audit/verify', { token: bob });
    expect(verify.status).toBe(200);
    expect(await verify.json()).toMatchObject({ ok: false, brokenAt: target?.seq, reason: expect.stringMatching(/edited/) });
    expect(await chainGauge()).toBe('0');
  });
});
