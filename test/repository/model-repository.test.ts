import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway.js';
import { ADMIN_TOKEN, json, startGateway } from '../support/gateway.js';
import { HOUSE_V1, copyDemoModels } from '../support/fixtures.js';

const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
const admin = (path: string, body?: unknown) => ({
  method: 'POST',
  headers: { ...auth, 'content-type': 'application/json' },
  ...(body === undefined ? {} : { body: JSON.stringify(body) }),
});
const editManifest = (dir: string, version: string, edit: (m: Record<string, unknown>) => void) => {
  const p = join(dir, 'property-valuation', version, 'manifest.json');
  const m = JSON.parse(readFileSync(p, 'utf8')) as Record<string, unknown>;
  edit(m);
  writeFileSync(p, JSON.stringify(m));
};
const predict = (gw: Gateway, version: string) =>
  gw.app.request(`/v1/models/property-valuation/versions/${version}/predict`, json({ instances: [HOUSE_V1] }));

describe('model repository', () => {
  let gw: Gateway | undefined;
  afterEach(async () => {
    await gw?.close();
    gw = undefined;
  });

  it('refuses a version with a bad hash or an invalid manifest, counts it, and loads the others', async () => {
    const dir = copyDemoModels();
    writeFileSync(join(dir, 'property-valuation', '1.1.0', 'model.onnx'), Buffer.from('tampered'));
    editManifest(dir, '2.0.0', (m) => (m.trainingDataHash = 'not-a-digest'));
    gw = await startGateway(dir, { flags: { file: '/none.json' } });
    expect(gw.repository.versions('property-valuation').map((v) => v.version)).toEqual(['1.0.0']);

    const index = (await (await gw.app.request('/v2/repository/index', admin('/'))).json()) as { version: string; state: string; reason: string }[];
    expect(index.find((e) => e.version === '1.1.0')).toMatchObject({ state: 'FAILED', reason: expect.stringMatching(/sha256 .* does not match/) });
    expect(index.find((e) => e.version === '2.0.0')).toMatchObject({ state: 'FAILED', reason: expect.stringMatching(/trainingDataHash/) });
    expect(index.find((e) => e.version === '1.0.0')).toMatchObject({ state: 'READY' });

    const metrics = await (await gw.app.request('/metrics')).text();
    expect(metrics).toMatch(/modelgate_model_load_failures_total\{model="property-valuation",reason="hash_mismatch"\} 1/);
    expect(metrics).toMatch(/modelgate_model_load_failures_total\{model="property-valuation",reason="invalid_manifest"\} 1/);
    expect((await predict(gw, '1.0.0')).status).toBe(200);
    expect((await predict(gw, '1.1.0')).status).toBe(404);
  });

  it('a failed reload keeps the old version serving; a good one swaps it in', async () => {
    const dir = copyDemoModels();
    gw = await startGateway(dir, { flags: { file: '/none.json' } });
    const before = await (await predict(gw, '1.1.0')).json();

    writeFileSync(join(dir, 'property-valuation', '1.1.0', 'model.onnx'), Buffer.from('broken upload'));
    const failed = await gw.app.request('/v2/repository/models/property-valuation/load', admin('/', { parameters: { version: '1.1.0' } }));
    expect(failed.status).toBe(422);
    expect(((await failed.json()) as { error: string }).error).toMatch(/does not match/);
    const still = await predict(gw, '1.1.0');
    expect(still.status).toBe(200);
    expect(await still.json()).toMatchObject({ predictions: (before as { predictions: number[] }).predictions });

    const unload = await gw.app.request('/v2/repository/models/property-valuation/unload?version=1.1.0', admin('/'));
    expect(await unload.json()).toEqual({ model: 'property-valuation', unloaded: ['1.1.0'] });
    expect((await predict(gw, '1.1.0')).status).toBe(404);
    expect((await gw.app.request('/v2/models/property-valuation/versions/1.1.0/ready')).status).toBe(503);

    const original = readFileSync(join(process.cwd(), 'models', 'property-valuation', '1.1.0', 'model.onnx'));
    writeFileSync(join(dir, 'property-valuation', '1.1.0', 'model.onnx'), original);
    const load = await gw.app.request('/v2/repository/models/property-valuation/load', admin('/', { parameters: { version: '1.1.0' } }));
    expect(await load.json()).toEqual({ model: 'property-valuation', loaded: ['1.1.0'] });
    expect((await predict(gw, '1.1.0')).status).toBe(200);
  });

  it('unloading under traffic answers each request with 200 or 404, never a 5xx', async () => {
    gw = await startGateway(copyDemoModels(), { flags: { file: '/none.json' } });
    const inflight = Array.from({ length: 50 }, (_, i) =>
      new Promise((r) => setTimeout(r, i % 5)).then(() => predict(gw as Gateway, '1.1.0')),
    );
    await new Promise((r) => setTimeout(r, 2));
    await gw.repository.unload('property-valuation', '1.1.0');
    const statuses = (await Promise.all(inflight)).map((r) => r.status);
    expect(statuses.every((s) => s === 200 || s === 404)).toBe(true);
  });

  it('a retired version frees its session only after its in-flight requests finish', async () => {
    let disposed = false;
    const runner = {
      mode: 'inline' as const, provider: 'cpu' as const, signature: { inputNames: [], outputNames: [], inputs: [], outputs: [] }, fallbacks: [],
      run: async () => ({}), dispose: async () => { disposed = true; },
    };
    const manifest = JSON.parse(readFileSync(join(process.cwd(), 'models/property-valuation/1.0.0/manifest.json'), 'utf8'));
    const { LoadedVersion } = await import('../../src/repository/loaded-version.js');
    const { Manifest } = await import('../../src/contracts/manifest.js');
    const lv = new LoadedVersion(Manifest.parse(manifest), runner, 0);
    lv.acquire();
    lv.acquire();
    const retired = lv.retire();
    await new Promise((r) => setTimeout(r, 5));
    expect(disposed).toBe(false);
    lv.release();
    await new Promise((r) => setTimeout(r, 5));
    expect(disposed).toBe(false);
    lv.release();
    await retired;
    expect(disposed).toBe(true);
  });

  it('guards the repository API with the admin token (no registry: the only token)', async () => {
    gw = await startGateway(copyDemoModels(), { flags: { file: '/none.json' } });
    expect((await gw.app.request('/v2/repository/index', { method: 'POST' })).status).toBe(401);
    const wrong = await gw.app.request('/v2/repository/index', { method: 'POST', headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ error: 'the bearer token is not valid' });
    const admin = await gw.app.request('/v2/repository/index', { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(admin.status).toBe(200);
  });
});

describe('execution provider fallback at load', () => {
  it('logs each unavailable provider and serves on the next one', async () => {
    const { default: pino } = await import('pino');
    const { Writable } = await import('node:stream');
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, new Writable({ write: (chunk, _enc, done) => { lines.push(String(chunk)); done(); } }));
    const g = await startGateway(copyDemoModels(), { flags: { file: '/none.json' }, runtime: { executionProviders: ['cuda', 'cpu'] } }, { logger });
    try {
      expect(g.repository.get('property-valuation', '1.0.0')?.runner.provider).toBe('cpu');
      const warnings = lines.map((l) => JSON.parse(l) as { msg: string; provider: string });
      expect(warnings.filter((w) => w.provider === 'cuda' && /fell back/.test(w.msg)).length).toBe(3);
      const meta = (await (await g.app.request('/v2/models/property-valuation/versions/1.0.0')).json()) as { parameters: { execution_provider: string } };
      expect(meta.parameters.execution_provider).toBe('cpu');
    } finally {
      await g.close();
    }
  });
});
