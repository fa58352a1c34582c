import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayConfigInput } from '../../src/config/schema.js';
import { waitFor } from '../support/flags.js';
import { requireService, unleashAvailable } from '../support/services.js';
import { UnleashAdmin, readUnleashEnv, type UnleashEnv } from '../support/unleash-admin.js';
import { formatTimeline, INTERVAL_MS, MODEL, runSimulation, SCENARIOS, type SimulationResult } from './canary-simulation.js';

/** Up to a minute: the routing integration test restarts the shared server, and it may be mid-restart now. */
async function unleashUp(): Promise<boolean> {
  for (let i = 0; i < 60; i++) {
    if (await unleashAvailable()) return true;
    await new Promise((r) => setTimeout(r, 1000));
  }
  return false;
}

const available = requireService('unleash', await unleashUp());

/** The canary analysis end to end against a real Unleash 7.5.1: weights and the kill switch through its Admin API. */
describe.skipIf(!available)('canary analysis with a real Unleash server (simulation)', () => {
  let env: UnleashEnv;
  let admin: UnleashAdmin;
  const flags: string[] = [];
  const results: SimulationResult[] = [];

  beforeAll(() => {
    env = readUnleashEnv();
    admin = UnleashAdmin.fromEnv(env);
  });
  afterAll(async () => {
    for (const r of results) await r.gateway.close();
    for (const f of flags) await admin.deleteFlag(f).catch(() => undefined);
  });

  /** A fresh flag, 100 % stable, and the gateway's config to route by it and act on it. */
  async function setup(kind: string): Promise<{ flag: string; config: Partial<GatewayConfigInput> }> {
    await waitFor(() => unleashAvailable(), 60_000);
    const flag = `sim-unleash-${kind}-${process.pid}-${Date.now()}`;
    flags.push(flag);
    await admin.createFlag(flag, 'modelgate canary simulation');
    await admin.addFlexibleRollout(flag, {
      rollout: 100, groupId: flag, stickiness: 'default',
      variants: [{ name: 'stable', weight: 1000, stickiness: 'default', weightType: 'variable', payload: { type: 'string', value: 'stable' } }],
    });
    await admin.enable(flag);
    return {
      flag,
      config: {
        flags: {
          source: 'unleash',
          file: '/nonexistent/flags.json',
          unleash: { url: env.url, apiToken: env.apiToken, refreshIntervalMs: 500, adminUrl: env.adminUrl, adminToken: env.adminToken },
        },
        models: { [MODEL]: { flag } },
      },
    };
  }

  it('rolls a degraded version back within 5 intervals, with no failed request, and the kill switch reaches the flags', async () => {
    const { flag, config } = await setup('bad');
    const r = await runSimulation('bad', config);
    results.push(r);
    console.log(formatTimeline(r, 'Unleash, bad canary'));
    const rollback = r.history.find((h) => h.decision === 'rollback');
    expect(r.answers.every((a) => a.status === 200)).toBe(true);
    expect(r.status).toBe('rolled_back');
    const toDecisionMs = (rollback?.at_ms as number) - (r.firstCanaryAt as number);
    // The kill switch as the gateway's own flag source sees it (what every other gateway polls too).
    await waitFor(async () => r.gateway.flags?.definition(flag)?.enabled === false, 60_000);
    const killSeenMs = (r.killSeenAt ?? Date.now()) - (rollback?.at_ms as number);
    console.log(`Unleash, bad canary: first bad request -> rollback decision ${toDecisionMs} ms, -> last bad answer ${(r.lastCanaryAt as number) - (r.firstCanaryAt as number)} ms; kill switch in the gateway's Unleash flags ${killSeenMs} ms after the decision`);
    expect(toDecisionMs).toBeLessThanOrEqual(5 * INTERVAL_MS);
    // Requests routed before the pin may still finish on the canary; none is routed there after it.
    expect(r.answers.filter((a) => a.atMs > (rollback?.at_ms as number) + INTERVAL_MS && a.version === SCENARIOS.bad.canary)).toHaveLength(0);
  }, 150_000);

  it('walks a good version to 100 % by changing the variant weights in Unleash', async () => {
    const { flag, config } = await setup('good');
    const r = await runSimulation('good', config);
    results.push(r);
    console.log(formatTimeline(r, 'Unleash, good canary'));
    expect(r.answers.every((a) => a.status === 200)).toBe(true);
    expect(r.history.filter((h) => h.decision === 'advance').map((h) => h.to_percent)).toEqual([10, 25, 50, 100]);
    expect(r.status).toBe('completed');
    const variants = r.gateway.flags?.definition(flag)?.strategies[0]?.variants ?? [];
    expect(variants.map((v) => [v.name, v.weight])).toEqual([['canary', 1000]]);
  }, 150_000);
});
