import { cpSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway.js';
import { HOUSE_V1, tempDir } from '../support/fixtures.js';
import { ADMIN_TOKEN, json, startGateway } from '../support/gateway.js';
import { DEMO } from '../support/governance.js';

const MODEL = 'property-valuation';

/** A registry gateway (1.0.0 production, 1.1.0 staging) whose analysis goes straight to 100 %: promotion is what is tested. */
async function governed(promotion: 'request' | 'auto'): Promise<Gateway> {
  const root = tempDir('modelgate-analysis-');
  for (const v of ['1.0.0', '1.1.0']) cpSync(join(DEMO, v), join(root, 'models', MODEL, v), { recursive: true });
  mkdirSync(join(root, 'data'), { recursive: true });
  const gw = await startGateway(join(root, 'models'), {
    registry: { enabled: true, dbPath: join(root, 'data', 'registry.db'), pollIntervalMs: 0, trace: { flushIntervalMs: 5 } },
    flags: { source: 'file', file: join(root, 'flags.json') },
    models: {
      [MODEL]: {
        defaultVersion: '1.0.0',
        analysis: {
          canary: 'staging', intervalMs: 3_600_000, steps: [100], minRequestsPerStep: 5, promotion,
          checks: { latencyP99: { enabled: false }, drift: { enabled: false }, quality: { enabled: false } },
        },
      },
    },
  });
  const staged = await call(gw, `/admin/models/${MODEL}/versions/1.1.0/promote`, { stage: 'staging' });
  expect(staged.status).toBe(200);
  expect((await call(gw, `/admin/models/${MODEL}/analysis/start`, {})).status).toBe(200);
  for (let i = 0; i < 10; i++) {
    const res = await gw.app.request(`/v1/models/${MODEL}/predict`, json({ instances: [HOUSE_V1] }, { 'x-user-id': `u${i}` }));
    expect(res.headers.get('x-model-version')).toBe('1.1.0');
  }
  await gw.monitoring.analysis.get(MODEL).tick();
  return gw;
}

const call = (gw: Gateway, path: string, body?: unknown, token = ADMIN_TOKEN) =>
  gw.app.request(path, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
const stageOf = async (gw: Gateway, v: string) => ((await (await call(gw, `/admin/models/${MODEL}/versions/${v}`)).json()) as { stage: string }).stage;
const auditActions = async (gw: Gateway) => ((await (await call(gw, '/admin/audit?limit=200')).json()) as { records: { actor: string; action: string }[] }).records;

describe('promotion at the last step goes through the registry', () => {
  let gw: Gateway | undefined;
  afterEach(async () => gw?.close(0));

  it('requests it by default: the canary waits at 100 % for an approver', async () => {
    gw = await governed('request');
    const view = (await (await call(gw, `/admin/models/${MODEL}/analysis`)).json()) as { status: string; history: { decision: string }[] };
    expect(view.status).toBe('awaiting_approval');
    expect(view.history.map((h) => h.decision)).toEqual(['start', 'request_promotion']);
    expect(await stageOf(gw, '1.1.0')).toBe('staging');
    const events = await auditActions(gw);
    expect(events.some((e) => e.actor === 'canary-analysis' && e.action === 'analysis.request_promotion')).toBe(true);
    const token = ((await (await call(gw, '/admin/tokens', { principal: 'alice', role: 'approver' })).json()) as { token: string }).token;
    expect((await call(gw, `/admin/models/${MODEL}/versions/1.1.0/promote`, { stage: 'production', reason: 'analysis passed' }, token)).status).toBe(200);
    expect(await stageOf(gw, '1.1.0')).toBe('production');
  });

  it('promotes by itself only under an explicit auto-promotion policy, audited', async () => {
    gw = await governed('auto');
    const view = (await (await call(gw, `/admin/models/${MODEL}/analysis`)).json()) as { status: string };
    expect(view.status).toBe('promoted');
    expect(await stageOf(gw, '1.1.0')).toBe('production');
    const events = await auditActions(gw);
    expect(events.some((e) => e.actor === 'canary-analysis' && e.action === 'analysis.promote')).toBe(true);
  });
});
