import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, json } from '../support/gateway.js';
import {
  HOUSE,
  createToken,
  demoFiles,
  promote,
  scaledVersion,
  startGoverned,
  upload,
  type GovernedGateway,
} from '../support/governance.js';

interface GateBody {
  passed: boolean;
  baseline: string | null;
  comparison: string;
  metrics: { name: string; passed: boolean; candidate: number; baseline: number | null }[];
  latency: { passed: boolean } | null;
  notes: string[];
}

describe('promotion: stages, four eyes, validation gate, routing', () => {
  let g: GovernedGateway;
  let alice: string; // deployer
  let bob: string; // approver
  let dave: string; // approver

  const predict = (headers: Record<string, string> = {}) => g.call('/v1/models/property-valuation/predict', json(HOUSE, headers));
  const stageOf = async (version: string) =>
    ((await (await g.call(`/admin/models/property-valuation/versions/${version}`, { token: bob })).json()) as { stage: string }).stage;

  beforeAll(async () => {
    // Only 1.0.0 on disk: imported on first start as production.
    g = await startGoverned({ versions: ['1.0.0'] });
    alice = await createToken(g, 'alice', 'deployer');
    bob = await createToken(g, 'bob', 'approver');
    dave = await createToken(g, 'dave', 'approver');
  });
  afterAll(async () => g?.close());

  it('imported models/ on first start with 1.0.0 in production, serving unpinned requests', async () => {
    expect(await stageOf('1.0.0')).toBe('production');
    const res = await predict();
    expect(res.status).toBe(200);
    expect(res.headers.get('x-model-version')).toBe('1.0.0');
    expect(res.headers.get('x-model-route')).toBe('fallback:no_flag');
  });

  it('a deployer registers 1.1.0 and moves it to staging: the canary candidate, pinnable as "staging"', async () => {
    const reg = await upload(g, alice, demoFiles('1.1.0'));
    expect(reg.status).toBe(201);
    expect(await reg.json()).toMatchObject({ version: '1.1.0', stage: 'none', registered_by: 'alice', parent_version: '1.0.0', data_version: '2026.06' });
    expect((await promote(g, alice, '1.1.0', 'staging')).status).toBe(200);
    const canary = await predict({ 'x-model-version': 'staging' });
    expect(canary.headers.get('x-model-version')).toBe('1.1.0');
    expect((await predict()).headers.get('x-model-version')).toBe('1.0.0');
  });

  it('a deployer cannot promote to production (403)', async () => {
    const res = await promote(g, alice, '1.1.0', 'production');
    expect(res.status).toBe(403);
  });

  it('an approver promotes 1.1.0: the gate passes against 1.0.0 and unpinned traffic moves to 1.1.0', async () => {
    const res = await promote(g, bob, '1.1.0', 'production', { reason: 'GBDT on the 2026.06 market' });
    const body = (await res.json()) as { to: string; replaced: { version: string; stage: string }; gate: { passed: boolean; result: GateBody } };
    expect(res.status).toBe(200);
    expect(body.to).toBe('production');
    expect(body.replaced).toEqual({ version: '1.0.0', stage: 'archived' });
    expect(body.gate.passed).toBe(true);
    expect(body.gate.result).toMatchObject({ baseline: '1.0.0', comparison: 'same_holdout' });
    expect(body.gate.result.metrics.map((m) => m.name).sort()).toEqual(['mae', 'r2', 'rmse']);
    const rmse = body.gate.result.metrics.find((m) => m.name === 'rmse');
    expect(rmse?.candidate).toBeLessThan(rmse?.baseline ?? 0);

    const after = await predict();
    expect(after.status).toBe(200);
    expect(after.headers.get('x-model-version')).toBe('1.1.0');
    expect(after.headers.get('x-model-route')).toBe('fallback:no_flag');
    // The archived version no longer serves.
    expect((await predict({ 'x-model-version': '1.0.0' })).status).toBe(404);
    expect(await stageOf('1.0.0')).toBe('archived');
  });

  it('the gate result is stored with the version and shown by the API', async () => {
    const res = await g.call('/admin/models/property-valuation/versions/1.1.0', { token: alice });
    const body = (await res.json()) as { gate_results: { passed: boolean; baselineVersion: string }[]; stage_history: { to: string; actor: string; gateId: number | null }[] };
    expect(body.gate_results[0]).toMatchObject({ passed: true, baselineVersion: '1.0.0' });
    expect(body.stage_history.map((t) => [t.to, t.actor])).toEqual([
      ['staging', 'alice'],
      ['production', 'bob'],
    ]);
    expect(body.stage_history[1]?.gateId).toBeTypeOf('number');
  });

  it('four eyes: an approver cannot promote a version they registered; another approver can', async () => {
    const files = scaledVersion('1.1.0', '1.1.1', 1.001); // practically the same model
    expect((await upload(g, bob, files)).status).toBe(201);
    expect((await promote(g, bob, '1.1.1', 'staging')).status).toBe(200);
    const own = await promote(g, bob, '1.1.1', 'production');
    expect(own.status).toBe(403);
    expect(((await own.json()) as { error: string }).error).toMatch(/four eyes/);
    const other = await promote(g, dave, '1.1.1', 'production');
    expect(other.status).toBe(200);
    expect((await predict()).headers.get('x-model-version')).toBe('1.1.1');
  });

  it('the gate fails a worse candidate (422, promotion blocked) and production stays', async () => {
    const worse = scaledVersion('1.1.0', '1.2.0', 1.4); // every price 40 % too high
    expect((await upload(g, alice, worse)).status).toBe(201);
    expect((await promote(g, alice, '1.2.0', 'staging')).status).toBe(200);
    const res = await promote(g, bob, '1.2.0', 'production');
    expect(res.status).toBe(422);
    const body = (await res.json()) as { code: string; details: { rule: string; gate: GateBody } };
    expect(body.code).toBe('precondition_failed');
    expect(body.details.rule).toBe('validation_gate');
    expect(body.details.gate.passed).toBe(false);
    expect(body.details.gate.baseline).toBe('1.1.1');
    expect(body.details.gate.metrics.find((m) => m.name === 'rmse')?.passed).toBe(false);
    expect(await stageOf('1.2.0')).toBe('staging');
    expect((await predict()).headers.get('x-model-version')).toBe('1.1.1');
  });

  it('an override needs an admin and a reason; the admin gate override is audited', async () => {
    expect((await promote(g, bob, '1.2.0', 'production', { override: true, reason: 'I insist' })).status).toBe(403);
    expect((await promote(g, ADMIN_TOKEN, '1.2.0', 'production', { override: true })).status).toBe(400);
    const res = await promote(g, ADMIN_TOKEN, '1.2.0', 'production', { override: true, reason: 'incident 42: pricing hotfix' });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { overrides: string[] }).overrides).toEqual(['gate']);
    expect((await predict()).headers.get('x-model-version')).toBe('1.2.0');
    const audit = (await (await g.call('/admin/audit?action=gate.override', { token: bob })).json()) as {
      records: { actor: string; target: string; reason: string }[];
    };
    expect(audit.records).toEqual([expect.objectContaining({ actor: 'bootstrap-admin', target: 'property-valuation@1.2.0', reason: 'incident 42: pricing hotfix' })]);
  });

  it('an admin may override four eyes on a version they registered, with a reason', async () => {
    const files = scaledVersion('1.1.0', '1.2.1', 1.0005);
    expect((await upload(g, ADMIN_TOKEN, files)).status).toBe(201);
    expect((await promote(g, ADMIN_TOKEN, '1.2.1', 'staging')).status).toBe(200);
    expect((await promote(g, ADMIN_TOKEN, '1.2.1', 'production')).status).toBe(403);
    const res = await promote(g, ADMIN_TOKEN, '1.2.1', 'production', { override: true, reason: 'weekend on-call, sole approver' });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { overrides: string[] }).overrides).toEqual(['four_eyes']);
    const audit = (await (await g.call('/admin/audit?action=four_eyes.override', { token: bob })).json()) as { records: unknown[] };
    expect(audit.records).toHaveLength(1);
  });

  it('stage moves outside the allowed transitions are refused with 409', async () => {
    const res = await promote(g, bob, '1.0.0', 'production'); // archived -> production must go through staging
    expect(res.status).toBe(409);
    expect(((await res.json()) as { details: { rule: string } }).details.rule).toBe('invalid_transition');
  });

  it('validate runs the gate on demand, and streams progress as NDJSON when asked', async () => {
    const plain = await g.call('/admin/models/property-valuation/versions/1.2.0/validate', { method: 'POST', token: alice });
    expect(plain.status).toBe(200);
    expect(((await plain.json()) as { passed: boolean; baselineVersion: string }).baselineVersion).toBe('1.2.1');
    const streamed = await g.call('/admin/models/property-valuation/versions/1.2.0/validate', {
      method: 'POST',
      token: alice,
      headers: { accept: 'application/x-ndjson' },
    });
    expect(streamed.headers.get('content-type')).toMatch(/ndjson/);
    const lines = (await streamed.text()).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.filter((l) => 'progress' in l).length).toBeGreaterThan(2);
    expect(lines.at(-1)).toHaveProperty('result.result.passed');
  });

  it('aliases point at registered versions and route pinned requests; changes are audited', async () => {
    const put = await g.call('/admin/models/property-valuation/aliases/blue', {
      method: 'PUT',
      token: alice,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ version: '1.2.1', reason: 'blue/green' }),
    });
    expect(put.status).toBe(200);
    expect((await predict({ 'x-model-version': 'blue' })).headers.get('x-model-version')).toBe('1.2.1');
    const reserved = await g.call('/admin/models/property-valuation/aliases/production', {
      method: 'PUT',
      token: alice,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ version: '1.1.1' }),
    });
    expect(reserved.status).toBe(400);
    expect((await g.call('/admin/models/property-valuation/aliases/blue', { method: 'DELETE', token: alice })).status).toBe(204);
    expect((await predict({ 'x-model-version': 'blue' })).status).toBe(404);
    const audit = (await (await g.call('/admin/audit?target=property-valuation:blue', { token: alice })).json()) as { records: { action: string }[] };
    expect(audit.records.map((r) => r.action)).toEqual(['alias.set', 'alias.delete']);
  });
});

