import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway.js';
import { GatewayMetrics } from '../../src/metrics/gateway-metrics.js';
import { HOUSE_V1, copyDemoModels, tempDir } from '../support/fixtures.js';
import { ADMIN_TOKEN, json, startGateway } from '../support/gateway.js';
import { requireService } from '../support/services.js';

const MODEL = 'property-valuation';
const admin = { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } };
const hasPromtool = requireService('prometheus-tools', spawnSync('promtool', ['--version']).status === 0);

describe('ground-truth feedback and live quality', () => {
  let gw: Gateway;
  const predict = async (id: string, instance = HOUSE_V1) => {
    const res = await gw.app.request(`/v1/models/${MODEL}/versions/1.1.0/predict`, json({ instances: [instance] }, { 'x-request-id': id }));
    expect(res.status).toBe(200);
    return ((await res.json()) as { predictions: number[] }).predictions[0] as number;
  };
  const feedback = (request_id: string, value: number | number[]) => gw.app.request('/v1/feedback', json({ request_id, value }));

  beforeAll(async () => {
    gw = await startGateway(copyDemoModels(), { flags: { file: `${tempDir()}/none.json` }, monitoring: { feedback: { maxAgeMs: 60_000 } } }, { metrics: new GatewayMetrics() });
  });
  afterAll(() => gw.close());

  it('answers 202 for a known id and refuses duplicate (409), unknown (404) and unusable (400) feedback', async () => {
    await predict('fb-1');
    const cases: [string, number | number[], number, string?][] = [
      ['fb-1', 300_000, 202],
      ['fb-1', 300_000, 409, 'conflict'],
      ['never-answered', 1, 404, 'not_found'],
    ];
    for (const [id, value, status, code] of cases) {
      const res = await feedback(id, value);
      expect(res.status, id).toBe(status);
      const body = (await res.json()) as Record<string, unknown>;
      if (code) expect(body.code).toBe(code);
      else expect(body).toMatchObject({ request_id: id, status: 'accepted', model: MODEL, version: '1.1.0' });
    }
    await predict('fb-2');
    expect((await feedback('fb-2', [1, 2])).status).toBe(400);
  });

  it('takes a batch with a status per item, and shows RMSE and MAE with 95 % intervals', async () => {
    const truths: number[] = [];
    const preds: number[] = [];
    for (let i = 0; i < 20; i++) {
      preds.push(await predict(`fb-b-${i}`, { ...HOUSE_V1, sqft: 1000 + 100 * i }));
      truths.push(preds[i] as number + (i % 2 === 0 ? 10_000 : -30_000));
    }
    const res = await gw.app.request('/v1/feedback/batch', json({ feedback: [...truths.map((value, i) => ({ request_id: `fb-b-${i}`, value })), { request_id: 'nope', value: 1 }] }));
    const body = (await res.json()) as { accepted: number; refused: number; results: { status: string }[] };
    expect(body).toMatchObject({ accepted: 20, refused: 1 });
    expect(res.status).toBe(200);
    expect(body.results.at(-1)?.status).toBe('unknown');
    const q = (await (await gw.app.request(`/admin/models/${MODEL}/versions/1.1.0/quality`, admin)).json()) as {
      samples: number; metrics: { mae: { value: number; ci95: [number, number] }; rmse: { value: number; ci95: [number, number] } };
    };
    expect(q.samples).toBe(21);
    expect(q.metrics.mae.ci95[0]).toBeLessThan(q.metrics.mae.value);
    expect(q.metrics.mae.ci95[1]).toBeGreaterThan(q.metrics.mae.value);
    expect(q.metrics.rmse.value).toBeGreaterThan(q.metrics.mae.value);
    const text = await (await gw.app.request('/metrics')).text();
    expect(text).toMatch(/modelgate_live_quality\{model="property-valuation",version="1.1.0",metric="mae"\} \d/);
    expect(text).toMatch(/modelgate_feedback_total\{result="accepted"\} 21/);
    expect(text).toMatch(/modelgate_feedback_total\{result="unknown"\} 2/);
  });

  it.skipIf(!hasPromtool)('exposes feedback, quality and drift metrics that pass promtool check metrics', async () => {
    const text = await (await gw.app.request('/metrics')).text();
    expect(text).toContain('modelgate_feature_drift_psi{');
    const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(check.stdout + check.stderr).toBe('');
    expect(check.status).toBe(0);
  });
});

describe('late feedback', () => {
  it('is refused with 410 once the prediction is older than maxAgeMs', async () => {
    const gw = await startGateway(copyDemoModels(), { flags: { file: `${tempDir()}/none.json` }, monitoring: { feedback: { maxAgeMs: 1 } } });
    try {
      await gw.app.request(`/v1/models/${MODEL}/versions/1.1.0/predict`, json({ instances: [HOUSE_V1] }, { 'x-request-id': 'late-1' }));
      await new Promise((r) => setTimeout(r, 20));
      const res = await gw.app.request('/v1/feedback', json({ request_id: 'late-1', value: 1 }));
      expect(res.status).toBe(410);
      expect(await res.json()).toMatchObject({ code: 'gone' });
    } finally {
      await gw.close();
    }
  });
});
