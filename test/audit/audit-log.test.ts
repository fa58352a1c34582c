import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog, GENESIS_HASH } from '../../src/audit/audit-log.js';
import { openDatabase, type Db } from '../../src/registry/db.js';
import { tempDir } from '../support/fixtures.js';
import { ADMIN_TOKEN } from '../support/gateway.js';
import { createToken, demoFiles, promote, startGoverned, upload, type GovernedGateway } from '../support/governance.js';

/** Edit the database file behind the log's back: a separate connection, triggers dropped first. */
function tamper(path: string, sql: string): void {
  const raw = new Database(path);
  raw.exec('DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete;');
  raw.exec(sql);
  raw.close();
}

describe('audit log (SQLite hash chain)', () => {
  let path: string;
  let db: Db;
  let log: AuditLog;
  let clock = Date.parse('2026-01-01T00:00:00Z');

  beforeEach(() => {
    path = join(tempDir('modelgate-audit-'), 'registry.db');
    db = openDatabase(path);
    log = new AuditLog(db, () => new Date((clock += 1000)));
    for (let i = 1; i <= 5; i++) {
      log.append({ actor: `user${i}`, action: 'version.stage', target: `m@1.0.${i}`, before: { stage: 'none' }, after: { stage: 'staging' }, reason: `step ${i}` });
    }
  });
  afterEach(() => db.close());

  it('chains each row to the previous one and verifies', () => {
    const { records } = log.page();
    expect(records.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(records[0]?.prevHash).toBe(GENESIS_HASH);
    for (let i = 1; i < records.length; i++) expect(records[i]?.prevHash).toBe(records[i - 1]?.hash);
    expect(records[2]).toMatchObject({ actor: 'user3', before: { stage: 'none' }, after: { stage: 'staging' }, reason: 'step 3' });
    expect(log.verify()).toEqual({ ok: true, rows: 5, head: records[4]?.hash });
  });

  it('pages with after/limit and filters by action or target', () => {
    const first = log.page({ limit: 2 });
    expect(first.records.map((r) => r.seq)).toEqual([1, 2]);
    expect(first.next).toBe(2);
    const rest = log.page({ after: 2, limit: 10 });
    expect(rest.records.map((r) => r.seq)).toEqual([3, 4, 5]);
    expect(rest.next).toBeNull();
    expect(log.page({ target: 'm@1.0.4' }).records.map((r) => r.seq)).toEqual([4]);
  });

  it('is append-only: the triggers refuse UPDATE and DELETE', () => {
    expect(() => db.prepare("UPDATE audit_log SET actor = 'mallory' WHERE seq = 2").run()).toThrow(/append-only: UPDATE refused/);
    expect(() => db.prepare('DELETE FROM audit_log WHERE seq = 5').run()).toThrow(/append-only: DELETE refused/);
    expect(log.verify().ok).toBe(true);
  });

  it('names the first broken row when a row is edited in the database file', () => {
    db.close();
    tamper(path, "UPDATE audit_log SET actor = 'mallory' WHERE seq = 3");
    db = openDatabase(path);
    log = new AuditLog(db);
    expect(log.verify()).toEqual({ ok: false, rows: 3, brokenAt: 3, reason: "row 3's content does not match its hash (edited)" });
  });

  it('still names the edited row when the attacker recomputes its hash (the next link breaks)', async () => {
    const { chainHash } = await import('../../src/audit/audit-log.js');
    const row = db.prepare('SELECT * FROM audit_log WHERE seq = 2').get() as Parameters<typeof chainHash>[1] & { prev_hash: string };
    const forged = chainHash(row.prev_hash, { ...row, reason: 'forged' });
    db.close();
    tamper(path, `UPDATE audit_log SET reason = 'forged', hash = '${forged}' WHERE seq = 2`);
    db = openDatabase(path);
    const r = new AuditLog(db).verify();
    expect(r).toMatchObject({ ok: false, brokenAt: 3 });
  });

  it('names the row after a deleted one', () => {
    db.close();
    tamper(path, 'DELETE FROM audit_log WHERE seq = 2');
    db = openDatabase(path);
    expect(new AuditLog(db).verify()).toMatchObject({ ok: false, brokenAt: 3, reason: 'rows 2..2 are missing before row 3' });
  });

  it('keeps one chain when two connections (gateway and CLI) append in turn', () => {
    const other = openDatabase(path);
    const cli = new AuditLog(other);
    for (let i = 0; i < 10; i++) (i % 2 ? log : cli).append({ actor: 'x', action: 'a', target: `t${i}` });
    other.close();
    expect(log.verify()).toMatchObject({ ok: true, rows: 15 });
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
