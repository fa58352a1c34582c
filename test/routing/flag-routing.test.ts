import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway.js';
import { HOUSE_V1, copyDemoModels, tempDir } from '../support/fixtures.js';
import { CANARY_90_10, flag, waitFor, writeFlags } from '../support/flags.js';
import { ADMIN_TOKEN, json, startGateway } from '../support/gateway.js';

const PATH = '/v1/models/property-valuation/predict';
const body = json({ instances: [HOUSE_V1] });
let gw: Gateway | undefined;

async function gateway(features: unknown[], extra: Record<string, unknown> = {}) {
  const flagsFile = join(tempDir(), 'flags.json');
  writeFlags(flagsFile, features);
  gw = await startGateway(copyDemoModels(), {
    flags: { source: 'file', file: flagsFile },
    models: { 'property-valuation': { defaultVersion: '1.0.0', aliases: { canary: '1.1.0' }, ...extra } },
  });
  return { gw, flagsFile };
}

async function route(g: Gateway, headers: Record<string, string> = {}, path = PATH) {
  const res = await g.app.request(path, json({ instances: [HOUSE_V1] }, headers));
  expect(res.status).toBe(200);
  return { version: res.headers.get('x-model-version'), route: res.headers.get('x-model-route') };
}

afterEach(async () => {
  await gw?.close();
  gw = undefined;
});

