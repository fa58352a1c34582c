import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.js';
import type { Gateway } from '../../src/gateway.js';
import { copyDemoModels } from '../support/fixtures.js';
import { ADMIN_TOKEN, startGateway } from '../support/gateway.js';

/** Requests as if through one trusted proxy (trustedProxies: 1): the client is the X-Forwarded-For entry. */
const from = (g: Gateway, address: string, token: string) =>
  g.app.request('/admin/models/property-valuation/routing', { headers: { authorization: `Bearer ${token}`, 'x-forwarded-for': address } });

async function metric(g: Gateway, result: string): Promise<number> {
  const line = (await g.metrics.exposition()).split('\n').find((l) => l.startsWith(`modelgate_auth_failures_total{result="${result}"}`));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

describe('failed bearer tokens are throttled per client address', () => {
  let g: Gateway;
  beforeAll(async () => {
    g = await startGateway(copyDemoModels(), { http: { trustedProxies: 1, authThrottle: { threshold: 5, baseDelayMs: 60_000 } } });
  });
  afterAll(async () => {
    await g.close(0);
  });

  it('429 + Retry-After past the threshold; the right token still works from that address; other addresses unaffected', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await from(g, '203.0.113.7', `wrong-token-${i}`)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);
    const refused = await from(g, '203.0.113.7', 'wrong-token-again');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await refused.json()) as { code: string }).code).toBe('too_many_requests');
    expect((await from(g, '203.0.113.7', ADMIN_TOKEN)).status).toBe(200);
    expect((await from(g, '198.51.100.9', 'wrong-token')).status).toBe(401);
    expect(await metric(g, 'invalid')).toBe(6);
    expect(await metric(g, 'throttled')).toBe(4);
  });
});

describe('the bootstrap token', () => {
  it('shorter than 32 characters is refused at start-up', () => {
    expect(() => parseConfig({ adminToken: 'sixteen-chars-ok' })).toThrow(/at least 32 characters/);
    expect(parseConfig({ adminToken: 'x'.repeat(32) }).adminToken).toHaveLength(32);
  });
});

describe('GET /admin/models/{m}/analysis', () => {
  it('for a loaded model without an analysis: 404 saying there is none (not "not loaded")', async () => {
    const g = await startGateway(copyDemoModels());
    try {
      const res = await g.app.request('/admin/models/property-valuation/analysis', { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      expect(res.status).toBe(404);
      const body = (await res.json()) as { error: string };
      expect(body.error).toMatch(/no canary analysis/);
      expect(body.error).not.toMatch(/not loaded/);
      const unknown = await g.app.request('/admin/models/no-such-model/analysis', { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      expect(unknown.status).toBe(404);
      expect(((await unknown.json()) as { error: string }).error).toMatch(/not loaded/);
    } finally {
      await g.close(0);
    }
  });
});
