import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/fixtures.js';
import { flag, writeFlags } from '../support/flags.js';
import { ADMIN_TOKEN } from '../support/gateway.js';
import { DEMO, HOUSE } from '../support/governance.js';
import { createTestDatabase, postgresAvailable, type TestDatabase } from '../support/postgres.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';
import { requireService } from '../support/services.js';

const MODEL = 'property-valuation';
/** The bound: a change made through one replica is in effect on every replica within this. */
const CONVERGE_MS = 2000;

const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };

/** Predict on a replica; returns the answering version. */
async function versionOn(r: ServerProcess, headers: Record<string, string> = {}): Promise<string | null> {
  const res = await fetch(`${r.url}/v1/models/${MODEL}/predict`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(HOUSE),
  });
  await res.body?.cancel();
  return res.headers.get('x-model-version');
}

/** Milliseconds from now until check() holds on every replica (polled every 10 ms), failing past the bound. */
async function convergence(replicas: ServerProcess[], check: (r: ServerProcess) => Promise<boolean>): Promise<number[]> {
  const start = performance.now();
  return Promise.all(
    replicas.map(async (r) => {
      while (!(await check(r))) {
        if (performance.now() - start > CONVERGE_MS * 3) throw new Error(`${r.url} did not converge`);
        await new Promise((res) => setTimeout(res, 10));
      }
      return Math.round(performance.now() - start);
    }),
  );
}

const pgUp = await postgresAvailable();

/**
 * Three gateway processes on one PostgreSQL and one flags file (issue 11, shared mode): a
 * rollback, a promotion and an unload made through one replica reach the others within 2 s; one
 * audit chain; a prediction answered by one replica is explained through another.
 */