describe('flag routing from the embedded flags file', () => {
  it('splits 10,000 users 90/10 within 1.5 points, sticky per user', async () => {
    const { gw: g } = await gateway([flag('property-valuation', { variants: CANARY_90_10 })]);
    let canary = 0;
    const first = new Map<string, string | null>();
    for (let i = 0; i < 10_000; i++) {
      const r = await route(g, { 'x-user-id': `user-${i}` });
      if (r.version === '1.1.0') canary++;
      if (i < 200) first.set(`user-${i}`, r.version);
    }
    const share = (canary / 10_000) * 100;
    console.log(`embedded flags: 10,000 users -> ${(100 - share).toFixed(2)} % stable / ${share.toFixed(2)} % canary`);
    expect(Math.abs(share - 10)).toBeLessThanOrEqual(1.5);
    for (const [user, version] of first) expect((await route(g, { 'x-user-id': user })).version).toBe(version);
  });

  it('is deterministic without a user id: session, then tenant, then client address', async () => {
    const { gw: g } = await gateway([flag('property-valuation', { variants: CANARY_90_10 })]);
    const seen = new Set<string | null>();
    for (let i = 0; i < 20; i++) seen.add((await route(g, { 'x-session-id': 'session-7' })).version);
    expect(seen.size).toBe(1);
    const anon = new Set<string | null>();
    for (let i = 0; i < 20; i++) anon.add((await route(g)).route);
    expect(anon.size).toBe(1);
  });

  it('pins a tenant by a constraint, and explicit pins beat flags', async () => {
    const { gw: g } = await gateway([flag('property-valuation', { variants: [{ name: 'stable', weight: 1000, version: '1.0.0' }], tenantPins: { acme: '1.1.0' } })]);
    expect(await route(g, { 'x-tenant-id': 'acme', 'x-user-id': 'u1' })).toEqual({ version: '1.1.0', route: 'flag:tenant-acme' });
    expect(await route(g, { 'x-tenant-id': 'globex', 'x-user-id': 'u1' })).toEqual({ version: '1.0.0', route: 'flag:stable' });
    expect(await route(g, { 'x-tenant-id': 'acme', 'x-model-version': '1.0.0' })).toEqual({ version: '1.0.0', route: 'pinned' });
    expect(await route(g, { 'x-tenant-id': 'acme', 'x-model-version': 'stable' })).toEqual({ version: '1.0.0', route: 'pinned' });
    expect(await route(g, { 'x-tenant-id': 'acme' }, '/v1/models/property-valuation/versions/1.0.0/predict')).toEqual({ version: '1.0.0', route: 'pinned' });
    // OIP parameters carry the same context as the headers.
    const res = await g.app.request('/v2/models/property-valuation/infer', json({
      parameters: { tenant_id: 'acme', user_id: 'u1' },
      inputs: [{ name: 'features', datatype: 'FP32', shape: [1, 8], data: Object.values(HOUSE_V1) }],
    }));
    expect(res.headers.get('x-model-version')).toBe('1.1.0');
  });

  it.each([
    ['kill switch (flag disabled)', 'fallback:flag_disabled', [flag('property-valuation', { enabled: false, variants: [{ name: 'canary', weight: 1000, version: '1.1.0' }] })]],
    ['no flag for the model', 'fallback:no_flag', [flag('another-model', { variants: CANARY_90_10 })]],
    ['rollout 0 %', 'fallback:not_in_rollout', [flag('property-valuation', { rollout: 0, variants: [{ name: 'canary', weight: 1000, version: '1.1.0' }] })]],
    ['enabled without variants', 'fallback:no_variant', [flag('property-valuation', { variants: [] })]],
    ['variant names a version that does not exist', 'fallback:version_not_loaded', [flag('property-valuation', { variants: [{ name: 'next', weight: 1000, version: '7.0.0' }] })]],
    ['variant names an unknown alias', 'fallback:version_not_loaded', [flag('property-valuation', { variants: [{ name: 'blue', weight: 1000 }] })]],
    ['variant names a version with another input schema (major)', 'fallback:schema_mismatch', [flag('property-valuation', { variants: [{ name: 'v2', weight: 1000, version: '2.0.0' }] })]],
  ])('%s -> stable, %s', async (_name, expected, features) => {
    const { gw: g } = await gateway(features);
    for (let i = 0; i < 20; i++) expect(await route(g, { 'x-user-id': `u${i}` })).toEqual({ version: '1.0.0', route: expected });
    const metrics = await (await g.app.request('/metrics')).text();
    expect(metrics).toContain(`modelgate_routing_decisions_total{model="property-valuation",version="1.0.0",route="fallback",reason="${expected.split(':')[1]}"} 20`);
  });

  it('a variant naming an alias routes to the aliased version', async () => {
    const { gw: g } = await gateway([flag('property-valuation', { variants: [{ name: 'canary', weight: 1000 }] })]);
    expect(await route(g, { 'x-user-id': 'u1' })).toEqual({ version: '1.1.0', route: 'flag:canary' });
  });

  it('a variant naming an unloaded version falls back until it is loaded (blue-green), with no failed request', async () => {
    const { gw: g } = await gateway([flag('property-valuation', { variants: [{ name: 'green', weight: 1000, version: '1.1.0' }] })]);
    await g.repository.unload('property-valuation', '1.1.0');
    expect(await route(g, { 'x-user-id': 'u1' })).toEqual({ version: '1.0.0', route: 'fallback:version_not_loaded' });
    let stop = false;
    const statuses: number[] = [];
    const load = (async () => {
      // Yield each turn: a cache hit resolves in microtasks only and would starve the timers.
      while (!stop) {
        statuses.push((await g.app.request(PATH, json({ instances: [HOUSE_V1] }, { 'x-user-id': 'u1' }))).status);
        await new Promise((r) => setImmediate(r));
      }
    })();
    await g.repository.load('property-valuation', '1.1.0');
    await new Promise((r) => setTimeout(r, 20));
    stop = true;
    await load;
    expect(statuses.length).toBeGreaterThan(0);
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect(await route(g, { 'x-user-id': 'u1' })).toEqual({ version: '1.1.0', route: 'flag:green' });
  });

  it('picks up edits without a restart; the kill switch takes effect within ~the watch debounce', async () => {
    const { gw: g, flagsFile } = await gateway([flag('property-valuation', { variants: [{ name: 'canary', weight: 1000, version: '1.1.0' }] })]);
    expect((await route(g, { 'x-user-id': 'u1' })).version).toBe('1.1.0');
    const edited = performance.now();
    writeFlags(flagsFile, [flag('property-valuation', { enabled: false, variants: [{ name: 'canary', weight: 1000, version: '1.1.0' }] })]);
    const ms = await waitFor(async () => (await route(g, { 'x-user-id': 'u1' })).route === 'fallback:flag_disabled');
    console.log(`embedded flags: kill switch live ${(performance.now() - edited).toFixed(0)} ms after the file edit (target 200 ms; measured, not asserted)`);
    expect(ms).toBeGreaterThanOrEqual(0);
  });

  it('a broken edit keeps the last good flags, warns and counts it', async () => {
    const { gw: g, flagsFile } = await gateway([flag('property-valuation', { variants: [{ name: 'canary', weight: 1000, version: '1.1.0' }] })]);
    writeFlags(flagsFile, '{"version": 2, "features": [ {"name": "property-valuation", "enabled": fal');
    await waitFor(async () => (await (await g.app.request('/metrics')).text()).includes('modelgate_flag_reloads_total{source="file",result="invalid"} 1'));
    writeFlags(flagsFile, JSON.stringify({ version: 2, features: [{ name: 'property-valuation', enabled: 'yes' }] }));
    await waitFor(async () => (await (await g.app.request('/metrics')).text()).includes('modelgate_flag_reloads_total{source="file",result="invalid"} 2'));
    expect(await route(g, { 'x-user-id': 'u1' })).toEqual({ version: '1.1.0', route: 'flag:canary' });
  });

  it('no request fails while the file changes under load', async () => {
    const { gw: g, flagsFile } = await gateway([flag('property-valuation', { variants: CANARY_90_10 })]);
    let stop = false;
    const statuses: number[] = [];
    const workers = Array.from({ length: 4 }, async (_, w) => {
      for (let i = 0; !stop; i++) {
        statuses.push((await g.app.request(PATH, json({ instances: [HOUSE_V1] }, { 'x-user-id': `w${w}-${i}` }))).status);
        await new Promise((r) => setImmediate(r));
      }
    });
    for (let i = 0; i < 30; i++) {
      const good = i % 3 !== 2;
      writeFlags(flagsFile, good ? [flag('property-valuation', { enabled: i % 2 === 0, variants: CANARY_90_10 })] : '{broken');
      await new Promise((r) => setTimeout(r, 10));
    }
    stop = true;
    await Promise.all(workers);
    expect(statuses.length).toBeGreaterThan(100);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
  });

  it('rollback sends 100 % to stable at once, overrides the flag until cleared, and shows in the routing view', async () => {
    const { gw: g } = await gateway([flag('property-valuation', { variants: [{ name: 'canary', weight: 1000, version: '1.1.0' }] })]);
    const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
    expect((await route(g, { 'x-user-id': 'u1' })).version).toBe('1.1.0');
    expect((await g.app.request('/admin/models/property-valuation/rollback', { method: 'POST' })).status).toBe(401);
    const rb = await g.app.request('/admin/models/property-valuation/rollback', { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ reason: 'p99 regression' }) });
    expect(rb.status).toBe(200);
    const view = (await rb.json()) as { rollback: { reason: string }; effective_split: { version: string; percent: number }[] };
    expect(view.rollback.reason).toBe('p99 regression');
    expect(view.effective_split).toEqual([{ version: '1.0.0', percent: 100, via: 'fallback:rollback' }]);
    for (let i = 0; i < 50; i++) expect(await route(g, { 'x-user-id': `u${i}` })).toEqual({ version: '1.0.0', route: 'fallback:rollback' });
    expect((await g.app.request('/admin/models/property-valuation/rollback', { method: 'DELETE', headers: auth })).status).toBe(200);
    expect((await route(g, { 'x-user-id': 'u1' })).version).toBe('1.1.0');
  });

  it('the routing view shows the flag, the effective split and the conditional pins', async () => {
    const { gw: g } = await gateway([flag('property-valuation', { variants: CANARY_90_10, tenantPins: { acme: '1.1.0' } })]);
    const res = await g.app.request('/admin/models/property-valuation/routing', { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    const view = (await res.json()) as Record<string, unknown>;
    expect(view).toMatchObject({
      model: 'property-valuation',
      stable_version: '1.0.0',
      flag: { name: 'property-valuation', source: 'file', enabled: true },
      rollback: null,
      effective_split: [{ version: '1.0.0', percent: 90, via: 'flag:stable' }, { version: '1.1.0', percent: 10, via: 'flag:canary' }],
      conditional: [{ constraints: [{ contextName: 'tenantId', operator: 'IN', values: ['acme'] }], variants: [{ name: 'tenant-acme', weight: 1000, target: '1.1.0' }] }],
    });
  });

  it('mirrors shadow traffic after the response, counting agreement; shadow errors never reach the caller', async () => {
    const { gw: g } = await gateway([], { shadow: { version: '1.1.0', percent: 100, tolerance: 0.05 } });
    for (let i = 0; i < 20; i++) expect((await route(g, { 'x-user-id': `u${i}` })).version).toBe('1.0.0');
    const mirrored = (text: string) =>
      [...text.matchAll(/modelgate_shadow_requests_total\{[^}]*outcome="(agree|disagree)"\} (\d+)/g)].reduce((a, m) => a + Number(m[2]), 0);
    await waitFor(async () => mirrored(await (await g.app.request('/metrics')).text()) === 20);
    const text = await (await g.app.request('/metrics')).text();
    expect(text).toMatch(/modelgate_shadow_duration_seconds_count\{model="property-valuation",version="1.1.0"\} 20/);
    // A challenger that breaks (its session freed under it) costs the caller nothing.
    const challenger = g.repository.get('property-valuation', '1.1.0');
    await challenger?.runner.dispose();
    for (let i = 0; i < 5; i++) expect((await route(g, { 'x-user-id': `x${i}` })).version).toBe('1.0.0');
    await waitFor(async () => /outcome="error"\} 5/.test(await (await g.app.request('/metrics')).text()));
  });
});