describe('validation gate across a schema change and without a baseline', () => {
  let g: GovernedGateway;
  afterAll(async () => g?.close());

  it('with no production version the candidate passes on its own metrics, with a note', async () => {
    g = await startGoverned({ versions: [] });
    const res = await upload(g, ADMIN_TOKEN, demoFiles('1.0.0'));
    expect(res.status).toBe(201);
    const gate = (await (await g.call('/admin/models/property-valuation/versions/1.0.0/validate', { method: 'POST', token: ADMIN_TOKEN })).json()) as {
      result: GateBody;
    };
    expect(gate.result).toMatchObject({ passed: true, baseline: null, comparison: 'no_baseline' });
    expect(gate.result.notes.join(' ')).toMatch(/no production version/);
  });

  it('a major version with a new input schema is measured on its own holdout, and says so', async () => {
    await upload(g, ADMIN_TOKEN, demoFiles('1.1.0'));
    await promote(g, ADMIN_TOKEN, '1.1.0', 'staging');
    const prod = await promote(g, ADMIN_TOKEN, '1.1.0', 'production', { override: true, reason: 'test setup: no second approver' });
    expect(prod.status).toBe(200);
    expect((await upload(g, ADMIN_TOKEN, demoFiles('2.0.0'))).status).toBe(201);
    const gate = (await (await g.call('/admin/models/property-valuation/versions/2.0.0/validate', { method: 'POST', token: ADMIN_TOKEN })).json()) as {
      result: GateBody;
    };
    expect(gate.result.comparison).toBe('own_holdouts');
    expect(gate.result.baseline).toBe('1.1.0');
    expect(gate.result.notes.join(' ')).toMatch(/own holdout/);
    expect(gate.result.passed).toBe(true);
  });
});