describe.skipIf(!requireService('postgres', pgUp))('replicas share one PostgreSQL registry', () => {
  let db: TestDatabase;
  const replicas: ServerProcess[] = [];
  let flagsFile: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    const root = tempDir('modelgate-replicas-');
    const models = join(root, 'models');
    for (const v of ['1.0.0', '1.1.0']) cpSync(join(DEMO, v), join(models, MODEL, v), { recursive: true });
    mkdirSync(join(root, 'config'), { recursive: true });
    flagsFile = join(root, 'config', 'flags.json');
    // Tenant acme is pinned to 1.1.0 (the canary) by the flag; everyone else gets the stable (production) version.
    writeFlags(flagsFile, [flag(MODEL, { tenantPins: { acme: '1.1.0' } })]);
    const config = join(root, 'config', 'gateway.json');
    writeFileSync(
      config,
      JSON.stringify({
        modelsDir: models,
        runtime: { executionProviders: ['cpu'], intraOpThreads: 1 },
        flags: { source: 'file', file: flagsFile },
        models: { [MODEL]: { defaultVersion: '1.0.0' } },
        registry: { gate: { latencyRuns: 20 } },
      }),
    );
    const env = { MODELGATE_CONFIG: config, MODELGATE_DATABASE_URL: db.url, MODELGATE_ADMIN_TOKEN: ADMIN_TOKEN };
    // One after the other: the first imports models/ into the empty registry, the others find it there.
    for (let i = 0; i < 3; i++) replicas.push(await startServerProcess(env));
  }, 180_000);

  afterAll(async () => {
    for (const r of replicas) await r.stop();
    await db?.drop();
  });

  it('a rollback through C sends A and B to the stable version within 2 s, without Unleash', async () => {
    const [a, b, c] = replicas as [ServerProcess, ServerProcess, ServerProcess];
    const acme = { 'x-tenant-id': 'acme' };
    for (const r of replicas) expect(await versionOn(r, acme)).toBe('1.1.0');
    const res = await fetch(`${c.url}/admin/models/${MODEL}/rollback`, {
      method: 'POST',
      headers: { ...admin, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'replica test' }),
    });
    expect(res.status).toBe(200);
    const ms = await convergence([a, b], async (r) => (await versionOn(r, acme)) === '1.0.0');
    console.log(`rollback through C: stable on A after ${ms[0]} ms, on B after ${ms[1]} ms`);
    expect(Math.max(...ms)).toBeLessThanOrEqual(CONVERGE_MS);
    const view = (await (await fetch(`${a.url}/admin/models/${MODEL}/routing`, { headers: admin })).json()) as { override?: unknown };
    expect(JSON.stringify(view)).toMatch(/replica test/);
    // Cleared through A: the flag routes again everywhere.
    expect((await fetch(`${a.url}/admin/models/${MODEL}/rollback`, { method: 'DELETE', headers: admin })).status).toBe(200);
    await convergence([b, c], async (r) => (await versionOn(r, acme)) === '1.1.0');
  });

  it('a promotion through A moves the stable version on B and C within 2 s', async () => {
    const [a, b, c] = replicas as [ServerProcess, ServerProcess, ServerProcess];
    for (const r of replicas) expect(await versionOn(r)).toBe('1.0.0');
    const promote = (stage: string) =>
      fetch(`${a.url}/admin/models/${MODEL}/versions/1.1.0/promote`, {
        method: 'POST',
        headers: { ...admin, 'content-type': 'application/json' },
        body: JSON.stringify({ stage, reason: 'replica test', override: true }),
      });
    expect((await promote('staging')).status).toBe(200);
    const res = await promote('production');
    expect(res.status, await res.clone().text()).toBe(200);
    const ms = await convergence([b, c], async (r) => (await versionOn(r)) === '1.1.0');
    console.log(`promotion through A: stable 1.1.0 on B after ${ms[0]} ms, on C after ${ms[1]} ms`);
    expect(Math.max(...ms)).toBeLessThanOrEqual(CONVERGE_MS);
    expect(await versionOn(a)).toBe('1.1.0');
  });

  it('a prediction answered by B is found through A', async () => {
    const [a, b] = replicas as [ServerProcess, ServerProcess];
    const id = `replica-b-${Date.now()}`;
    expect(await versionOn(b, { 'x-request-id': id })).toBe('1.1.0');
    const ms = await convergence([a], async (r) => (await fetch(`${r.url}/admin/predictions/${id}`, { headers: admin })).status === 200);
    console.log(`trace: B's prediction found through A after ${ms[0]} ms`);
    const found = (await (await fetch(`${a.url}/admin/predictions/${id}`, { headers: admin })).json()) as { version: string; stage: string };
    expect(found).toMatchObject({ requestId: id, version: '1.1.0', stage: 'production' });
  });

  it('an unload through B takes the version out on A and C within 2 s', async () => {
    const [a, b, c] = replicas as [ServerProcess, ServerProcess, ServerProcess];
    const ready = async (r: ServerProcess) => (await fetch(`${r.url}/v2/models/${MODEL}/versions/1.1.0/ready`)).status === 200;
    for (const r of replicas) expect(await ready(r)).toBe(true);
    const res = await fetch(`${b.url}/v2/repository/models/${MODEL}/unload?version=1.1.0`, { method: 'POST', headers: admin });
    expect(res.status).toBe(200);
    const ms = await convergence([a, c], async (r) => !(await ready(r)));
    console.log(`unload through B: gone on A after ${ms[0]} ms, on C after ${ms[1]} ms`);
    expect(Math.max(...ms)).toBeLessThanOrEqual(CONVERGE_MS);
  });

  it('keeps one audit chain that verifies, each change audited once', async () => {
    const [a, , c] = replicas as [ServerProcess, ServerProcess, ServerProcess];
    expect(await (await fetch(`${c.url}/admin/audit/verify`, { headers: admin })).json()).toMatchObject({ ok: true });
    // The CLI walks the same chain in PostgreSQL.
    const cli = execFileSync(process.execPath, ['dist/src/cli/main.js', 'audit', 'verify'], {
      env: { ...process.env, MODELGATE_DATABASE_URL: db.url },
      encoding: 'utf8',
    });
    expect(cli).toMatch(/^audit log OK: \d+ rows/);
    const page = (await (await fetch(`${a.url}/admin/audit?limit=1000`, { headers: admin })).json()) as {
      records: { action: string; target: string; after: unknown }[];
    };
    const count = (action: string, target: string) => page.records.filter((r) => r.action === action && r.target === target).length;
    const toProduction = page.records.filter((r) => r.target === `${MODEL}@1.1.0` && JSON.stringify(r.after).includes('"stage":"production"'));
    expect(toProduction).toHaveLength(1);
    // The archived 1.0.0 left all three replicas, recorded once by the replica that promoted.
    expect(count('rollback', MODEL)).toBe(1);
    expect(count('model.unload', `${MODEL}@1.0.0`)).toBe(1);
    expect(count('model.unload', `${MODEL}@1.1.0`)).toBe(1);
  });
});
