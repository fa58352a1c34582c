import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway.js';
import { HOUSE_V1, copyDemoModels, tempDir, writeIdentityModel } from '../support/fixtures.js';
import { ADMIN_TOKEN, json, startGateway } from '../support/gateway.js';

const MODEL = 'property-valuation';
const admin = { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } };

type Drift = {
  reference_statistics: boolean; samples: number; note?: string;
  features: { name: string; psi: number | null; band: string | null; edges: number[]; reference: number[]; window: number[] }[];
};

describe('GET /admin/models/{m}/versions/{v}/drift', () => {
  let gw: Gateway;
  const drift = async (model: string, version: string) => (await (await gw.app.request(`/admin/models/${model}/versions/${version}/drift`, admin)).json()) as Drift;

  beforeAll(async () => {
    const dir = copyDemoModels();
    writeIdentityModel(dir);
    gw = await startGateway(dir, { flags: { file: `${tempDir()}/none.json` } });
    // 1.0.0 sees houses like its training data; 1.1.0 sees only very large ones (a shifted population).
    for (let i = 0; i < 200; i++) {
      const house = { ...HOUSE_V1, sqft: 800 + ((i * 37) % 3000), bedrooms: i % 6, year_built: 1950 + (i % 70), lot_size: 1000 + ((i * 91) % 9000) };
      await gw.app.request(`/v1/models/${MODEL}/versions/1.0.0/predict`, json({ instances: [house] }));
      await gw.app.request(`/v1/models/${MODEL}/versions/1.1.0/predict`, json({ instances: [{ ...house, sqft: 6000 + (i % 900) }] }));
    }
  });
  afterAll(() => gw.close());

  it('shows per feature the PSI, its band and both histograms on the reference edges', async () => {
    const shifted = await drift(MODEL, '1.1.0');
    expect(shifted.reference_statistics).toBe(true);
    expect(shifted.samples).toBe(200);
    const sqft = shifted.features.find((f) => f.name === 'sqft');
    expect(sqft?.band).toBe('significant');
    expect(sqft?.window.reduce((a, b) => a + b, 0)).toBe(200);
    expect(sqft?.window.length).toBe((sqft?.edges.length ?? 0) - 1);
    const usual = await drift(MODEL, '1.0.0');
    expect(usual.features.find((f) => f.name === 'condition')?.psi).toBeGreaterThan(0.25); // every request sends condition 4
    expect(usual.features.find((f) => f.name === 'sqft')?.band).not.toBe('significant');
    const text = await (await gw.app.request('/metrics')).text();
    expect(text).toMatch(/modelgate_feature_drift_psi\{model="property-valuation",version="1.1.0",feature="sqft"\} [\d.]+/);
  });

  it('says so for a model without reference statistics, and 404s a version that is not loaded', async () => {
    await gw.app.request('/v2/models/identity/infer', json({ inputs: [{ name: 'in_fp32', datatype: 'FP32', shape: [1, 2], data: [1, 2] }] }));
    const none = await drift('identity', '1.0.0');
    expect(none.reference_statistics).toBe(false);
    expect(none.note).toMatch(/no reference statistics/);
    expect((await gw.app.request(`/admin/models/${MODEL}/versions/9.9.9/drift`, admin)).status).toBe(404);
    expect((await gw.app.request(`/admin/models/${MODEL}/versions/1.0.0/drift`)).status).toBe(401);
  });
});
