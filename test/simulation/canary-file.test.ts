import { afterAll, describe, expect, it } from 'vitest';
import { formatTimeline, initialFlagsFile, INTERVAL_MS, MODEL, runSimulation, SCENARIOS, type SimulationResult } from './canary-simulation.js';
import { ADMIN_TOKEN } from '../support/gateway.js';

const results: SimulationResult[] = [];
afterAll(async () => {
  for (const r of results) await r.gateway.close();
});

/** The canary analysis end to end over the embedded flags file: real sessions, real file rewrites. */
describe('canary analysis with the embedded flags file (simulation)', () => {
  it('rolls a degraded version back within 5 intervals, with no failed request', async () => {
    const flagName = `sim-file-bad-${process.pid}`;
    const r = await runSimulation('bad', { flags: { source: 'file', file: initialFlagsFile(flagName) }, models: { [MODEL]: { flag: flagName } } });
    results.push(r);
    const rollback = r.history.find((h) => h.decision === 'rollback');
    console.log(formatTimeline(r, 'file flags, bad canary'));
    expect(r.answers.every((a) => a.status === 200)).toBe(true);
    expect(r.status).toBe('rolled_back');
    expect(rollback?.reason).toMatch(/quality|drift/);
    expect(r.firstCanaryAt).toBeDefined();
    const exposureMs = (r.lastCanaryAt as number) - (r.firstCanaryAt as number);
    const toDecisionMs = (rollback?.at_ms as number) - (r.firstCanaryAt as number);
    console.log(`file flags, bad canary: first bad request -> rollback decision ${toDecisionMs} ms, -> last bad answer ${exposureMs} ms (interval ${INTERVAL_MS} ms); kill switch in the flags file ${(r.killSeenAt as number) - (rollback?.at_ms as number)} ms after the decision`);
    expect(r.killSeenAt).toBeDefined();
    expect(toDecisionMs).toBeLessThanOrEqual(5 * INTERVAL_MS);
    // After the rollback nobody is answered by the canary (this gateway pins stable at once).
    // Requests routed before the pin may still finish on the canary; none is routed there after it.
    expect(r.answers.filter((a) => a.atMs > (rollback?.at_ms as number) + INTERVAL_MS && a.version === SCENARIOS.bad.canary)).toHaveLength(0);
    const view = await (await r.gateway.app.request(`/admin/models/${MODEL}/analysis`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).json();
    expect(view).toMatchObject({ status: 'rolled_back', step: { percent: 0 } });
    // Ops may start it again (say, after a fix): the analysis releases its own pin and begins at 5 %.
    const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
    const again = await r.gateway.app.request(`/admin/models/${MODEL}/analysis/start`, { method: 'POST', headers: auth });
    expect(await again.json()).toMatchObject({ status: 'running', step: { percent: 5 } });
    const routing = (await (await r.gateway.app.request(`/admin/models/${MODEL}/routing`, { headers: auth })).json()) as { rollback: unknown };
    expect(routing.rollback).toBeNull();
  }, 60_000);

  it('walks a good version through 5 -> 10 -> 25 -> 50 -> 100 % and asks for approval', async () => {
    const flagName = `sim-file-good-${process.pid}`;
    const r = await runSimulation('good', { flags: { source: 'file', file: initialFlagsFile(flagName) }, models: { [MODEL]: { flag: flagName } } });
    results.push(r);
    console.log(formatTimeline(r, 'file flags, good canary'));
    expect(r.answers.every((a) => a.status === 200)).toBe(true);
    expect(r.history.filter((h) => h.decision === 'advance').map((h) => h.to_percent)).toEqual([10, 25, 50, 100]);
    expect(r.status).toBe('completed');
    // At 100 % every caller gets the canary.
    expect(r.answers.slice(-50).every((a) => a.version === SCENARIOS.good.canary)).toBe(true);
  }, 60_000);
});
