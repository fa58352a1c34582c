import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway.js';
import { HOUSE_V1, copyDemoModels } from '../support/fixtures.js';
import { waitFor } from '../support/flags.js';
import { json, startGateway } from '../support/gateway.js';
import { requireService, unleashAvailable } from '../support/services.js';
import { UnleashAdmin, readUnleashEnv } from '../support/unleash-admin.js';

const REFRESH_MS = 1000;
const available = requireService('unleash', await unleashAvailable());
const unleashScript = (cmd: 'start' | 'stop') => execFileSync('bash', ['scripts/services/unleash.sh', cmd], { stdio: 'pipe', timeout: 120_000 });

/** The gateway against a real Unleash 7.5.1 server on PostgreSQL (scripts/services/unleash.sh). */
describe.skipIf(!available)('routing by a real Unleash server', () => {
  const flagName = `pv-it-${process.pid}-${Date.now()}`;
  let admin: UnleashAdmin;
  let gw: Gateway;

  const route = async (user: string) => {
    const res = await gw.app.request('/v1/models/property-valuation/predict', json({ instances: [HOUSE_V1] }, { 'x-user-id': user }));
    return { status: res.status, version: res.headers.get('x-model-version'), route: res.headers.get('x-model-route') };
  };

  beforeAll(async () => {
    const env = readUnleashEnv();
    admin = UnleashAdmin.fromEnv(env);
    await admin.createFlag(flagName);
    await admin.addFlexibleRollout(flagName, {
      rollout: 100,
      groupId: flagName,
      stickiness: 'default',
      variants: [
        { name: 'stable', weight: 900, stickiness: 'default', weightType: 'fix', payload: { type: 'string', value: '1.0.0' } },
        { name: 'canary', weight: 100, stickiness: 'default', weightType: 'variable', payload: { type: 'string', value: '1.1.0' } },
      ],
    });
    await admin.enable(flagName);
    gw = await startGateway(copyDemoModels(), {
      flags: { source: 'unleash', file: '/nonexistent/flags.json', unleash: { url: env.url, apiToken: env.apiToken, refreshIntervalMs: REFRESH_MS } },
      models: { 'property-valuation': { defaultVersion: '1.0.0', flag: flagName } },
    });
    await waitFor(async () => (await route('probe')).route?.startsWith('flag:') ?? false, 10_000);
  });

  afterAll(async () => {
    await gw?.close();
    if (!(await unleashAvailable())) unleashScript('start');
    await admin?.deleteFlag(flagName).catch(() => undefined);
  });

  it('splits 2,000 users 90/10 within 3 points, sticky per user', async () => {
    let canary = 0;
    const first: string[] = [];
    for (let i = 0; i < 2000; i++) {
      const r = await route(`user-${i}`);
      expect(r.status).toBe(200);
      if (r.version === '1.1.0') canary++;
      if (i < 100) first.push(`${r.version}`);
    }
    const share = canary / 20;
    console.log(`unleash server: 2,000 users -> ${(100 - share).toFixed(2)} % stable / ${share.toFixed(2)} % canary`);
    expect(Math.abs(share - 10)).toBeLessThanOrEqual(3);
    for (let i = 0; i < 100; i++) expect((await route(`user-${i}`)).version).toBe(first[i]);
  });

  it('turning the flag off in Unleash moves 100 % to stable within refresh + 2 s', async () => {
    const users = Array.from({ length: 200 }, (_, i) => `user-${i}`);
    const toggled = performance.now();
    await admin.disable(flagName);
    await waitFor(async () => {
      const routes = await Promise.all(users.map(route));
      return routes.every((r) => r.status === 200 && r.version === '1.0.0' && r.route === 'fallback:flag_disabled');
    }, 10_000);
    const ms = performance.now() - toggled;
    console.log(`unleash server: kill switch reached 100 % stable ${ms.toFixed(0)} ms after the toggle (refresh ${REFRESH_MS} ms)`);
    expect(ms).toBeLessThanOrEqual(REFRESH_MS + 2000);
    await admin.enable(flagName);
    await waitFor(async () => (await route('user-1')).route?.startsWith('flag:') ?? false, 10_000);
  });

  it('keeps routing on the last known flags, with 0 failed requests, when the server stops', async () => {
    const before = new Map<string, string | null>();
    for (let i = 0; i < 50; i++) before.set(`user-${i}`, (await route(`user-${i}`)).version);
    unleashScript('stop');
    expect(await unleashAvailable()).toBe(false);
    let failed = 0;
    const deadline = performance.now() + 3 * REFRESH_MS;
    let n = 0;
    while (performance.now() < deadline) {
      const user = `user-${n++ % 50}`;
      const r = await route(user);
      if (r.status !== 200) failed++;
      expect(r.version).toBe(before.get(user));
      await new Promise((res) => setTimeout(res, 5));
    }
    console.log(`unleash server down: ${n} requests over ${3 * REFRESH_MS} ms, ${failed} failed`);
    expect(failed).toBe(0);
    unleashScript('start');
  });
});

describe('Unleash server unreachable at start', () => {
  it('routes by the flags file it bootstrapped from, with no failed request', async () => {
    const { freePort } = await import('../support/server-process.js');
    const { flag, writeFlags, CANARY_90_10 } = await import('../support/flags.js');
    const { tempDir } = await import('../support/fixtures.js');
    const file = `${tempDir()}/flags.json`;
    writeFlags(file, [flag('property-valuation', { variants: CANARY_90_10, tenantPins: { acme: '1.1.0' } })]);
    const port = await freePort();
    const gw = await startGateway(copyDemoModels(), {
      flags: { source: 'unleash', file, unleash: { url: `http://127.0.0.1:${port}/api`, apiToken: 'x', refreshIntervalMs: 200 } },
      models: { 'property-valuation': { defaultVersion: '1.0.0' } },
    });
    try {
      for (let i = 0; i < 20; i++) {
        const res = await gw.app.request('/v1/models/property-valuation/predict', json({ instances: [HOUSE_V1] }, { 'x-tenant-id': 'acme' }));
        expect(res.status).toBe(200);
        expect(res.headers.get('x-model-route')).toBe('flag:tenant-acme');
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      await gw.close();
    }
  });
});
