import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN } from '../support/gateway.js';
import { createToken, startGoverned, type GovernedGateway } from '../support/governance.js';
import { HOUSE_V1, copyDemoModels } from '../support/fixtures.js';
import { json, startGateway } from '../support/gateway.js';

/** Defects found by the issue-10 runs, each as a caller sees it. */
describe('admin API under bad input and other tokens (governed)', () => {
  let g: GovernedGateway;
  let dora: string;
  beforeAll(async () => {
    g = await startGoverned({ versions: ['1.0.0', '1.1.0'], production: '1.0.0' });
    dora = await createToken(g, 'dora', 'deployer');
  });
  afterAll(async () => g?.close());

  const multipart = (body: string, boundary = 'XyZ') => ({
    method: 'POST',
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    body,
  });
  it.each([
    ['truncated part', multipart('--XyZ\r\nContent-Disposition: form-data; name="manifest"\r\n\r\n{"a":1}')],
    ['no boundary parameter', { method: 'POST', headers: { 'content-type': 'multipart/form-data' }, body: 'hello' }],
    ['garbage', multipart('\u0000\u0001not multipart at all')],
    ['wrong boundary', multipart('--other\r\nContent-Disposition: form-data; name="x"\r\n\r\ny\r\n--other--\r\n')],
  ])('a malformed multipart upload (%s) is a 400, not a 500', async (_name, init) => {
    const res = await g.call('/admin/models/property-valuation/versions', { ...init, token: dora });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string; code: string };
    expect(body.code).toBe('bad_request');
    expect(JSON.stringify(body)).not.toMatch(/\bat \w|\/work\/|node_modules/);
  });

  it("records a registry token's principal as the actor of a rollback", async () => {
    expect((await g.call('/admin/models/property-valuation/rollback', { ...json({ reason: 'drill' }), token: dora })).status).toBe(200);
    expect((await g.call('/admin/models/property-valuation/rollback', { method: 'DELETE', token: dora })).status).toBe(200);
    const audit = (await (await g.call('/admin/audit?limit=1000', { token: ADMIN_TOKEN })).json()) as { records: { actor: string; action: string }[] };
    const rollbacks = audit.records.filter((r) => r.action.startsWith('rollback'));
    expect(rollbacks.map((r) => `${r.actor} ${r.action}`)).toEqual(['dora rollback', 'dora rollback.clear']);
  });

  it('loading an unknown model is a 404 and creates no metric series for it', async () => {
    const res = await g.call('/v2/repository/models/no-such-model/load', { method: 'POST', token: dora });
    expect(res.status).toBe(404);
    const version = await g.call('/v2/repository/models/property-valuation/load?version=9.9.9', { method: 'POST', token: dora });
    expect(version.status).toBe(404);
    const metrics = await (await g.call('/metrics')).text();
    expect(metrics).not.toContain('no-such-model');
    expect(metrics).not.toContain('9.9.9');
  });

  it('answers 405 with Allow for a method a route does not support', async () => {
    const cases: [string, string, string][] = [
      ['DELETE', '/v2/models/property-valuation/infer', 'POST'],
      ['GET', '/v1/models/property-valuation/predict', 'POST'],
      ['PUT', '/admin/models/property-valuation/rollback', 'DELETE, POST'],
      ['POST', '/v2/health/live', 'GET, HEAD'],
    ];
    for (const [method, path, allow] of cases) {
      const res = await g.call(path, { method, token: dora });
      expect(`${method} ${path} ${res.status} ${res.headers.get('allow')}`).toBe(`${method} ${path} 405 ${allow}`);
    }
    expect((await g.call('/nowhere', { method: 'GET' })).status).toBe(404);
    // A trailing slash is another path (Hono matches exactly): 404, never a 405 that allows the method used.
    const slash = await g.call('/v2/health/live/', { method: 'GET' });
    expect([slash.status, slash.headers.get('allow')]).toEqual([404, null]);
  });
});

describe('logging under pressure', () => {
  it('logs shed 503s and 4xx below error level, without a stack, folded into counted lines', async () => {
    const lines: { level: number; msg: string; err?: unknown; count?: number; stack?: unknown }[] = [];
    const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(JSON.parse(String(chunk)) as (typeof lines)[number]), done()) });
    const gw = await startGateway(
      copyDemoModels(),
      { flags: { file: '/none.json' }, limits: { maxInFlight: 1 }, cache: { enabled: false }, models: { 'property-valuation': { defaultVersion: '1.0.0', runner: 'worker' } } },
      { logger: pino({ level: 'info' }, sink) },
    );
    try {
      lines.length = 0;
      const burst = await Promise.all(
        Array.from({ length: 40 }, (_, i) => gw.app.request(
          '/v2/models/property-valuation/infer',
          json({ inputs: [{ name: 'features', datatype: 'FP32', shape: [1, 8], data: Object.values({ ...HOUSE_V1, sqft: 900 + i }) }] }),
        )),
      );
      const shed = burst.filter((r) => r.status === 503).length;
      expect(shed).toBeGreaterThan(0);
      for (let i = 0; i < 20; i++) await gw.app.request('/v1/models/property-valuation/predict', json({ nope: 1 }));
      const outcomeLines = lines.filter((l) => /^(503 overloaded|400 )/.test(l.msg));
      expect(outcomeLines.length).toBeGreaterThan(0);
      expect(outcomeLines.length).toBeLessThanOrEqual(2); // one per kind per interval
      expect(lines.filter((l) => l.level >= 50)).toEqual([]); // nothing at error
      expect(JSON.stringify(lines)).not.toMatch(/"stack"|\n\s+at /);
    } finally {
      await gw.close();
    }
  });
});
