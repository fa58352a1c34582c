import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway.js';
import { HOUSE_V1, HOUSE_V2, copyDemoModels } from '../support/fixtures.js';
import { json, startGateway } from '../support/gateway.js';
import { directRun } from '../support/ort-reference.js';

const row = (h: Record<string, number>) => Object.values(h);

describe('JSON API: POST /v1/models/{m}[/versions/{v}]/predict', () => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startGateway(copyDemoModels(), {
      flags: { file: '/nonexistent/flags.json' },
      models: { 'property-valuation': { defaultVersion: '1.0.0', aliases: { canary: '1.1.0' } } },
    });
  });
  afterAll(() => gw.close());

  it('answers with the numbers of a direct onnxruntime run, stamped with the version that ran', async () => {
    const res = await gw.app.request('/v1/models/property-valuation/predict', json({ instances: [HOUSE_V1] }, { 'x-request-id': 'req-42' }));
    expect(res.status).toBe(200);
    expect(res.headers.get('x-model-name')).toBe('property-valuation');
    expect(res.headers.get('x-model-version')).toBe('1.0.0');
    expect(res.headers.get('x-model-route')).toBe('fallback:no_flag');
    expect(res.headers.get('x-request-id')).toBe('req-42');
    const body = (await res.json()) as { model: string; version: string; predictions: number[]; request_id: string };
    expect(body).toMatchObject({ model: 'property-valuation', version: '1.0.0', request_id: 'req-42' });
    expect(body.predictions).toEqual(await directRun('property-valuation', '1.0.0', [row(HOUSE_V1)]));
  });

  it('serves two versions side by side, each with its own numbers', async () => {
    const a = await gw.app.request('/v1/models/property-valuation/versions/1.0.0/predict', json({ instances: [HOUSE_V1] }));
    const b = await gw.app.request('/v1/models/property-valuation/versions/1.1.0/predict', json({ instances: [HOUSE_V1] }));
    const c = await gw.app.request('/v1/models/property-valuation/versions/2.0.0/predict', json({ instances: [HOUSE_V2] }));
    const [pa, pb, pc] = (await Promise.all([a.json(), b.json(), c.json()])) as { version: string; predictions: number[] }[];
    expect([pa?.version, pb?.version, pc?.version]).toEqual(['1.0.0', '1.1.0', '2.0.0']);
    expect(pa?.predictions).toEqual(await directRun('property-valuation', '1.0.0', [row(HOUSE_V1)]));
    expect(pb?.predictions).toEqual(await directRun('property-valuation', '1.1.0', [row(HOUSE_V1)]));
    expect(pc?.predictions).toEqual(await directRun('property-valuation', '2.0.0', [row(HOUSE_V2)]));
    expect(pa?.predictions[0]).not.toEqual(pb?.predictions[0]);
    for (const r of [a, b, c]) expect(r.headers.get('x-model-route')).toBe('pinned');
  });

  it('answers concurrent requests each with its own version, numbers and id (held to the end of the turn together)', async () => {
    const versions = ['1.0.0', '1.1.0', '2.0.0'];
    const sent = Array.from({ length: 30 }, (_, i) => ({ id: `c-${i}`, version: versions[i % 3] as string }));
    const answers = await Promise.all(
      sent.map(({ id, version }) =>
        gw.app.request(`/v1/models/property-valuation/versions/${version}/predict`, json({ instances: [version === '2.0.0' ? HOUSE_V2 : HOUSE_V1] }, { 'x-request-id': id })),
      ),
    );
    const expected = new Map<string, number[]>();
    for (const v of versions) expected.set(v, await directRun('property-valuation', v, [row(v === '2.0.0' ? HOUSE_V2 : HOUSE_V1)]));
    for (const [i, res] of answers.entries()) {
      const { id, version } = sent[i] as { id: string; version: string };
      expect(res.status).toBe(200);
      expect(res.headers.get('x-request-id')).toBe(id);
      const body = (await res.json()) as { version: string; predictions: number[]; request_id: string };
      expect(body).toMatchObject({ version, request_id: id, predictions: expected.get(version) });
    }
    expect(gw.serving.inFlight).toBe(0);
  });

  it('takes a batch, features in any key order, and category labels or codes', async () => {
    const shuffled = Object.fromEntries(Object.entries(HOUSE_V1).reverse());
    const labelled = { ...HOUSE_V1, location_cluster: 'suburb' };
    const res = await gw.app.request('/v1/models/property-valuation/predict', json({ instances: [HOUSE_V1, shuffled, labelled] }));
    const body = (await res.json()) as { predictions: number[] };
    const ref = await directRun('property-valuation', '1.0.0', [row(HOUSE_V1)]);
    expect(body.predictions).toEqual([ref[0], ref[0], ref[0]]);
  });

  it('pins by x-model-version header, version or alias', async () => {
    for (const [pin, version] of [['1.1.0', '1.1.0'], ['canary', '1.1.0'], ['stable', '1.0.0'], ['latest', '2.0.0']] as const) {
      const body = version === '2.0.0' ? HOUSE_V2 : HOUSE_V1;
      const res = await gw.app.request('/v1/models/property-valuation/predict', json({ instances: [body] }, { 'x-model-version': pin }));
      expect(res.status, pin).toBe(200);
      expect(res.headers.get('x-model-version')).toBe(version);
      expect(res.headers.get('x-model-route')).toBe('pinned');
    }
  });

  it('lists models with versions, providers and metrics', async () => {
    const res = await gw.app.request('/v1/models');
    const body = (await res.json()) as { models: { name: string; stable_version: string; versions: { version: string; provider: string; metrics: Record<string, number> }[] }[] };
    const pv = body.models.find((m) => m.name === 'property-valuation');
    expect(pv?.stable_version).toBe('1.0.0');
    expect(pv?.versions.map((v) => v.version)).toEqual(['1.0.0', '1.1.0', '2.0.0']);
    expect(pv?.versions[0]?.provider).toBe('cpu');
    expect(pv?.versions[0]?.metrics.r2).toBeGreaterThan(0.8);
  });
});