describe('changes made by another process (the CLI) reach a running gateway', () => {
  let g: GovernedGateway;
  afterAll(async () => g?.close());

  it('loads the new production version, routes to it, and unloads the archived one', async () => {
    const { openRegistry } = await import('../../src/registry/open-registry.js');
    const { RegistrySettings } = await import('../../src/config/registry-schema.js');
    const { servableRunners } = await import('../../src/runtime/servable-runner.js');
    g = await startGoverned({ versions: ['1.0.0'] });
    const cli = openRegistry(RegistrySettings.parse({ dbPath: g.dbPath }), { adminToken: ADMIN_TOKEN, openRunner: servableRunners({ providers: ['cpu'], intraOpThreads: 1 }) });
    try {
      const alice = { name: 'alice', role: 'deployer' as const };
      const bob = { name: 'bob', role: 'approver' as const };
      const files = demoFiles('1.1.0');
      await cli.registry.register(alice, { manifest: files.manifest, artifact: files.model, holdout: files.holdout });
      await cli.registry.promote(alice, 'property-valuation', '1.1.0', 'staging');
      await cli.registry.promote(bob, 'property-valuation', '1.1.0', 'production', { reason: 'from the CLI' });
    } finally {
      cli.close();
    }
    expect(g.gateway.repository.get('property-valuation', '1.1.0')).toBeUndefined();
    await g.gateway.governance?.poll();
    const res = await g.call('/v1/models/property-valuation/predict', json(HOUSE));
    expect(res.headers.get('x-model-version')).toBe('1.1.0');
    expect(g.gateway.repository.get('property-valuation', '1.0.0')).toBeUndefined();
  });
});
