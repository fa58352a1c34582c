import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, json } from '../support/gateway.js';
import { HOUSE, createToken, demoFiles, eventually, promote, startGoverned, upload, type GovernedGateway } from '../support/governance.js';
import { createTestDatabase, postgresAvailable, type TestDatabase } from '../support/postgres.js';
import { requireService } from '../support/services.js';

const pgUp = await postgresAvailable();
const ENGINES = [
  { store: 'sqlite', database: async (): Promise<TestDatabase | undefined> => undefined },
  ...(requireService('postgres', pgUp) ? [{ store: 'postgres', database: createTestDatabase }] : []),
];

/** The same governance story on both engines: what a user sees must not depend on the store. */
describe.each(ENGINES)('registry on $store', ({ store, database }) => {
  let db: TestDatabase | undefined;
  let g: GovernedGateway;
  let alice: string;
  let bob: string;
  const predict = (headers: Record<string, string> = {}) => g.call('/v1/models/property-valuation/predict', json(HOUSE, headers));

  beforeAll(async () => {
    db = await database();
    g = await startGoverned({ versions: ['1.0.0'], registry: db ? { databaseUrl: db.url } : {} });
    alice = await createToken(g, 'alice', 'deployer');
    bob = await createToken(g, 'bob', 'approver');
  });
  afterAll(async () => {
    await g?.close();
    await db?.drop();
  });

  it('registers, stages and promotes with four eyes; routing follows', async () => {
    expect((await predict()).headers.get('x-model-version')).toBe('1.0.0');
    expect((await upload(g, alice, demoFiles('1.1.0'))).status).toBe(201);
    expect((await upload(g, alice, demoFiles('1.1.0'))).status).toBe(409);
    expect((await promote(g, alice, '1.1.0', 'staging')).status).toBe(200);
    expect((await promote(g, alice, '1.1.0', 'production')).status).toBe(403);
    expect((await promote(g, bob, '1.1.0', 'production', { reason: 'better' })).status).toBe(200);
    expect((await predict()).headers.get('x-model-version')).toBe('1.1.0');
    const v = (await (await g.call('/admin/models/property-valuation/versions/1.0.0', { token: bob })).json()) as { stage: string };
    expect(v.stage).toBe('archived');
  });

  it('sets aliases and refuses a duplicate principal', async () => {
    const put = await g.call('/admin/models/property-valuation/aliases/champion', {
      method: 'PUT',
      token: alice,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ version: '1.1.0' }),
    });
    expect(put.status).toBe(200);
    expect((await predict({ 'x-model-version': 'champion' })).headers.get('x-model-version')).toBe('1.1.0');
    const dup = await g.call('/admin/tokens', {
      method: 'POST',
      token: ADMIN_TOKEN,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ principal: 'alice', role: 'viewer' }),
    });
    expect(dup.status).toBe(409);
  });

  it('keeps a rollback override in the store and shows it in the routing view', async () => {
    expect((await g.call('/admin/models/property-valuation/rollback', { method: 'POST', token: ADMIN_TOKEN })).status).toBe(200);
    const view = await (await g.call('/admin/models/property-valuation/routing', { token: ADMIN_TOKEN })).json();
    expect(JSON.stringify(view)).toMatch(/"actor":"bootstrap-admin"/);
    expect((await g.call('/admin/models/property-valuation/rollback', { method: 'DELETE', token: ADMIN_TOKEN })).status).toBe(200);
  });

  it('explains a traced prediction with who promoted it, and the audit chain verifies', async () => {
    expect((await predict({ 'x-request-id': `engine-${store}` })).status).toBe(200);
    const found = await eventually(async () => {
      const res = await g.call(`/admin/predictions/engine-${store}`, { token: bob });
      return res.status === 200 ? ((await res.json()) as Record<string, unknown>) : undefined;
    });
    expect(found).toMatchObject({ version: '1.1.0', stage: 'production', promotion: { by: 'bob', reason: 'better' } });
    expect(await (await g.call('/admin/audit/verify', { token: bob })).json()).toMatchObject({ ok: true });
    const gauge = new RegExp(`^modelgate_audit_chain_ok\\{store="${store}"\\} 1$`, 'm');
    expect(await (await g.call('/metrics')).text()).toMatch(gauge);
  });
});
